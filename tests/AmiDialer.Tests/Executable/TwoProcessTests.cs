using AmiDialer.Tests.Cli;
using Xunit.Abstractions;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// Issue #22: two processes at once on one database and one simulator. The second (a refused <c>run</c>, a <c>call</c>
/// from the CLI while <c>serve</c> dials) is configured with another name for the same PBX, as an operator's own machine
/// would be, and must change nothing it does not own: the first, alive throughout, sees every call end, so every
/// outcome equals the simulator's (not even <c>unknown</c>), no answered callee is dialed again, and the second
/// sends no Originate for the campaign.
/// </summary>
public sealed class TwoProcessTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Calls of two to six seconds: plenty are up when the second process starts.</summary>
    private const double TimeScale = 3;

    private static readonly TimeSpan CampaignLimit = TimeSpan.FromSeconds(120);

    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task A_second_run_of_the_same_campaign_is_refused_and_changes_nothing_the_first_owns()
    {
        await using var simulator = await SimulatorProcess.StartAsync(cli.Folder, KillCampaign.Scenario(TimeScale, seed: 21), ledger: false);
        var campaign = new KillCampaign(cli, simulator, output);
        await campaign.CreateAsync(leads: 150, callsPerSecond: 20, maxConcurrent: 20);

        await using var first = AmiDialerProcess.Start(cli.Folder, simulator.DialerEnvironment(), "run", "--campaign", KillCampaign.Name, "--db", cli.DatabasePath);
        await WaitForLiveCallsAsync(campaign, first);
        var owned = await campaign.ChannelIdsAsync();

        var second = await AmiDialerProcess.RunAsync(cli.Folder, simulator.DialerEnvironment("pbx-other"), AmiDialerProcess.CommandLimit,
            "run", "--campaign", KillCampaign.Name, "--db", cli.DatabasePath);
        Assert.True(second.Code != 0 && KillCampaign.Refused(second.Output + second.Error), $"the second run was not refused:\n{second}");
        Assert.False(first.HasExited, "the first run ended while the second ran:\n" + first);

        var code = await first.WaitForExitAsync(CampaignLimit);
        Assert.True(code == 0, $"the first run did not finish the campaign: exit {code}\n{first}");
        AssertOneDialer(simulator, owned);
        await campaign.VerifyAsync("two runs of one campaign: the second refused", unknownAllowed: false);
    }

    [Fact]
    public async Task A_call_from_the_cli_while_serve_dials_changes_nothing_serve_owns()
    {
        await using var simulator = await SimulatorProcess.StartAsync(cli.Folder, KillCampaign.Scenario(TimeScale, seed: 22), ledger: false);
        var campaign = new KillCampaign(cli, simulator, output);
        await campaign.CreateAsync(leads: 150, callsPerSecond: 20, maxConcurrent: 20);

        var url = new Uri($"http://127.0.0.1:{ChildServe.FreePort()}");
        var environment = simulator.DialerEnvironment();
        environment["AMIDIALER_Engine__SupervisorInterval"] = "00:00:01";
        await using var serve = AmiDialerProcess.Start(cli.Folder, environment, "serve", "--urls", url.ToString().TrimEnd('/'), "--db", cli.DatabasePath);
        await ChildServe.WaitForHealthAsync(serve, url);
        await WaitForLiveCallsAsync(campaign, serve);
        var owned = await campaign.ChannelIdsAsync();

        var callEnvironment = simulator.DialerEnvironment("pbx-cli");
        // Whatever the hour the test runs at: the call's own rules are not what this test is about.
        callEnvironment["AMIDIALER_Dialing__ClickToCall__RespectCallingHours"] = "false";
        var call = await AmiDialerProcess.RunAsync(cli.Folder, callEnvironment, AmiDialerProcess.CommandLimit,
            "call", "+1 404 555 0100", "--agent", "Local/101@agentphone", "--db", cli.DatabasePath);
        output.WriteLine($"call: {call}");
        Assert.False(serve.HasExited, "serve ended while the call ran:\n" + serve);

        await ChildServe.WaitUntilAsync(async () => await campaign.Store.StateAsync(KillCampaign.Name) == "completed", CampaignLimit, () => "serve never completed the campaign:\n" + serve);
        AssertOneDialer(simulator, owned, also: "+1 404 555 0100");
        await campaign.VerifyAsync("serve dialing, a call from the CLI meanwhile", unknownAllowed: false);
    }

    /// <summary>Until the first process has a number of calls up, with its attempts open in the database.</summary>
    private static async Task WaitForLiveCallsAsync(KillCampaign campaign, AmiDialerProcess dialer) =>
        await ChildServe.WaitUntilAsync(
            async () =>
            {
                Assert.False(dialer.HasExited, "the first process ended before calls were up:\n" + dialer);
                return await campaign.OpenAttemptsAsync() >= 8;
            },
            ChildServe.StartTimeout,
            () => "no calls up:\n" + dialer);

    /// <summary>Every campaign Originate came from the first process: its ChannelIds carry its prefix (amd-&lt;prefix&gt;-n).</summary>
    private static void AssertOneDialer(SimulatorProcess simulator, List<string> owned, string? also = null)
    {
        Assert.NotEmpty(owned);
        var prefix = owned[0][..(owned[0].LastIndexOf('-') + 1)];
        var digits = also is null ? null : new string([.. also.Where(char.IsAsciiDigit)]);
        var others = simulator.Read().Dials.Where(d => !d.ChannelId.StartsWith(prefix, StringComparison.Ordinal) && (digits is null || !d.Number.EndsWith(digits[1..], StringComparison.Ordinal))).ToList();
        Assert.True(others.Count == 0, $"{others.Count} Originate(s) for the campaign from another process: {string.Join(", ", others.Take(10))}");
    }
}
