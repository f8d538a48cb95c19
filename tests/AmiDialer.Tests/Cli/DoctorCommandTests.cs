using System.Globalization;
using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Simulator;
using AmiDialer.Tests.Executable;

namespace AmiDialer.Tests.Cli;

/// <summary><c>amidialer doctor</c> against a simulator started here: in process for its output, and as the real executable for its exit codes.</summary>
public sealed class DoctorCommandTests
{
    /// <summary>A settings file naming one server on <paramref name="port"/>.</summary>
    internal static string Config(CliRunner runner, int port, string secret = "dialerpass", bool ledger = false, string user = "dialer") =>
        runner.File($"doctor-{Guid.NewGuid():N}.json", "{ \"Ami\": { \"Servers\": [ { \"Name\": \"pbx1\", \"Host\": \"127.0.0.1\", \"Port\": " + port.ToString(CultureInfo.InvariantCulture)
            + $", \"Username\": \"{user}\", \"Secret\": \"{secret}\", \"Ledger\": {(ledger ? "true" : "false")} }} ] }},"
            + " \"Dialing\": { \"AllowedContexts\": [ \"agents\", \"ivr\", \"outbound\", \"sales\" ], \"ClickToCall\": { \"AllowedAgents\": [ \"Local/1??@agentphone\" ] } } }");

    [Fact]
    public async Task A_healthy_server_prints_a_table_per_server_and_exits_0()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { LedgerInstalled = true });
        using var runner = new CliRunner();
        var config = Config(runner, sim.Port, ledger: true);
        Assert.Equal(0, (await runner.Db("campaign", "create", "reminders", "--dial", "Local/{number}@pstn", "--destination", "agents,100,1", "--config", config)).Code);

        var result = await runner.Db("doctor", "--config", config);

        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Contains($"pbx1 (127.0.0.1:{sim.Port}): WARN", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^login\s+OK\s+logged in as dialer \(MD5 challenge\)", result.Output);
        Assert.Matches(@"(?m)^dialplan agents,100,1\s+OK\s+exists \(used by campaign 'reminders' destination\)", result.Output);
        Assert.Matches(@"(?m)^ledger\s+OK\s+ledger dialplan version 1 installed", result.Output);
        Assert.Matches(@"(?m)^read call\s+WARN\s+unverified", result.Output);
        Assert.Contains("No check FAILs; 1 server(s) have warnings.", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("dialerpass", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_destination_context_fails_and_json_carries_the_same_checks()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions());
        using var runner = new CliRunner();
        var config = Config(runner, sim.Port);
        Assert.Equal(0, (await runner.Db("campaign", "create", "sales-push", "--dial", "Local/{number}@pstn", "--destination", "sales,100,1", "--config", config)).Code);

        var table = await runner.Db("doctor", "--config", config);
        var json = await runner.Db("doctor", "--config", config, "--format", "json");

        Assert.True(table.Code == AmiDialerCli.Failure, table.ToString());
        Assert.Matches(@"(?m)^dialplan sales,100,1\s+FAIL\s+Asterisk says: Did not find context sales \(used by campaign 'sales-push' destination\)\s+add it to extensions.conf", table.Output);
        Assert.Contains("1 of 1 server(s) FAIL a check", table.Output, StringComparison.Ordinal);
        Assert.Equal(AmiDialerCli.Failure, json.Code);
        using var doc = JsonDocument.Parse(json.Output);
        Assert.False(doc.RootElement.GetProperty("ok").GetBoolean());
        var server = doc.RootElement.GetProperty("servers").EnumerateArray().Single();
        Assert.Equal(("pbx1", "FAIL"), (server.GetProperty("name").GetString(), server.GetProperty("result").GetString()));
        var check = server.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("check").GetString() == "dialplan sales,100,1");
        Assert.Equal("FAIL", check.GetProperty("result").GetString());
        Assert.True(check.GetProperty("blocking").GetBoolean());
        Assert.StartsWith("add it to extensions.conf", check.GetProperty("fix").GetString(), StringComparison.Ordinal);
        var ledger = server.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("check").GetString() == "ledger");
        Assert.Equal("WARN", ledger.GetProperty("result").GetString());
    }

    [Fact]
    public async Task An_unknown_server_name_is_bad_usage_naming_the_configured_ones()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions());
        using var runner = new CliRunner();

        var result = await runner.Db("doctor", "--server", "pbx9", "--config", Config(runner, sim.Port));

        Assert.Equal(AmiDialerCli.Usage, result.Code);
        Assert.Contains("--server: no AMI server named 'pbx9'; configured: pbx1.", result.Error, StringComparison.Ordinal);
        Assert.Empty(sim.ActionsNamed("Login"));
    }

    [Fact]
    public async Task The_executable_exits_0_for_a_healthy_server_and_1_for_a_wrong_secret_a_read_only_user_a_missing_ledger_or_a_server_down()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { LoginFailureDelay = TimeSpan.FromMilliseconds(20) });
        await using var ledgerSim = await AmiSimulator.StartAsync(new SimulatorOptions { LedgerInstalled = true });
        using var runner = new CliRunner();
        var db = runner.DatabasePath;
        async Task<CliResult> Doctor(int port, string secret = "dialerpass", bool ledger = false, string user = "dialer") =>
            await AmiDialerProcess.RunAsync(runner.Folder, AmiDialerProcess.CommandLimit, "doctor", "--db", db, "--config", Config(runner, port, secret, ledger, user), "--format", "json");

        var healthy = await Doctor(ledgerSim.Port, ledger: true);
        Assert.True(healthy.Code == 0, healthy.ToString());
        using (var doc = JsonDocument.Parse(healthy.Output))
        {
            Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
        }

        var wrongSecret = await Doctor(sim.Port, secret: "not-it");
        Assert.True(wrongSecret.Code == 1, wrongSecret.ToString());
        Assert.Contains("Authentication failed", wrongSecret.Output, StringComparison.Ordinal);

        var readOnly = await Doctor(sim.Port, secret: "ro", user: "readonly");
        Assert.True(readOnly.Code == 1, readOnly.ToString());
        Assert.Contains("add originate to write = in manager.conf [readonly]", readOnly.Output, StringComparison.Ordinal);

        var noLedger = await Doctor(sim.Port, ledger: true);
        Assert.True(noLedger.Code == 1, noLedger.ToString());
        Assert.Contains("Ami:Servers:0:Ledger is true but the ledger dialplan not installed", noLedger.Output, StringComparison.Ordinal);

        var port = sim.Port;
        await sim.DisposeAsync();
        var down = await Doctor(port);
        Assert.True(down.Code == 1, down.ToString());
        Assert.Contains($"cannot connect to 127.0.0.1:{port}", down.Output, StringComparison.Ordinal);
    }
}
