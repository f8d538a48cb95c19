using AmiDialer.Ami;
using AmiDialer.Simulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AmiDialer.Simulator.Tests;

/// <summary>
/// The simulator's queues in virtual time (FakeTimeProvider, PBX seconds at time scale 1), where app_queue's numbers
/// are exact: QUEUES.md's units (RingTime in s and in ms, HoldTime and TalkTime in s), the correlation by the
/// originated ;1 Uniqueid, abandons, a member who does not answer, the agent event class, and the call-centre knobs.
/// </summary>
public sealed class QueueTests
{
    private static readonly OutcomeRules Lab = new([new("7$", SimulatedOutcome.Answered, 0, 600, "long"), .. OutcomeRules.TestPbx().Rules]);

    private static Task OriginateIntoQueue(RawAmiConnection c, string number, string id, string queue = "sales") =>
        c.SendActionAsync("Originate", ("Channel", $"Local/{number}@pstn"), ("Context", "queue"), ("Exten", queue), ("Priority", "1"), ("Async", "true"),
            ("CallerID", "\"Campaign 7\" <5551234>"), ("Variable", "CAMPAIGN=7"), ("ActionID", id));

    private static async Task<FakeTimeProvider> StepAsync(FakeTimeProvider time, RawAmiConnection c, double seconds)
    {
        // One second at a time, so every timer due on the way fires at its own time; then let the events arrive.
        for (var i = 0; i < (int)Math.Ceiling(seconds); i++)
        {
            time.Advance(TimeSpan.FromSeconds(Math.Min(1, seconds - i)));
            await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(20));
        }

        return time;
    }

    [Fact]
    public async Task An_answered_callee_joins_and_a_free_agent_takes_it_with_the_recorded_units_and_one_Uniqueid()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeProvider = time, Outcomes = Lab });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await OriginateIntoQueue(c, "5550001", "q");
        await c.ReadUntilAsync(m => m.IsEventNamed("DialState"));
        await StepAsync(time, c, 2); // pstn d1 rings 2 s

        var answered = await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
        var join = await c.ReadUntilAsync(m => m.IsEventNamed("QueueCallerJoin"));
        var called = await c.ReadUntilAsync(m => m.IsEventNamed("AgentCalled"));
        var connect = await c.ReadUntilAsync(m => m.IsEventNamed("AgentConnect"));
        Assert.Equal(("Success", 4), (answered.Response, answered.Reason));
        Assert.All(new[] { join, called, connect }, m => Assert.Equal((answered.Channel, answered.Uniqueid), (m.Channel, m.Uniqueid)));
        Assert.Equal(("sales", "1", "1"), (join["Queue"], join["Position"], join["Count"]));
        Assert.Equal(("Agent 201", "Local/201@agentphone"), (connect["MemberName"], connect["Interface"]));
        Assert.StartsWith("Local/201@agentphone-", connect["DestChannel"], StringComparison.Ordinal);
        Assert.Equal(("0", "0"), (connect["HoldTime"], connect["RingTime"]));
        // The agent's pair carries the call's Linkedid: the originated ;1 Uniqueid.
        Assert.Equal(answered.Uniqueid, connect["DestLinkedid"]);
        Assert.Equal(4, sim.LiveChannels);

        var status = await QueueStatusAsync(c, "s1");
        Assert.Equal(("2", "1"), (status.Members["Agent 201"]["Status"], status.Members["Agent 201"]["InCall"]));
        Assert.Equal(("1", "0"), (status.Members["Agent 202"]["Status"], status.Members["Agent 202"]["InCall"]));

        await StepAsync(time, c, 5); // the callee talks 5 s, then hangs up
        var complete = await c.ReadUntilAsync(m => m.IsEventNamed("AgentComplete"));
        Assert.Equal(("0", "5", "caller"), (complete["HoldTime"], complete["TalkTime"], complete["Reason"]));
        var free = await c.ReadUntilAsync(m => m.IsEventNamed("QueueMemberStatus") && m["Status"] == "1");
        Assert.Equal(("Agent 201", "1", "0"), (free["MemberName"], free["CallsTaken"], free["InCall"]));
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), free["LastCall"]);
        Assert.Equal(0, sim.LiveChannels);

        var after = await QueueStatusAsync(c, "s2");
        Assert.Equal(("1", "5", "0", "100.0"), (after.Params["Completed"], after.Params["TalkTime"], after.Params["Calls"], after.Params["ServicelevelPerf"]));
    }

    [Fact]
    public async Task With_every_agent_paused_the_callee_waits_and_abandons_and_QueueSummary_counts_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeProvider = time, Outcomes = Lab });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("QueuePause", ("Queue", "sales"), ("Interface", "Local/201@agentphone"), ("Paused", "true"), ("Reason", "lunch"), ("ActionID", "p1"));
        await c.SendActionAsync("QueuePause", ("Interface", "Local/202@agentphone"), ("Paused", "true"), ("ActionID", "p2"));
        var avail = await c.ReadUntilAsync(m => m.IsEventNamed("DeviceStateChange") && m["Device"] == "Queue:sales_avail");
        Assert.Equal("INUSE", avail["State"]);

        await OriginateIntoQueue(c, "5550007", "q"); // answers at once and would stay 600 s
        await c.ReadUntilAsync(m => m.IsEventNamed("QueueCallerJoin"));
        await StepAsync(time, c, 2);
        var summary = await SummaryAsync(c, "sum");
        Assert.Equal(("2", "0", "1", "2"), (summary["LoggedIn"], summary["Available"], summary["Callers"], summary["LongestHoldTime"]));
        var status = await QueueStatusAsync(c, "s");
        Assert.Equal(("1", "2"), (status.Entries.Single()["Position"], status.Entries.Single()["Wait"]));
        Assert.Equal(("1", "lunch"), (status.Members["Agent 201"]["Paused"], status.Members["Agent 201"]["PausedReason"]));

        var callee = c.Received.First(m => m.IsEventNamed("Newchannel") && m.Channel!.EndsWith(";2", StringComparison.Ordinal)).Channel!;
        await StepAsync(time, c, 1);
        await c.SendActionAsync("Hangup", ("Channel", callee), ("ActionID", "h"));
        var abandon = await c.ReadUntilAsync(m => m.IsEventNamed("QueueCallerAbandon"));
        Assert.Equal(("3", "1", "1"), (abandon["HoldTime"], abandon["Position"], abandon["OriginalPosition"]));
        Assert.Equal("0", (await c.ReadUntilAsync(m => m.IsEventNamed("QueueCallerLeave")))["Count"]);
        Assert.DoesNotContain(c.Received, m => m.IsEventNamed("AgentCalled"));
        Assert.Equal("1", (await QueueStatusAsync(c, "s2")).Params["Abandoned"]);
    }

    [Fact]
    public async Task A_member_who_does_not_answer_rings_for_the_timeout_then_the_queue_retries_and_another_takes_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeProvider = time, Outcomes = Lab });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("QueuePause", ("Interface", "Local/201@agentphone"), ("Paused", "true"), ("ActionID", "p1"));
        await c.SendActionAsync("QueuePause", ("Interface", "Local/202@agentphone"), ("Paused", "true"), ("ActionID", "p2"));
        await c.SendActionAsync("QueueAdd", ("Queue", "sales"), ("Interface", "Local/299@agentphone"), ("MemberName", "Agent 299"), ("ActionID", "a"));
        await c.ReadUntilAsync(m => m.IsEventNamed("QueueMemberAdded"));

        await OriginateIntoQueue(c, "5550007", "q");
        var first = await c.ReadUntilAsync(m => m.IsEventNamed("AgentCalled"));
        Assert.Equal("Agent 299", first["MemberName"]);
        var ringing = await c.ReadUntilAsync(m => m.IsEventNamed("QueueMemberStatus"));
        Assert.Equal(("2", "0"), (ringing["Status"], ringing["InCall"])); // a ringing Local member reads INUSE, not in call

        await StepAsync(time, c, 15);
        var noAnswer = await c.ReadUntilAsync(m => m.IsEventNamed("AgentRingNoAnswer"));
        Assert.Equal("15000", noAnswer["RingTime"]); // milliseconds here, unlike AgentConnect's seconds
        Assert.Equal(first["DestChannel"], noAnswer["DestChannel"]);
        await c.SendActionAsync("QueuePause", ("Queue", "sales"), ("Interface", "Local/201@agentphone"), ("Paused", "false"), ("ActionID", "u"));
        await c.ReadUntilAsync(m => m.IsEventNamed("QueueMemberPause") && m["Paused"] == "0");
        Assert.DoesNotContain(c.Received, m => m.IsEventNamed("AgentCalled") && m != first); // the retry pause (1 s) runs

        await StepAsync(time, c, 1);
        var second = await c.ReadUntilAsync(m => m.IsEventNamed("AgentCalled"));
        Assert.Equal("Agent 201", second["MemberName"]);
        Assert.NotEqual(first["DestChannel"], second["DestChannel"]); // a new Local pair per ring
        var connect = await c.ReadUntilAsync(m => m.IsEventNamed("AgentConnect"));
        Assert.Equal(("16", "0"), (connect["HoldTime"], connect["RingTime"]));
        Assert.Equal(first["Uniqueid"], connect["Uniqueid"]);
    }

    [Fact]
    public async Task Queue_events_reach_only_sessions_whose_events_include_the_agent_class()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 50, Outcomes = Lab });
        await using var call = await RawAmiConnection.LoginAsync(sim.EndPoint, events: "call");
        await using var agent = await RawAmiConnection.LoginAsync(sim.EndPoint, events: "call,agent");
        await OriginateIntoQueue(agent, "5550006", "q"); // answers at once, 1 s of talk, connected to a free agent
        await agent.ReadUntilAsync(m => m.IsEventNamed("AgentComplete"));
        await call.ReadUntilAsync(m => m.IsEventNamed("Hangup") && m.Channel!.StartsWith("Local/5550006@pstn", StringComparison.Ordinal) && m.Channel.EndsWith(";1", StringComparison.Ordinal));
        await call.WaitForQuietAsync(TimeSpan.FromMilliseconds(100));

        Assert.Contains(call.Received, m => m.IsEventNamed("OriginateResponse"));
        Assert.DoesNotContain(call.Received, m => m.EventName is { } e && (e.StartsWith("Queue", StringComparison.Ordinal) || e.StartsWith("Agent", StringComparison.Ordinal)));
        foreach (var name in new[] { "QueueCallerJoin", "AgentCalled", "AgentConnect", "QueueCallerLeave", "AgentComplete", "QueueMemberStatus" })
        {
            Assert.Contains(agent.Received, m => m.IsEventNamed(name) && m["Privilege"] == "agent,all");
        }
    }

    [Fact]
    public async Task Member_actions_answer_with_Asterisks_texts_and_need_the_agent_write_class()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { Users = [.. SimulatorUser.TestPbxUsers, SimulatorUser.Limited] });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        async Task<string> Ask(string action, params (string, string)[] headers)
        {
            var id = action + Guid.NewGuid().ToString("N")[..6];
            await c.SendActionAsync(action, [.. headers, ("ActionID", id)]);
            var r = await c.ReadUntilAsync(m => m.ActionId == id && !m.IsEvent);
            return r.Response + ": " + r.Message;
        }

        Assert.Equal("Success: Added interface to queue", await Ask("QueueAdd", ("Queue", "sales"), ("Interface", "Local/203@agentphone"), ("MemberName", "Agent 203")));
        Assert.Equal("Error: Unable to add interface: Already there", await Ask("QueueAdd", ("Queue", "sales"), ("Interface", "Local/203@agentphone")));
        Assert.Equal("Error: Unable to add interface to queue: No such queue", await Ask("QueueAdd", ("Queue", "nosuchqueue"), ("Interface", "Local/203@agentphone")));
        Assert.Equal("Error: Interface not found", await Ask("QueuePause", ("Queue", "sales"), ("Interface", "Local/999@agentphone"), ("Paused", "true")));
        Assert.Equal("Success: Interface paused successfully", await Ask("QueuePause", ("Queue", "sales"), ("Interface", "Local/203@agentphone"), ("Paused", "true"), ("Reason", "coffee break")));
        var pause = await c.ReadUntilAsync(m => m.IsEventNamed("QueueMemberPause"));
        Assert.Equal(("1", "coffee break", "dynamic"), (pause["Paused"], pause["PausedReason"], pause["Membership"]));
        Assert.Equal("Error: Member not dynamic", await Ask("QueueRemove", ("Queue", "sales"), ("Interface", "Local/201@agentphone")));
        Assert.Equal("Success: Removed interface from queue", await Ask("QueueRemove", ("Queue", "sales"), ("Interface", "Local/203@agentphone")));
        Assert.Equal("Error: Unable to remove interface: Not there", await Ask("QueueRemove", ("Queue", "sales"), ("Interface", "Local/203@agentphone")));

        // The limited user of k3 may not write the agent class: no pausing, but reading the queue needs no class.
        await using var limited = await RawAmiConnection.LoginAsync(sim.EndPoint, "limited", "limitedpass");
        await limited.SendActionAsync("QueuePause", ("Interface", "Local/201@agentphone"), ("Paused", "true"), ("ActionID", "lp"));
        Assert.Equal("Permission denied", (await limited.ReadUntilAsync(m => m.ActionId == "lp")).Message);
        await limited.SendActionAsync("QueueStatus", ("ActionID", "ls"));
        Assert.Equal("Queue status will follow", (await limited.ReadUntilAsync(m => m.ActionId == "ls")).Message);
    }

    [Fact]
    public async Task Call_centre_knobs_set_agents_talk_time_no_answer_agents_and_a_wrap_up_that_keeps_an_agent_out()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var queue = QueueOptions.CallCentre("support", agents: 3, noAnswerAgents: 1, talkSeconds: (60, 60), wrapUpSeconds: 10);
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            TimeProvider = time,
            Queues = [queue],
            Outcomes = new OutcomeRules([new("^555", SimulatedOutcome.Answered, 0, 1000)]),
        });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        for (var i = 1; i <= 3; i++)
        {
            await OriginateIntoQueue(c, "555000" + i, "q" + i, "support");
            await c.ReadUntilAsync(m => m.IsEventNamed("QueueCallerJoin") && m.Channel!.Contains("555000" + i, StringComparison.Ordinal));
        }

        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(50));
        var connected = c.Received.Where(m => m.IsEventNamed("AgentConnect")).Select(m => m["MemberName"]).ToList();
        Assert.Equal(["Agent 1001", "Agent 1002"], connected);
        Assert.Contains(c.Received, m => m.IsEventNamed("AgentCalled") && m["MemberName"] == "Agent 1003"); // the one who never answers

        await StepAsync(time, c, 60);
        var completes = c.Received.Where(m => m.IsEventNamed("AgentComplete")).ToList();
        Assert.Equal(2, completes.Count);
        Assert.All(completes, m => Assert.Equal("60", m["TalkTime"]));
        Assert.DoesNotContain(c.Received, m => m.IsEventNamed("AgentConnect") && m.Channel!.Contains("5550003", StringComparison.Ordinal));

        // Wrap-up: 1001 and 1002 are free again only 10 s after their last call (t = 70). The third caller, whose only
        // choice was 1003 (rung at 0, 16, 32, 48 and 64 s, 15 s each, 1 s apart), gets 1001 when 1003's ring ends at 79 s
        // and the retry pause at 80 s: app_queue rings one member at a time for a caller.
        await StepAsync(time, c, 19);
        Assert.DoesNotContain(c.Received, m => m.IsEventNamed("AgentCalled") && m.Channel!.Contains("5550003", StringComparison.Ordinal) && m["MemberName"] != "Agent 1003");
        Assert.Equal(5, c.Received.Count(m => m.IsEventNamed("AgentRingNoAnswer") && m["MemberName"] == "Agent 1003"));
        await StepAsync(time, c, 1);
        var third = await c.ReadUntilAsync(m => m.IsEventNamed("AgentConnect") && m.Channel!.Contains("5550003", StringComparison.Ordinal));
        Assert.Equal(("Agent 1001", "80"), (third["MemberName"], third["HoldTime"]));
    }

    [Fact]
    public async Task Patience_makes_a_waiting_callee_abandon_and_the_ground_truth_and_the_console_say_who_took_which_call()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var record = Path.Combine(Path.GetTempPath(), "queue-truth-" + Guid.NewGuid().ToString("N") + ".jsonl");
        var queue = QueueOptions.CallCentre("sales", agents: 1, talkSeconds: (30, 30));
        queue.PatienceSeconds = (3, 3);
        try
        {
            await using (var sim = await AmiSimulator.StartAsync(new SimulatorOptions
            {
                TimeProvider = time,
                Queues = [queue],
                RecordPath = record,
                Outcomes = new OutcomeRules([new("^555", SimulatedOutcome.Answered, 0, 1000)]),
            }))
            {
                await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
                await OriginateIntoQueue(c, "5550001", "q1");
                await c.ReadUntilAsync(m => m.IsEventNamed("AgentConnect"));
                await OriginateIntoQueue(c, "5550002", "q2");
                await c.ReadUntilAsync(m => m.IsEventNamed("QueueCallerJoin") && m.Channel!.Contains("5550002", StringComparison.Ordinal));
                Assert.Equal(new QueueMemberState("Local/1001@agentphone", "Agent 1001", false, false, "", false, true, 0), Assert.Single(sim.QueueMembers("sales")));
                Assert.Equal(new QueueCounters(1, 0, 0), sim.QueueCounters("sales"));

                await StepAsync(time, c, 3);
                var abandon = await c.ReadUntilAsync(m => m.IsEventNamed("QueueCallerAbandon"));
                Assert.Equal("3", abandon["HoldTime"]);
                Assert.Equal(new QueueCounters(0, 0, 1), sim.QueueCounters("sales"));

                sim.PauseQueueMember("sales", "Local/1001@agentphone", paused: true, "break");
                var pause = await c.ReadUntilAsync(m => m.IsEventNamed("QueueMemberPause"));
                Assert.Equal(("1", "break", "2", "1"), (pause["Paused"], pause["PausedReason"], pause["Status"], pause["InCall"]));
                await StepAsync(time, c, 27);
                await c.ReadUntilAsync(m => m.IsEventNamed("AgentComplete"));
                Assert.Equal(new QueueCounters(0, 1, 1), sim.QueueCounters("sales"));
            }

            var calls = File.ReadAllLines(record).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).Where(e => e.TryGetProperty("outcome", out _)).ToList();
            var taken = calls.Single(e => e.GetProperty("number").GetString() == "5550001");
            var dropped = calls.Single(e => e.GetProperty("number").GetString() == "5550002");
            Assert.Equal(("sales", "Agent 1001", 0L, false), (taken.GetProperty("queue").GetString(), taken.GetProperty("agent").GetString(), taken.GetProperty("answerToAgentMs").GetInt64(), taken.GetProperty("abandoned").GetBoolean()));
            Assert.Equal(("answered", System.Text.Json.JsonValueKind.Null, System.Text.Json.JsonValueKind.Null, true), (dropped.GetProperty("outcome").GetString(), dropped.GetProperty("agent").ValueKind, dropped.GetProperty("answerToAgentMs").ValueKind, dropped.GetProperty("abandoned").GetBoolean()));
        }
        finally
        {
            File.Delete(record);
        }
    }

    [Fact]
    public async Task A_restart_ends_the_calls_in_a_queue_and_app_queue_starts_again_from_queues_conf()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 50, Outcomes = Lab });
        await using (var c = await RawAmiConnection.LoginAsync(sim.EndPoint))
        {
            await c.SendActionAsync("QueueAdd", ("Queue", "sales"), ("Interface", "Local/203@agentphone"), ("MemberName", "Agent 203"), ("ActionID", "a"));
            await c.ReadUntilAsync(m => m.IsEventNamed("QueueMemberAdded"));
            await OriginateIntoQueue(c, "5550007", "talking");
            await c.ReadUntilAsync(m => m.IsEventNamed("AgentConnect"));
            Assert.Equal(4, sim.LiveChannels);
            await sim.RestartAsync(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal((0, 0), (sim.LiveChannels, sim.LiveCalls));
        Assert.Equal(["Agent 201", "Agent 202"], sim.QueueMembers("sales").Select(m => m.Name));
        Assert.All(sim.QueueMembers("sales"), m => Assert.False(m.InCall || m.Ringing));
        Assert.Equal(new QueueCounters(0, 0, 0), sim.QueueCounters("sales"));

        // And the queue works after it.
        await using var again = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await OriginateIntoQueue(again, "5550006", "after");
        await again.ReadUntilAsync(m => m.IsEventNamed("AgentComplete"));
    }

    [Fact]
    public async Task Under_load_every_answered_callee_is_completed_or_abandoned_and_no_agent_takes_two_calls_at_once()
    {
        var queue = QueueOptions.CallCentre("sales", agents: 10, noAnswerAgents: 2, talkSeconds: (20, 60), wrapUpSeconds: 3, seed: 7);
        queue.PatienceSeconds = (5, 30);
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            TimeScale = 500,
            Queues = [queue],
            Outcomes = new OutcomeRules([new("^555", SimulatedOutcome.Answered, 0, 1000)]),
        });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        for (var i = 0; i < 100; i++)
        {
            await OriginateIntoQueue(c, "555" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), "o" + i);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sim.LiveCalls > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal((0, 0), (sim.LiveCalls, sim.LiveChannels));
        var counters = sim.QueueCounters("sales");
        Assert.Equal(100, counters.Completed + counters.Abandoned);
        Assert.True(counters.Completed >= 8, $"completed {counters.Completed}");
        Assert.Equal(counters.Completed, c.Received.Count(m => m.IsEventNamed("AgentComplete")));
        Assert.Equal(counters.Abandoned, c.Received.Count(m => m.IsEventNamed("QueueCallerAbandon")));

        // Per member, AgentCalled/AgentConnect/AgentComplete/AgentRingNoAnswer never overlap: one caller at a time.
        var busy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in c.Received.Where(m => m.EventName is "AgentCalled" or "AgentComplete" or "AgentRingNoAnswer" || m.IsEventNamed("Hangup") && busy.ContainsValue(m.Channel!)))
        {
            if (m.IsEventNamed("AgentCalled"))
            {
                Assert.False(busy.ContainsKey(m["MemberName"]!), m["MemberName"] + " rung while busy");
                busy[m["MemberName"]!] = m["DestChannel"]!;
            }
            else if (m.IsEventNamed("Hangup"))
            {
                busy.Remove(busy.First(kv => kv.Value == m.Channel).Key);
            }
        }

        Assert.DoesNotContain(c.Received, m => m.IsEventNamed("AgentConnect") && m["MemberName"] is "Agent 1009" or "Agent 1010");
    }

    private sealed record Status(Dictionary<string, string> Params, Dictionary<string, AmiMessage> Members, List<AmiMessage> Entries);

    private static async Task<Status> QueueStatusAsync(RawAmiConnection c, string id)
    {
        await c.SendActionAsync("QueueStatus", ("Queue", "sales"), ("ActionID", id));
        var items = new List<AmiMessage>();
        while (true)
        {
            var m = await c.ReadUntilAsync(x => x.ActionId == id && x.IsEvent);
            if (m.IsEventNamed("QueueStatusComplete"))
            {
                Assert.Equal(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m["ListItems"]);
                break;
            }

            items.Add(m);
        }

        var p = items.Single(m => m.IsEventNamed("QueueParams"));
        return new Status(
            p.AsSpan().ToArray().GroupBy(h => h.Key).ToDictionary(g => g.Key, g => g.First().Value),
            items.Where(m => m.IsEventNamed("QueueMember")).ToDictionary(m => m["Name"]!),
            items.Where(m => m.IsEventNamed("QueueEntry")).ToList());
    }

    private static async Task<AmiMessage> SummaryAsync(RawAmiConnection c, string id)
    {
        await c.SendActionAsync("QueueSummary", ("Queue", "sales"), ("ActionID", id));
        var summary = await c.ReadUntilAsync(m => m.ActionId == id && m.IsEventNamed("QueueSummary"));
        await c.ReadUntilAsync(m => m.ActionId == id && m.IsEventNamed("QueueSummaryComplete"));
        return summary;
    }
}
