using System.Globalization;
using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Simulator;

namespace AmiDialer.Tests.Cli;

/// <summary>
/// <c>amidialer agents</c> and <c>agents pause|unpause</c> against a simulator started here (its queue <c>sales</c>:
/// Agent 201 and Agent 202), and the doctor's checks of a queue campaign.
/// </summary>
public sealed class AgentsCommandTests
{
    private static string Config(CliRunner runner, int port) =>
        runner.File($"agents-{Guid.NewGuid():N}.json", "{ \"Ami\": { \"Servers\": [ { \"Name\": \"pbx1\", \"Host\": \"127.0.0.1\", \"Port\": " + port.ToString(CultureInfo.InvariantCulture)
            + ", \"Username\": \"dialer\", \"Secret\": \"dialerpass\" } ] }, \"Dialing\": { \"AllowedContexts\": [ \"queue\", \"agents\" ] } }");

    [Fact]
    public async Task Agents_prints_the_queue_and_pause_with_a_reason_shows_in_it_until_unpaused()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions());
        using var runner = new CliRunner();
        var config = Config(runner, sim.Port);

        var listed = await runner.Db("agents", "--config", config);
        Assert.True(listed.Code == AmiDialerCli.Success, listed.ToString());
        Assert.Contains("Queue sales on pbx1: 2 logged in, 0 paused, 0 talking, 2 free, 0 waiting; utilisation 0%", listed.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Agent 201\s+Local/201@agentphone\s+free\s", listed.Output);

        var paused = await runner.Db("agents", "pause", "Local/202@agentphone", "--queue", "sales", "--reason", "lunch", "--config", config);
        Assert.True(paused.Code == AmiDialerCli.Success, paused.ToString());
        Assert.Contains("Local/202@agentphone is paused in sales.", paused.Output, StringComparison.Ordinal);

        var json = await runner.Db("agents", "--queue", "sales", "--format", "json", "--config", config);
        var queue = JsonDocument.Parse(json.Output).RootElement.GetProperty("servers")[0].GetProperty("queues")[0];
        var agent = queue.GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("interface").GetString() == "Local/202@agentphone");
        Assert.Equal(("paused", "lunch"), (agent.GetProperty("state").GetString(), agent.GetProperty("pausedReason").GetString()));
        Assert.Matches(@"(?m)^Agent 202\s+Local/202@agentphone\s+paused\s+lunch\s", (await runner.Db("agents", "--config", config)).Output);

        Assert.Equal(AmiDialerCli.Success, (await runner.Db("agents", "unpause", "Local/202@agentphone", "--config", config)).Code);
        Assert.Matches(@"(?m)^Agent 202\s+Local/202@agentphone\s+free\s", (await runner.Db("agents", "--config", config)).Output);
        Assert.Equal(["true", "false"], sim.ActionsNamed("QueuePause").Select(a => a.Message.Get("Paused")));
    }

    [Fact]
    public async Task Pausing_a_non_member_fails_with_asterisks_reason_and_a_bad_queue_name_is_bad_usage()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions());
        using var runner = new CliRunner();
        var config = Config(runner, sim.Port);

        var unknown = await runner.Db("agents", "pause", "Local/299@agentphone", "--queue", "sales", "--config", config);
        Assert.Equal(AmiDialerCli.Failure, unknown.Code);
        Assert.Contains("Asterisk refused to pause Local/299@agentphone in sales: Interface not found.", unknown.Error, StringComparison.Ordinal);

        var bad = await runner.Db("agents", "--queue", "sales\r\nAction: Hangup", "--config", config);
        Assert.Equal(AmiDialerCli.Usage, bad.Code);
        Assert.Contains("--queue", bad.Error, StringComparison.Ordinal);
        Assert.Empty(sim.ActionsNamed("QueueStatus"));
    }

    [Fact]
    public async Task The_doctor_checks_a_queue_campaigns_queue_and_that_its_destination_runs_it()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions());
        using var runner = new CliRunner();
        var config = Config(runner, sim.Port);
        Assert.Equal(0, (await runner.Db("campaign", "create", "queued", "--dial", "Local/{number}@pstn", "--destination", "queue,sales,1", "--queue", "sales", "--pacing", "progressive", "--config", config)).Code);

        var healthy = await runner.Db("doctor", "--config", config);
        Assert.Matches(@"(?m)^queue sales\s+OK\s+exists with 2 member\(s\) \(used by campaign 'queued'\)", healthy.Output);
        Assert.Matches(@"(?m)^queue sales at queue,sales,1\s+OK\s+the destination runs Queue\(sales\)", healthy.Output);
        Assert.Matches(@"(?m)^write QueuePause\s+(OK|WARN)", healthy.Output);
        Assert.Matches(@"(?m)^read agent\s+(OK|WARN)", healthy.Output);

        // The same destination for a queue it does not run, which does not exist either: both blocking.
        Assert.Equal(0, (await runner.Db("campaign", "update", "queued", "--queue", "support", "--config", config)).Code);
        var wrong = await runner.Db("doctor", "--config", config);
        Assert.Equal(AmiDialerCli.Failure, wrong.Code);
        Assert.Matches(@"(?m)^queue support\s+FAIL\s+no queue 'support' on this server", wrong.Output);
        Assert.Matches(@"(?m)^queue support at queue,sales,1\s+FAIL\s+the destination runs Queue\(sales\), not Queue\(support\)", wrong.Output);
    }
}
