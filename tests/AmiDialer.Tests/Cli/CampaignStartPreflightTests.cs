using System.Globalization;
using AmiDialer.Cli;
using AmiDialer.Simulator;

namespace AmiDialer.Tests.Cli;

/// <summary><c>campaign start</c> runs the doctor's checks for the campaign first and refuses on a blocking failure unless <c>--force</c>.</summary>
public sealed class CampaignStartPreflightTests
{
    [Fact]
    public async Task With_no_server_answering_the_start_is_refused_saying_so_and_force_starts_it()
    {
        using var runner = new CliRunner();
        var config = DoctorCommandTests.Config(runner, FreePort());
        Assert.Equal(0, (await runner.Db("campaign", "create", "spring", "--config", config)).Code);

        var refused = await runner.Db("campaign", "start", "spring", "--config", config);

        Assert.True(refused.Code == AmiDialerCli.Failure, refused.ToString());
        Assert.Contains("Campaign 'spring' was not started: the pre-flight check found what would make its calls fail:", refused.Error, StringComparison.Ordinal);
        Assert.Contains("  no AMI server can be logged in to, so nothing would be dialed", refused.Error, StringComparison.Ordinal);
        Assert.Matches(@"  pbx1 reachable: cannot connect to 127\.0\.0\.1:[0-9]+", refused.Error);
        Assert.Contains("'amidialer campaign start spring --force' starts it anyway", refused.Error, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^spring\s+draft", (await runner.Db("campaign", "list", "--config", config)).Output);

        var forced = await runner.Db("campaign", "start", "spring", "--force", "--config", config);
        Assert.True(forced.Code == 0, forced.ToString());
        Assert.Contains("now running", forced.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_destination_or_a_refused_login_refuses_and_a_healthy_pbx_starts_it()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { LoginFailureDelay = TimeSpan.FromMilliseconds(20) });
        using var runner = new CliRunner();
        var config = DoctorCommandTests.Config(runner, sim.Port);
        Assert.Equal(0, (await runner.Db("campaign", "create", "sales-push", "--dial", "Local/{number}@pstn", "--destination", "sales,100,1", "--config", config)).Code);
        Assert.Equal(0, (await runner.Db("campaign", "create", "reminders", "--dial", "Local/{number}@pstn", "--destination", "agents,100,1", "--config", config)).Code);

        var missing = await runner.Db("campaign", "start", "sales-push", "--config", config);
        Assert.Equal(AmiDialerCli.Failure, missing.Code);
        Assert.Contains("  pbx1 dialplan sales,100,1: Asterisk says: Did not find context sales (used by campaign 'sales-push' destination)", missing.Error, StringComparison.Ordinal);

        var wrongSecret = DoctorCommandTests.Config(runner, sim.Port, secret: "not-it");
        var login = await runner.Db("campaign", "start", "reminders", "--config", wrongSecret);
        Assert.Equal(AmiDialerCli.Failure, login.Code);
        Assert.Contains("  pbx1 login: Asterisk refused user 'dialer' (MD5 challenge)", login.Error, StringComparison.Ordinal);

        var started = await runner.Db("campaign", "start", "reminders", "--config", config);
        Assert.True(started.Code == 0, started.ToString());
        Assert.Contains("Campaign 'reminders' is now running.", started.Output, StringComparison.Ordinal);
        Assert.Empty(sim.ActionsNamed("Originate"));
    }

    [Fact]
    public async Task A_user_without_originate_or_a_missing_ledger_refuses()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { Users = [.. SimulatorUser.TestPbxUsers, SimulatorUser.Limited] });
        using var runner = new CliRunner();
        var limited = DoctorCommandTests.Config(runner, sim.Port, secret: "limitedpass", user: "limited");
        Assert.Equal(0, (await runner.Db("campaign", "create", "reminders", "--dial", "Local/{number}@pstn", "--config", limited)).Code);

        var noOriginate = await runner.Db("campaign", "start", "reminders", "--config", limited);
        Assert.Equal(AmiDialerCli.Failure, noOriginate.Code);
        Assert.Contains("  pbx1 write Originate: user 'limited' may not run Originate, which places every call (fix: add originate to write = in manager.conf [limited]", noOriginate.Error, StringComparison.Ordinal);

        var noLedger = await runner.Db("campaign", "start", "reminders", "--config", DoctorCommandTests.Config(runner, sim.Port, ledger: true));
        Assert.Equal(AmiDialerCli.Failure, noLedger.Code);
        Assert.Contains("  pbx1 ledger: Ami:Servers:0:Ledger is true but the ledger dialplan not installed", noLedger.Error, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
