using AmiDialer.Simulator.Tests.Infrastructure;

namespace AmiDialer.Simulator.Tests;

public sealed class ScenarioAndRulesTests
{
    [Fact]
    public void Test_pbx_rules_follow_the_capture_table()
    {
        var rules = OutcomeRules.TestPbx();
        Assert.Equal(SimulatedOutcome.Answered, rules.Decide("5550000").Outcome);
        Assert.Equal(SimulatedOutcome.Answered, rules.Decide("5550001").Outcome);
        Assert.Equal(SimulatedOutcome.Busy, rules.Decide("5550002").Outcome);
        Assert.Equal(SimulatedOutcome.NoAnswer, rules.Decide("5550003").Outcome);
        Assert.Equal(SimulatedOutcome.Congestion, rules.Decide("5550004").Outcome);
        Assert.Equal(SimulatedOutcome.Unallocated, rules.Decide("5550005").Outcome);
        Assert.Equal(("short", 1.0), (rules.Decide("5550006").Flavor, rules.Decide("5550006").Talk.TotalSeconds));
        Assert.Equal(SimulatedOutcome.Rejected, rules.Decide("5550008").Outcome);
        Assert.Equal(TimeSpan.FromSeconds(4), rules.Decide("5550008").Ring);
        Assert.Equal(TimeSpan.FromSeconds(2), rules.Decide("5550000").Ring);
    }

    [Fact]
    public void The_random_mix_is_reproducible_from_its_seed_and_covers_every_outcome()
    {
        var a = OutcomeRules.RealisticMix(42);
        var b = OutcomeRules.RealisticMix(42);
        var c = OutcomeRules.RealisticMix(43);
        var seqA = Enumerable.Range(0, 2000).Select(i => a.Decide("1" + i)).ToList();
        var seqB = Enumerable.Range(0, 2000).Select(i => b.Decide("1" + i)).ToList();
        var seqC = Enumerable.Range(0, 2000).Select(i => c.Decide("1" + i)).ToList();
        Assert.Equal(seqA, seqB);
        Assert.NotEqual(seqA, seqC);
        Assert.Equal(Enum.GetValues<SimulatedOutcome>().Length, seqA.Select(p => p.Outcome).Distinct().Count());
        var answered = seqA.Count(p => p.Outcome == SimulatedOutcome.Answered) / 2000.0;
        Assert.InRange(answered, 0.40, 0.50);
        Assert.All(seqA.Where(p => p.Outcome == SimulatedOutcome.Answered), p => Assert.InRange(p.Ring.TotalSeconds, 3, 15));
    }

    [Fact]
    public void A_scenario_file_turns_into_options()
    {
        var scenario = SimulatorScenario.Parse("""
            {
              // comments are allowed
              "timeScale": 10, "maxChannels": 50, "responseLatencyMs": 5, "seed": 7,
              "users": [ { "username": "u", "secret": "s", "read": "call,system", "write": "originate" } ],
              "rules": [ { "pattern": "^999", "outcome": "busy" }, { "pattern": "1$", "outcome": "answered", "ringSeconds": 1, "talkSeconds": 3, "flavor": "short" } ],
              "mix": [ { "outcome": "noAnswer", "weight": 1 }, { "outcome": "channelUnavailable", "weight": 1, "ringSeconds": [0, 0] } ],
              "contexts": { "dialer-answered": [ "s", "_X." ] },
            }
            """);
        var options = scenario.ToOptions();
        Assert.Equal(10, options.TimeScale);
        Assert.Equal(50, options.MaxConcurrentChannels);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.ResponseLatency);
        Assert.Equal(new SimulatorUser("u", "s", AmiPrivilege.Call | AmiPrivilege.System, AmiPrivilege.Originate), options.Users.Single());
        Assert.Equal(SimulatedOutcome.Busy, options.Outcomes.Decide("9990").Outcome);
        Assert.Equal(new CallPlan(SimulatedOutcome.Answered, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), "short"), options.Outcomes.Decide("5551"));
        Assert.Contains(options.Outcomes.Decide("5552").Outcome, new[] { SimulatedOutcome.NoAnswer, SimulatedOutcome.ChannelUnavailable });
        Assert.True(options.ExtraContexts.ContainsKey("dialer-answered"));
    }

    [Theory]
    [InlineData("{ \"timeScale\": 0 }", "timeScale must be a positive number")]
    [InlineData("{ \"rules\": [ { \"outcome\": \"busy\" } ] }", "rules[0].pattern is missing")]
    [InlineData("{ \"rules\": [ { \"pattern\": \"(\", \"outcome\": \"busy\" } ] }", "rules[0].pattern is not a valid regular expression")]
    [InlineData("{ \"rules\": [ { \"pattern\": \"1\", \"outcome\": \"maybe\" } ] }", "line 1")]
    [InlineData("{ \"timescale\": 1, \"bogus\": 2 }", "bogus")]
    [InlineData("{ \"mix\": [ { \"outcome\": \"busy\", \"ringSeconds\": [5, 1] } ] }", "mix[0].ringSeconds must be [min, max]")]
    [InlineData("{ \"users\": [ { \"username\": \"x\" } ] }", "users[0] needs a username and a secret")]
    [InlineData("{ \"timeScale\": ", "line")]
    public void Bad_scenarios_say_where_and_why(string json, string expected)
    {
        var ex = Assert.Throws<SimulatorScenarioException>(() => SimulatorScenario.Parse(json, "s.json"));
        Assert.StartsWith("s.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_example_scenario_loads()
    {
        var scenario = await SimulatorScenario.LoadAsync(Path.Combine(AmiDialer.Testing.RepoPaths.RepoRoot, "src", "AmiDialer.Simulator", "scenario.example.json"));
        var options = scenario.ToOptions();
        Assert.Equal(2, options.Users.Count);
        Assert.Equal(SimulatedOutcome.Busy, options.Outcomes.Decide("1232").Outcome);
        Assert.Equal(7, options.Outcomes.Mix.Count);
        Assert.False(options.LedgerInstalled);
        var queue = Assert.Single(options.Queues);
        Assert.Equal(("sales", 50, 2), (queue.Name, queue.Members.Count, queue.Members.Count(m => !m.Answers)));
        Assert.Equal(((double, double)?)(60, 180), queue.AgentTalkSeconds);
    }

    [Fact]
    public void A_scenario_sets_the_queue_knobs_and_without_queues_the_pbx_has_the_labs_sales()
    {
        var options = SimulatorScenario.Parse("""
            { "queues": [
                { "name": "support", "agents": 4, "noAnswerAgents": 1, "talkSeconds": [30, 90], "wrapUpSeconds": 8, "timeoutSeconds": 20, "retrySeconds": 2, "patienceSeconds": [3, 30] },
                { "name": "vip", "members": [ { "interface": "PJSIP/101", "name": "Ann", "paused": true, "reason": "training" } ] } ] }
            """).ToOptions();
        var support = options.Queues[0];
        Assert.Equal(["Local/1001@agentphone", "Local/1002@agentphone", "Local/1003@agentphone", "Local/1004@agentphone"], support.Members.Select(m => m.Interface));
        Assert.Equal([true, true, true, false], support.Members.Select(m => m.Answers));
        Assert.Equal((((double, double)?)(30, 90), 8.0, 20.0, 2.0, ((double, double)?)(3, 30)), (support.AgentTalkSeconds, support.WrapUpSeconds, support.TimeoutSeconds, support.RetrySeconds, support.PatienceSeconds));
        Assert.Equal(new QueueAgent("PJSIP/101", "Ann", true, true, "training"), Assert.Single(options.Queues[1].Members));

        var lab = Assert.Single(SimulatorScenario.Parse("{}").ToOptions().Queues);
        Assert.Equal(("sales", "Agent 201", "Agent 202"), (lab.Name, lab.Members[0].Name, lab.Members[1].Name));
        Assert.Empty(SimulatorScenario.Parse("""{ "queues": [] }""").ToOptions().Queues);
    }

    [Theory]
    [InlineData("""{ "queues": [ { "name": "sales", "agents": 2, "noAnswerAgents": 3 } ] }""", "queues[0]: agents must be 0 or more")]
    [InlineData("""{ "queues": [ { "name": "sales", "talkSeconds": [90, 30] } ] }""", "queues[0].talkSeconds must be [min, max]")]
    [InlineData("""{ "queues": [ { "name": "my queue" } ] }""", "queues[0].name must be a queue name")]
    [InlineData("""{ "queues": [ { "name": "a" }, { "name": "a" } ] }""", "queues: 'a' is defined twice")]
    [InlineData("""{ "queues": [ { "name": "a", "members": [ { "name": "x" } ] } ] }""", "queues[0].members[0].interface must be a device")]
    [InlineData("""{ "queues": [ { "name": "a", "agent": 3 } ] }""", "unknown property")]
    public void A_bad_queue_in_a_scenario_is_refused_naming_the_place(string json, string expected)
    {
        var ex = Assert.Throws<SimulatorScenarioException>(() => SimulatorScenario.Parse(json, "s.json"));
        Assert.StartsWith("s.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scenario_installs_the_outcome_ledger_only_when_it_says_so()
    {
        Assert.True(SimulatorScenario.Parse("""{ "ledger": true }""").ToOptions().LedgerInstalled);
        Assert.False(SimulatorScenario.Parse("{}").ToOptions().LedgerInstalled);
        var bad = Assert.Throws<SimulatorScenarioException>(() => SimulatorScenario.Parse("""{ "ledger": "yes" }""", "s.json"));
        Assert.Contains("ledger", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_scenario_is_a_random_mix_with_the_test_pbx_users()
    {
        var options = SimulatorScenario.Default().ToOptions();
        Assert.Empty(options.Outcomes.Rules);
        Assert.Equal(7, options.Outcomes.Mix.Count);
        Assert.Equal("dialer", options.Users[0].Username);
    }

    [Fact]
    public async Task A_missing_scenario_file_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-scenario-" + Guid.NewGuid() + ".json");
        var ex = await Assert.ThrowsAsync<SimulatorScenarioException>(() => SimulatorScenario.LoadAsync(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scenario_drives_a_running_simulator()
    {
        var file = Path.Combine(Path.GetTempPath(), "scenario-" + Guid.NewGuid() + ".json");
        await File.WriteAllTextAsync(file, """{ "timeScale": 100, "rules": [ { "pattern": "^777", "outcome": "rejected", "ringSeconds": 1 } ], "contexts": { "dialer": [ "s" ] } }""");
        try
        {
            await using var sim = await AmiSimulator.StartAsync(await SimulatorScenario.LoadAsync(file));
            await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
            await c.SendActionAsync("Originate", ("Channel", "Local/7770000@pstn"), ("Context", "dialer"), ("Exten", "s"), ("Priority", "1"), ("Async", "true"), ("ActionID", "o"));
            var or = await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
            Assert.Equal(("Failure", 0), (or.Response, or.Reason));
            var hangup = await c.ReadUntilAsync(m => m.IsEventNamed("Hangup"));
            Assert.Equal(21, hangup.Cause);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Login_instructions_name_the_port_and_users_but_never_a_secret()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { Users = [new SimulatorUser("agent", "s3cr3t-value")], TimeScale = 10 });
        using var writer = new StringWriter();
        sim.WriteLoginInstructions(writer);
        var text = writer.ToString();
        Assert.Contains(sim.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Contains("agent", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", text, StringComparison.Ordinal);
        Assert.Contains("10x faster", text, StringComparison.Ordinal);
    }
}
