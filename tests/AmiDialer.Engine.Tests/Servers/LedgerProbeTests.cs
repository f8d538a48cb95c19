using AmiDialer.Ami;
using AmiDialer.Engine.Servers;
using AmiDialer.Simulator;
using Xunit;

namespace AmiDialer.Engine.Tests.Servers;

/// <summary>The ledger check over a real AMI login to the simulator (which answers ShowDialPlan as k3 recorded), and its verdict on listings it cannot produce.</summary>
public sealed class LedgerProbeTests
{
    [Fact]
    public async Task A_pbx_with_the_ledger_installed_is_found_installed_at_version_1()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { LedgerInstalled = true });
        await using var client = await LoginAsync(sim, "dialer", "dialerpass");

        var result = await LedgerProbe.ProbeAsync(client);

        Assert.Equal(LedgerStatus.Installed, result.Status);
        Assert.True(result.IsInstalled);
        Assert.Empty(result.MissingContexts);
        Assert.Equal(1, result.Versions["amidialer-dial"]);
        Assert.Equal(1, result.Versions["amidialer-c2c"]);
        Assert.Contains("version 1 installed", result.Message, StringComparison.Ordinal);
        Assert.Equal(["amidialer-dial", "amidialer-c2c", "amidialer-ledger"], sim.ActionsNamed("ShowDialPlan").Select(a => a["Context"]));
    }

    [Fact]
    public async Task A_pbx_without_the_ledger_is_missing_all_three_contexts_and_the_message_says_how_to_install_it()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions());
        await using var client = await LoginAsync(sim, "dialer", "dialerpass");

        var result = await LedgerProbe.ProbeAsync(client);

        Assert.Equal(LedgerStatus.Missing, result.Status);
        Assert.False(result.IsInstalled);
        Assert.Equal(["amidialer-dial", "amidialer-c2c", "amidialer-ledger"], result.MissingContexts);
        Assert.Contains("not installed", result.Message, StringComparison.Ordinal);
        Assert.Contains("amidialer pbx install-ledger", result.Message, StringComparison.Ordinal);
        Assert.Contains("dialplan reload", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pbx_with_only_the_campaign_wrapper_is_incomplete_and_names_the_missing_contexts()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            ExtraContexts = new Dictionary<string, IReadOnlyList<string>> { ["amidialer-dial"] = ["_X."] },
        });
        await using var client = await LoginAsync(sim, "dialer", "dialerpass");

        var result = await LedgerProbe.ProbeAsync(client);

        Assert.Equal(LedgerStatus.Missing, result.Status);
        Assert.Equal(["amidialer-c2c", "amidialer-ledger"], result.MissingContexts);
        Assert.Equal(1, result.Versions["amidialer-dial"]);
        Assert.Contains("incomplete: no context amidialer-c2c, amidialer-ledger", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_that_may_not_run_ShowDialPlan_leaves_the_ledger_unverified_naming_the_class_to_add()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            LedgerInstalled = true,
            Users = [new SimulatorUser("limited", "limitedpass", AmiPrivilege.Call | AmiPrivilege.System | AmiPrivilege.Agent, AmiPrivilege.Call)],
        });
        await using var client = await LoginAsync(sim, "limited", "limitedpass");

        var result = await LedgerProbe.ProbeAsync(client);

        Assert.Equal(LedgerStatus.Unverified, result.Status);
        Assert.Contains("Permission denied", result.Message, StringComparison.Ordinal);
        Assert.Contains("`reporting`", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_that_is_down_throws_rather_than_judging_the_dialplan()
    {
        // Never started: not logged in, so nothing is sent and nothing is said about the dialplan.
        await using var client = new AmiClient(new AmiClientOptions { Host = "127.0.0.1", Port = 1, Username = "dialer", Secret = "dialerpass" });

        await Assert.ThrowsAsync<AmiNotConnectedException>(() => LedgerProbe.ProbeAsync(client));
    }

    [Fact]
    public void Another_version_in_a_wrapper_is_a_wrong_version_naming_the_context_and_the_version_found()
    {
        var result = LedgerProbe.Judge(Listing(dial: Wrapper("amidialer-ledger v2"), c2c: Wrapper("amidialer-ledger v1")));

        Assert.Equal(LedgerStatus.WrongVersion, result.Status);
        Assert.Equal(2, result.Versions["amidialer-dial"]);
        Assert.Contains("not version 1: amidialer-dial is version 2", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrapper_without_its_version_line_is_a_wrong_version()
    {
        var result = LedgerProbe.Judge(Listing(dial: Wrapper("amidialer-ledger v1"), c2c: [new("_X.", 1, "Set", "CHANNEL(hangup_handler_push)=amidialer-c2c,ledger,1")]));

        Assert.Equal(LedgerStatus.WrongVersion, result.Status);
        Assert.Null(result.Versions["amidialer-c2c"]);
        Assert.Contains("amidialer-c2c has no NoOp(amidialer-ledger vN) line", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_handler_context_without_s_1_is_not_the_dialplan_the_wrappers_push()
    {
        var result = LedgerProbe.Judge(Listing(dial: Wrapper("amidialer-ledger v1"), c2c: Wrapper("amidialer-ledger v1"), handler: [new("h", 1, "NoOp", "")]));

        Assert.Equal(LedgerStatus.WrongVersion, result.Status);
        Assert.Contains("amidialer-ledger has no s,1", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amidialer-ledger v1", LedgerStatus.Installed)]
    [InlineData(" amidialer-ledger v1 ", LedgerStatus.Installed)]
    [InlineData("amidialer-ledger v10", LedgerStatus.WrongVersion)]
    [InlineData("amidialer-ledger v", LedgerStatus.WrongVersion)]
    [InlineData("amidialer-ledger v-1", LedgerStatus.WrongVersion)]
    [InlineData("something else", LedgerStatus.WrongVersion)]
    public void The_version_is_read_off_the_NoOp_line(string noOp, LedgerStatus expected) =>
        Assert.Equal(expected, LedgerProbe.Judge(Listing(dial: Wrapper(noOp), c2c: Wrapper("amidialer-ledger v1"))).Status);

    private static DialplanLine[] Wrapper(string noOp) =>
    [
        new("_X.", 1, "NoOp", noOp),
        new("_X.", 2, "Set", "CHANNEL(hangup_handler_push)=amidialer-ledger,s,1"),
        new("_X.", 3, "Dial", "${AMIDIALER_DIALSTRING},${AMIDIALER_RING}"),
        new("_X.", 4, "Hangup", ""),
    ];

    private static Dictionary<string, IReadOnlyList<DialplanLine>?> Listing(DialplanLine[]? dial, DialplanLine[]? c2c, DialplanLine[]? handler = null) => new()
    {
        ["amidialer-dial"] = dial,
        ["amidialer-c2c"] = c2c,
        ["amidialer-ledger"] = handler ?? [new("s", 1, "Set", "DB(amidialer/${AMIDIALER_ATTEMPT})=${DIALSTATUS}|${HANGUPCAUSE}|${ANSWEREDTIME}|${EPOCH}"), new("s", 2, "Return", "")],
    };

    private static async Task<AmiClient> LoginAsync(AmiSimulator sim, string user, string secret)
    {
        var client = new AmiClient(new AmiClientOptions { Host = "127.0.0.1", Port = sim.Port, Username = user, Secret = secret, ActionsPerSecond = 0 });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(cts.Token);
        return client;
    }
}
