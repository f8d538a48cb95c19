using Xunit;

namespace AmiDialer.Testing;

/// <summary>Waits for a condition that real sockets and timers make true a moment later, with a bound a loaded machine meets.</summary>
public static class Eventually
{
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? within = null)
    {
        var bound = within ?? TimeSpan.FromSeconds(20);
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met in {bound.TotalSeconds:0} s");
            await Task.Delay(20);
        }
    }
}
