using AmiDialer.Data.TestHooks;

namespace AmiDialer.Data.Tests.TestHooks;

/// <summary>
/// The kill hook's setting: unset arms nothing; a mistyped one fails loudly rather than letting a kill test run
/// with no kill in it. (The kills themselves are the executable's, tested in AmiDialer.Tests' KillTests.)
/// </summary>
public sealed class KillSwitchTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Unset_arms_nothing(string? text) => Assert.Equal((null, 0), KillSwitch.Parse(text));

    [Theory]
    [InlineData("before-originate:1", "before-originate", 1)]
    [InlineData("mid-burst:3", "mid-burst", 3)]
    [InlineData("after-claim:12", "after-claim", 12)]
    [InlineData("ending-commit:2", "ending-commit", 2)]
    [InlineData("answer-seen:1", "answer-seen", 1)]
    [InlineData("end-due:1", "end-due", 1)]
    public void A_point_and_a_pass_arm_that_pass(string text, string point, int pass) => Assert.Equal((point, pass), KillSwitch.Parse(text));

    [Theory]
    [InlineData("after-claim")]
    [InlineData("after-claim:0")]
    [InlineData("after-claim:-1")]
    [InlineData("after-claim:x")]
    [InlineData("after_claim:1")]
    [InlineData(":1")]
    public void Anything_else_is_refused_naming_the_points(string text)
    {
        var error = Assert.Throws<InvalidOperationException>(() => KillSwitch.Parse(text));
        Assert.Contains(KillSwitch.Variable, error.Message, StringComparison.Ordinal);
        Assert.Contains("ending-commit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unarmed_passes_return()
    {
        // The test process has no AMIDIALER_TEST_KILL_AT: every point is a no-op, as in production.
        Assert.Null(Environment.GetEnvironmentVariable(KillSwitch.Variable));
        foreach (var point in KillSwitch.Points)
        {
            Assert.False(KillSwitch.IsArmed(point));
            KillSwitch.Pass(point);
        }
    }
}
