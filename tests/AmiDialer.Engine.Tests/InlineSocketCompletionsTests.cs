namespace AmiDialer.Engine.Tests;

// Alone: the theory changes the process's environment, which an engine starting meanwhile would read.
[CollectionDefinition(nameof(InlineSocketCompletionsTests), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;

[Collection(nameof(InlineSocketCompletionsTests))]
public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public void The_tests_run_with_the_socket_setting_amidialer_runs_with()
    {
        // tests/tests.runsettings sets it for every test host, as Program.cs does for the app: without it the engine
        // tests would exercise the thread-pool paths, which the shipped process does not take.
        Assert.True(InlineSocketCompletions.Enabled, $"{InlineSocketCompletions.Variable} is not 1 in the test host: is tests/tests.runsettings still used?");
    }

    [Theory]
    [InlineData(null, "1")]
    [InlineData("0", "0")]
    [InlineData("1", "1")]
    public void An_operator_setting_wins_and_an_unset_one_becomes_on(string? before, string after)
    {
        var saved = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        try
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, before);
            InlineSocketCompletions.EnableUnlessSet();
            Assert.Equal(after, Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable));
        }
        finally
        {
            // The runtime read it long ago; restored for the other tests' view of it.
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, saved);
        }
    }
}
