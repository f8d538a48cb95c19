using System.Net;
using System.Net.Sockets;
using AmiDialer.Ami;
using AmiDialer.Core.Doctor;
using AmiDialer.Core.Model;
using AmiDialer.Engine.Preflight;
using AmiDialer.Engine.Tests.Dialing;
using AmiDialer.Simulator;
using Xunit;

namespace AmiDialer.Engine.Tests.Preflight;

/// <summary>Each doctor check passing and failing against the simulator, over a real login as the dialer would make it.</summary>
public sealed class ServerDoctorTests
{
    private static readonly Campaign Reminders = new()
    {
        Name = "reminders",
        State = CampaignState.Running,
        DialTemplate = "Local/{number}@pstn",
        Destination = new DialplanTarget("agents", "100", 1),
    };

    [Fact]
    public async Task A_healthy_ledger_server_passes_every_check_and_only_warns_that_call_events_are_unverified()
    {
        await using var sim = await StartAsync(new SimulatorOptions { LedgerInstalled = true });

        var report = await CheckAsync(sim, ledger: true, needs: DoctorNeeds.From([Reminders], "outbound", ["Local/1??@agentphone"], ["agents", "ivr"]));

        Assert.Equal(
            ["reachable", "banner", "tls", "login", "write classes", "dialplan agents,100,1", "dialplan pstn", "dialplan outbound", "dialplan agents", "dialplan ivr", "ledger", "channel Local", "clock", "read system", "read call"],
            report.Checks.Select(c => c.Check));
        Assert.All(report.Checks.Where(c => c.Check != "read call"), c => Assert.Equal(CheckLevel.Ok, c.Level));
        Assert.Equal(CheckLevel.Warn, Level(report, "read call"));
        Assert.Equal("Asterisk Call Manager/13.0.0", Detail(report, "banner"));
        Assert.Contains("logged in as dialer (MD5 challenge)", Detail(report, "login"), StringComparison.Ordinal);
        Assert.Contains("version 1 installed", Detail(report, "ledger"), StringComparison.Ordinal);
        Assert.True(report.Reachable);
        Assert.Empty(report.BlockingFailures);
        Assert.Empty(sim.ActionsNamed("Originate"));
    }

    [Fact]
    public async Task A_server_that_is_down_fails_reachable_and_nothing_else_is_tried()
    {
        var port = FreePort();

        var report = await CheckAsync(port, ledger: false, needs: DoctorNeeds.From([Reminders]));

        var check = Assert.Single(report.Checks);
        Assert.Equal(("reachable", CheckLevel.Fail), (check.Check, check.Level));
        Assert.Contains($"127.0.0.1:{port}", check.Detail, StringComparison.Ordinal);
        Assert.Contains("Ami:Servers:0:Host", check.Fix, StringComparison.Ordinal);
        Assert.False(report.Reachable);
    }

    [Fact]
    public async Task A_wrong_secret_fails_the_login_as_blocking_and_says_Asterisk_cannot_tell_user_from_secret()
    {
        await using var sim = await StartAsync(new SimulatorOptions { LoginFailureDelay = TimeSpan.FromMilliseconds(20) });

        var report = await CheckAsync(sim, ledger: false, needs: DoctorNeeds.From([Reminders]), secret: "Zq9-not-the-secret");

        Assert.Equal(["reachable", "banner", "tls", "login"], report.Checks.Select(c => c.Check));
        var login = report.Checks[^1];
        Assert.Equal(CheckLevel.Fail, login.Level);
        Assert.True(login.Blocking);
        Assert.Contains("Authentication failed", login.Detail, StringComparison.Ordinal);
        Assert.Contains("manager.conf [dialer]", login.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain("Zq9-not-the-secret", string.Join(" ", report.Checks.Select(c => c.Detail + c.Fix)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_plain_login_is_checked_too_and_warned_about_without_TLS()
    {
        await using var sim = await StartAsync(new SimulatorOptions());

        var report = await CheckAsync(sim, ledger: false, needs: DoctorNeeds.From([Reminders]), plain: true);

        Assert.Contains("(plain secret)", Detail(report, "login"), StringComparison.Ordinal);
        Assert.Equal(CheckLevel.Warn, Level(report, "tls"));
        Assert.Contains("Ami:Servers:0:Auth", report.Checks.Single(c => c.Check == "tls").Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_read_only_user_fails_every_write_it_lacks_naming_the_class_and_cannot_check_the_dialplan()
    {
        await using var sim = await StartAsync(new SimulatorOptions());

        var report = await CheckAsync(sim, ledger: false, needs: DoctorNeeds.From([Reminders]), user: "readonly", secret: "ro");

        var originate = report.Checks.Single(c => c.Check == "write Originate");
        Assert.Equal((CheckLevel.Fail, true), (originate.Level, originate.Blocking));
        Assert.Equal("add originate to write = in manager.conf [readonly], then `manager reload`", originate.Fix);
        Assert.Equal("add call to write = in manager.conf [readonly], then `manager reload`", report.Checks.Single(c => c.Check == "write Redirect").Fix);
        Assert.Equal(CheckLevel.Fail, Level(report, "write CoreShowChannels"));
        Assert.Equal(CheckLevel.Warn, Level(report, "dialplan"));
        Assert.Equal(CheckLevel.Warn, Level(report, "channel types"));
        Assert.Equal(CheckLevel.Ok, Level(report, "read system"));
    }

    [Fact]
    public async Task A_user_without_originate_fails_only_that_among_the_writes_and_has_no_system_read_when_not_given()
    {
        await using var sim = await StartAsync(new SimulatorOptions
        {
            LedgerInstalled = true,
            Users = [new SimulatorUser("limited", "limitedpass", AmiPrivilege.Call, AmiPrivilege.Call | AmiPrivilege.Reporting | AmiPrivilege.System)],
        });

        var report = await CheckAsync(sim, ledger: true, needs: DoctorNeeds.From([Reminders]), user: "limited", secret: "limitedpass");

        Assert.Equal(["write Originate"], report.Checks.Where(c => c.Check.StartsWith("write ", StringComparison.Ordinal)).Select(c => c.Check));
        Assert.True(report.BlockingFailures.Single().Check == "write Originate");
        var system = report.Checks.Single(c => c.Check == "read system");
        Assert.Equal(CheckLevel.Fail, system.Level);
        Assert.Contains("add system to read =", system.Fix, StringComparison.Ordinal);
        Assert.Equal(CheckLevel.Warn, Level(report, "channel types"));
    }

    [Fact]
    public async Task A_missing_context_extension_or_priority_fails_naming_who_uses_it_and_only_a_campaign_s_blocks()
    {
        await using var sim = await StartAsync(new SimulatorOptions());
        var needs = DoctorNeeds.From(
            [
                Reminders with { Name = "a", Destination = new DialplanTarget("nosuch", "100", 1) },
                Reminders with { Name = "b", Destination = new DialplanTarget("ivr", "abc", 1) },
                Reminders with { Name = "c", Destination = new DialplanTarget("agents", "100", 7), DialTemplate = "Local/{number}@gone/n" },
            ],
            allowedContexts: ["agents", "elsewhere"]);

        var report = await CheckAsync(sim, ledger: false, needs: needs);

        var context = report.Checks.Single(c => c.Check == "dialplan nosuch,100,1");
        Assert.Equal((CheckLevel.Fail, true), (context.Level, context.Blocking));
        Assert.Equal("Asterisk says: Did not find context nosuch (used by campaign 'a' destination)", context.Detail);
        Assert.Equal("Asterisk says: Did not find extension abc@ivr (used by campaign 'b' destination)", Detail(report, "dialplan ivr,abc,1"));
        Assert.Equal("100@agents has no priority 7 (used by campaign 'c' destination)", Detail(report, "dialplan agents,100,7"));
        Assert.Equal(CheckLevel.Fail, Level(report, "dialplan gone"));
        Assert.Equal(CheckLevel.Ok, Level(report, "dialplan pstn"));
        Assert.Equal(CheckLevel.Warn, Level(report, "dialplan elsewhere"));
        Assert.Equal(4, report.BlockingFailures.Count());
    }

    [Fact]
    public async Task Ledger_true_on_a_pbx_without_it_fails_blocking_with_how_to_install()
    {
        await using var sim = await StartAsync(new SimulatorOptions());

        var report = await CheckAsync(sim, ledger: true, needs: DoctorNeeds.From([Reminders]));

        var ledger = report.Checks.Single(c => c.Check == "ledger");
        Assert.Equal((CheckLevel.Fail, true), (ledger.Level, ledger.Blocking));
        Assert.Contains("Ami:Servers:0:Ledger is true but the ledger dialplan not installed", ledger.Detail, StringComparison.Ordinal);
        Assert.Contains("amidialer pbx install-ledger", ledger.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "but not used")]
    [InlineData(false, "not configured")]
    public async Task Ledger_false_is_a_warning_whether_the_pbx_has_it_or_not(bool installed, string expected)
    {
        await using var sim = await StartAsync(new SimulatorOptions { LedgerInstalled = installed });

        var report = await CheckAsync(sim, ledger: false, needs: DoctorNeeds.From([Reminders]));

        var ledger = report.Checks.Single(c => c.Check == "ledger");
        Assert.Equal(CheckLevel.Warn, ledger.Level);
        Assert.Contains(expected, ledger.Detail, StringComparison.Ordinal);
        Assert.Contains("Ami:Servers:0:Ledger", ledger.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_technology_the_pbx_has_not_loaded_fails()
    {
        await using var sim = await StartAsync(new SimulatorOptions { Technologies = ["Local"] });

        var report = await CheckAsync(sim, ledger: false, needs: DoctorNeeds.From([Reminders with { DialTemplate = "PJSIP/{number}@trunk" }]));

        var pjsip = report.Checks.Single(c => c.Check == "channel PJSIP");
        Assert.Equal(CheckLevel.Fail, pjsip.Level);
        Assert.Contains("chan_pjsip", pjsip.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pbx_clock_5_s_ahead_is_a_warning_and_a_close_one_is_ok()
    {
        await using var ahead = await StartAsync(new SimulatorOptions { TimeProvider = new ShiftedTimeProvider(DateTimeOffset.UtcNow.AddSeconds(5)) });
        await using var close = await StartAsync(new SimulatorOptions());

        var skewed = await CheckAsync(ahead, ledger: false, needs: DoctorNeeds.From([]));
        var fine = await CheckAsync(close, ledger: false, needs: DoctorNeeds.From([]));

        Assert.Equal(CheckLevel.Warn, Level(skewed, "clock"));
        Assert.Matches("^Asterisk's clock is [45]\\.[0-9] s ahead of this host's$", Detail(skewed, "clock"));
        Assert.Equal(CheckLevel.Ok, Level(fine, "clock"));
    }

    private static CheckLevel Level(ServerCheckReport report, string check) => report.Checks.Single(c => c.Check == check).Level;

    private static string Detail(ServerCheckReport report, string check) => report.Checks.Single(c => c.Check == check).Detail;

    private static Task<AmiSimulator> StartAsync(SimulatorOptions options) => AmiSimulator.StartAsync(options);

    private static Task<ServerCheckReport> CheckAsync(AmiSimulator sim, bool ledger, DoctorNeeds needs, string user = "dialer", string secret = "dialerpass", bool plain = false) =>
        CheckAsync(sim.Port, ledger, needs, user, secret, plain);

    private static async Task<ServerCheckReport> CheckAsync(int port, bool ledger, DoctorNeeds needs, string user = "dialer", string secret = "dialerpass", bool plain = false)
    {
        var config = new AmiServerConfig("pbx1", new AmiClientOptions
        {
            Host = "127.0.0.1", Port = port, Username = user, Secret = secret, Auth = plain ? AmiAuthMethod.Plain : AmiAuthMethod.Md5,
        }, 10) { Ledger = ledger };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await ServerDoctor.CheckAsync(new ServerToCheck(config, "Ami:Servers:0"), needs, new DoctorOptions(), TimeProvider.System, cts.Token);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
