using System.Text.Json;
using AmiDialer.Ami;
using AmiDialer.Cli;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine;
using AmiDialer.Engine.CallControl;
using AmiDialer.Engine.Live;
using AmiDialer.Hosting;
using AmiDialer.Simulator;

namespace AmiDialer.Tests.Cli;

/// <summary><c>call</c> and <c>transfer</c>, run in process against the built-in simulator and a simulator started here.</summary>
public sealed class CallCommandTests
{
    private const string Agent = "Local/101@agentphone";

    private static CliRunner Runner() => new() { ServicesOptions = new AppServicesOptions { SimulatorTimeScale = 100 } };

    private static string Config(CliRunner runner, int? amiPort = null)
    {
        var ami = amiPort is { } port
            ? "\"Ami\": { \"Servers\": [ { \"Name\": \"pbx1\", \"Host\": \"127.0.0.1\", \"Port\": " + port.ToString(System.Globalization.CultureInfo.InvariantCulture)
              + ", \"Username\": \"dialer\", \"Secret\": \"dialerpass\" } ] },"
            : "";
        return runner.File("call.json", "{ " + ami
            + " \"Dialing\": { \"AllowedContexts\": [ \"agents\", \"ivr\", \"outbound\" ], \"ClickToCall\": { \"RespectCallingHours\": false, \"AllowedAgents\": [ \"Local/1??@agentphone\" ] } } }");
    }

    [Fact]
    public async Task Call_prints_the_attempt_id_at_once_and_the_outcome_as_the_last_json_line()
    {
        using var runner = Runner();
        var result = await runner.Db("call", "4158137440", "--agent", Agent, "--format", "json", "--simulate", "--config", Config(runner));
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        using var last = JsonDocument.Parse(lines[^1]);
        var id = first.RootElement.GetProperty("id").GetInt64();
        Assert.Equal("dialing", first.RootElement.GetProperty("state").GetString());
        Assert.Equal("+14158137440", first.RootElement.GetProperty("number").GetString());
        Assert.Equal(id, last.RootElement.GetProperty("id").GetInt64());
        Assert.Equal("answered", last.RootElement.GetProperty("outcome").GetString());

        // The attempt is in the store, in the built-in click-to-call campaign.
        var database = await AmiDialerDatabase.OpenAsync(runner.DatabasePath);
        var attempt = await new AttemptRepository(database).GetAsync(id);
        Assert.Equal(CallOutcome.Answered, attempt!.Outcome);
        Assert.Equal("click-to-call", (await new CampaignRepository(database, TimeProvider.System).GetAsync(attempt.CampaignId))!.Name);
    }

    [Fact]
    public async Task Call_to_a_busy_number_says_so_in_text_and_exits_1()
    {
        using var runner = Runner();
        var result = await runner.Db("call", "4158137442", "--agent", Agent, "--simulate", "--config", Config(runner));
        Assert.Equal(AmiDialerCli.Failure, result.Code);
        Assert.Matches(@"^Call \d+ started: ringing Local/101@agentphone, then \+14158137442 via outbound,4158137442,1", result.Output);
        Assert.Matches(@"Call \d+ ended: busy\.", result.Output);
    }

    [Fact]
    public async Task Call_with_an_agent_that_is_not_allowed_is_refused_with_the_config_key_named()
    {
        using var runner = Runner();
        var result = await runner.Db("call", "4158137440", "--agent", "PJSIP/999", "--simulate", "--config", Config(runner));
        Assert.Equal(AmiDialerCli.Failure, result.Code);
        Assert.Contains("Dialing:ClickToCall:AllowedAgents", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Theory]
    [InlineData("ivr")]
    [InlineData("ivr,s,x")]
    [InlineData("ivr,,1")]
    public async Task Transfer_with_a_malformed_destination_is_bad_usage(string destination)
    {
        using var runner = Runner();
        var result = await runner.Db("transfer", "1", "--destination", destination);
        Assert.Equal(AmiDialerCli.Usage, result.Code);
        Assert.Contains("--destination", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transfer_moves_a_live_call_dialed_by_another_engine_and_refuses_it_once_ended()
    {
        await using var simulator = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 2 });
        using var runner = Runner();
        var config = Config(runner, simulator.Port);
        await using var engine = new DialerEngine(new DialerEngineOptions
        {
            DatabasePath = runner.DatabasePath,
            Servers = [new AmiServerConfig("pbx1", new AmiClientOptions { Host = "127.0.0.1", Port = simulator.Port, Username = "dialer", Secret = "dialerpass" }, 10)],
            SettleTime = TimeSpan.FromMilliseconds(100),
            PollInterval = TimeSpan.FromMilliseconds(20),
        });
        await engine.StartAsync(useScheduler: false);
        await engine.WaitForServersAsync();
        var database = await AmiDialerDatabase.OpenAsync(runner.DatabasePath);
        var campaign = await new CampaignRepository(database, TimeProvider.System).CreateAsync(new Campaign
        {
            Name = "long",
            DialTemplate = "Local/{national}@pstn",
            CallingHours = DailyWindow.AllDay,
            RingTimeout = TimeSpan.FromSeconds(15),
        }, "test");
        using (var csv = new MemoryStream("phone\n+14158137447\n"u8.ToArray()))
        {
            await new CsvLeadImporter(database, TimeProvider.System).ImportAsync(csv, "leads.csv", new CsvImportOptions { CampaignId = campaign.Id, ValidationWorkers = 1 });
        }

        using var feed = engine.Subscribe();
        var run = engine.RunCampaignAsync(campaign.Id);
        long id = 0;
        await foreach (var change in feed.Reader.ReadAllAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token))
        {
            if (change.Kind == EngineChangeKind.CallStarted)
            {
                id = change.AttemptId!.Value;
                break;
            }
        }

        // Answered at once, then a 4.75 s conversation (9.5 s at time scale 2): the CLI has time to move it.
        while (await engine.CallControl.GetCallAsync(id) is not { AnsweredAt: not null, Channel: not null })
        {
            await Task.Delay(10);
        }

        var refused = await runner.Db("transfer", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--destination", "pstn,s,1", "--config", config);
        Assert.Equal(AmiDialerCli.Failure, refused.Code);
        Assert.Contains("not in the allowed contexts", refused.Error, StringComparison.Ordinal);

        var moved = await runner.Db("transfer", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--destination", "ivr,s,1", "--config", config);
        Assert.True(moved.Code == AmiDialerCli.Success, moved.ToString());
        Assert.Contains($"Attempt {id} transferred: Local/4158137447@pstn-", moved.Output, StringComparison.Ordinal);
        var redirect = Assert.Single(simulator.ActionsNamed("Redirect"));
        Assert.Equal("ivr", redirect["Context"]);
        Assert.EndsWith(";1", redirect["Channel"], StringComparison.Ordinal);

        // The engine that dialed it still ends it from the events that follow the Redirect (ivr hangs up after 1 s here).
        var ended = await engine.CallControl.WaitForEndAsync(id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.True(ended.TalkSeconds < 4, $"talk {ended.TalkSeconds} s: the ivr should have ended it before the 4.75 s conversation");
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        var late = await runner.Db("transfer", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--destination", "ivr,s,1", "--config", config);
        Assert.Equal(AmiDialerCli.Failure, late.Code);
        Assert.Contains("has ended (answered", late.Error, StringComparison.Ordinal);
        var unknown = await runner.Db("transfer", "999999", "--destination", "ivr,s,1", "--config", config);
        Assert.Equal(AmiDialerCli.Failure, unknown.Code);
        Assert.Contains("No attempt with id 999999", unknown.Error, StringComparison.Ordinal);
        Assert.Single(simulator.ActionsNamed("Redirect"));
    }

    [Fact]
    public async Task Transfer_of_a_click_to_call_from_another_process_is_refused_rather_than_moving_the_agents_phone()
    {
        await using var simulator = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 1 });
        using var runner = Runner();
        var config = Config(runner, simulator.Port);
        await using var engine = new DialerEngine(new DialerEngineOptions
        {
            DatabasePath = runner.DatabasePath,
            Servers = [new AmiServerConfig("pbx1", new AmiClientOptions { Host = "127.0.0.1", Port = simulator.Port, Username = "dialer", Secret = "dialerpass" }, 10)],
            SettleTime = TimeSpan.FromMilliseconds(100),
            PollInterval = TimeSpan.FromMilliseconds(20),
            CallControl = new CallControlOptions { ClickToCall = new ClickToCallOptions { RespectCallingHours = false, AllowedAgents = ["Local/1??@agentphone"] } },
        });
        await engine.StartAsync(useScheduler: false);
        await engine.WaitForServersAsync();
        var started = await engine.CallControl.StartClickToCallAsync(new ClickToCallRequest("4158137447", Agent));

        var refused = await runner.Db("transfer", started.AttemptId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--destination", "ivr,s,1", "--config", config);

        Assert.Equal(AmiDialerCli.Failure, refused.Code);
        Assert.Contains("is a click-to-call", refused.Error, StringComparison.Ordinal);
        Assert.Contains($"/api/calls/{started.AttemptId}/transfer", refused.Error, StringComparison.Ordinal);
        Assert.Empty(simulator.ActionsNamed("Redirect"));
        await engine.CallControl.WaitForEndAsync(started.AttemptId).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
