using AmiDialer.Tests.Cli;
using Xunit.Abstractions;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// Issue #22: the real <c>amidialer run</c>, SIGKILLed at chosen points (AMIDIALER_TEST_KILL_AT) and at random moments,
/// against <c>amidialer simulate</c> in another process, started again until its campaign finishes. Nobody who answered
/// is dialed again, no number has two live calls, every lead ends final, and the outcomes are the simulator's: all of
/// them with the ledger, all but the ones that ended while no dialer was there (<c>unknown</c>) without it.
/// The figures are printed: <c>dotnet test --filter KillTests --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class KillTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Calls of one to four seconds: kills find them ringing and talking.</summary>
    private const double TimeScale = 5;

    /// <summary>Room for restarts on a loaded machine; the campaign itself takes a fraction of it.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(150);

    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Theory]
    [InlineData(true, 11)]
    [InlineData(false, 12)]
    public async Task A_campaign_killed_again_and_again_redials_no_answered_callee_and_keeps_the_true_outcomes(bool ledger, int seed)
    {
        await using var simulator = await SimulatorProcess.StartAsync(cli.Folder, KillCampaign.Scenario(TimeScale, seed), ledger);
        var campaign = new KillCampaign(cli, simulator, output);
        await campaign.CreateAsync(leads: 360, callsPerSecond: 40, maxConcurrent: 30);
        var plan = CrashPlan.Mixed(count: 12, seed);
        output.WriteLine($"plan (seed {seed}): {string.Join("; ", plan)}");

        await campaign.RunAsync(plan, Budget);

        await campaign.VerifyAsync($"kill test, {(ledger ? "with" : "without")} the ledger (seed {seed})");
        Assert.True(campaign.Kills >= 10, $"only {campaign.Kills} kills: the campaign ended before the plan did");
    }
}
