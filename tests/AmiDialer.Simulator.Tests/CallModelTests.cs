using System.Text;
using AmiDialer.Simulator.Tests.Infrastructure;
using AmiDialer.Testing;

namespace AmiDialer.Simulator.Tests;

public sealed class CallModelTests
{
    [Fact]
    public void Every_template_parses_and_every_leg_it_creates_hangs_up()
    {
        // 28 whole calls, and the 15 steps of a queue call (queue-*.ami), whose legs a later step ends.
        Assert.Equal(43, CallTemplate.All.Count);
        Assert.Equal(15, CallTemplate.All.Keys.Count(k => k.StartsWith("queue-", StringComparison.Ordinal)));
        foreach (var t in CallTemplate.All.Values.Where(t => !t.Name.StartsWith("queue-", StringComparison.Ordinal)))
        {
            var items = t.Phases.SelectMany(p => p.Items).ToList();
            Assert.All(items.Where(i => i.Kind is ItemKind.Event or ItemKind.Vars), i => Assert.NotEqual("", i.EventName));
            var lastPhase = t.Phases[^1].Items;
            var states = lastPhase.Where(i => i.Kind is ItemKind.State).ToList();
            Assert.True(states.Count == 0, t.Name + " leaves a leg alive");
        }
    }

    [Fact]
    public async Task Uniqueids_go_up_by_two_per_call_and_linkedid_groups_both_halves()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 100 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        for (var i = 0; i < 2; i++)
        {
            await c.SendActionAsync("Originate", ("Channel", "Local/555000" + (2 + (2 * i)) + "@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "o" + i));
            await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
        }

        var created = c.Received.Where(m => m.IsEventNamed("Newchannel")).ToList();
        Assert.Equal(4, created.Count);
        var seqs = created.Select(m => int.Parse(m.Uniqueid!.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([0, 1, 2, 3], seqs);
        Assert.Equal(created[0].Uniqueid, created[1].Linkedid);
        Assert.Equal(created[2].Uniqueid, created[3].Linkedid);
        Assert.Equal(["Local/5550002@pstn-00000000;1", "Local/5550002@pstn-00000000;2", "Local/5550004@pstn-00000001;1", "Local/5550004@pstn-00000001;2"], created.Select(m => m.Channel!));
    }

    [Fact]
    public async Task Variables_are_set_on_both_halves_and_callerid_and_timeout_are_honoured()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 100 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        // Ringing 2 s with a 1 s Timeout is a no-answer (Reason 3).
        await c.SendActionAsync("Originate", ("Channel", "Local/5550001@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "o"),
            ("Timeout", "1000"), ("CallerID", "\"Shop\" <123>"), ("Variable", "A=1"), ("Variable", "B=2,C=3"));
        var or = await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
        Assert.Equal(("Failure", 3, "123", "Shop"), (or.Response, or.Reason, or["CallerIDNum"], or["CallerIDName"]));
        var sets = c.Received.Where(m => m.IsEventNamed("VarSet") && m.Variable is "A" or "B" or "C").Select(m => m.Channel![^1] + m.Variable! + "=" + m.Value).ToList();
        Assert.Equal(["1C=3", "1B=2", "1A=1", "2A=1", "2B=2", "2C=3"], sets);
    }

    [Fact]
    public async Task The_action_record_shows_each_originate_once_even_across_connections()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 100 });
        await using var a = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await using var b = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await a.SendActionAsync("Originate", ("Channel", "Local/5550002@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "lead-1"));
        await b.SendActionAsync("Originate", ("Channel", "Local/5550004@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "lead-2"));
        await a.ReadUntilAsync(m => m.ActionId == "lead-1");
        await b.ReadUntilAsync(m => m.ActionId == "lead-2");
        var originates = sim.ActionsNamed("Originate");
        Assert.Equal(2, originates.Count);
        Assert.Equal(originates.Count, originates.Select(o => o["Channel"]).Distinct().Count());
        Assert.Equal([1, 2], originates.Select(o => o.ConnectionId).Order());
        Assert.All(originates, o => Assert.Equal("dialer", o.Username));
    }

    [Fact]
    public async Task A_burst_of_200_originates_gets_200_ordered_responses_and_the_recorded_event_total()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 100 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(50));
        var before = c.Received.Count;
        var sb = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            // As h-burst: numbers 5551XXD, 20 per digit.
            sb.Append($"Action: Originate\r\nAsync: true\r\nActionID: b{i}\r\nChannel: Local/5551{i / 10:D2}{i % 10}@pstn\r\nContext: agents\r\nExten: 100\r\nPriority: 1\r\nTimeout: 15000\r\nCallerID: \"Campaign 7\" <5551234>\r\nVariable: CAMPAIGN=7\r\nVariable: LEADID=L-{i}\r\n\r\n");
        }

        await c.SendRawAsync(sb.ToString());
        await c.WaitForCountAsync(before + 200 + 6900, TimeSpan.FromSeconds(10));
        await c.WaitForQuietAsync(TimeSpan.FromMilliseconds(200));
        var received = c.Received.Skip(before).ToList();
        var responses = received.Where(m => m.IsResponse).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => "b" + i), responses.Select(r => r.ActionId!));
        Assert.All(responses, r => Assert.Equal("Originate successfully queued", r.Message));
        Assert.Equal(6900, received.Count(m => m.IsEvent)); // h-burst: 6,900 events for these 200 calls
        Assert.Equal(0, sim.LiveChannels);
    }
}

public sealed class MiscActionTests
{
    [Fact]
    public async Task ListCommands_lists_the_simulated_actions_with_their_classes_and_Getvar_reads_a_call_variable()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 20 });
        await using var c = await RawAmiConnection.LoginAsync(sim.EndPoint);
        await c.SendActionAsync("ListCommands", ("ActionID", "lc"));
        var list = await c.ReadUntilAsync(m => m.ActionId == "lc");
        Assert.Equal("Originate a call.  (Priv: originate,all)", list["Originate"]);
        Assert.Equal("List currently active channels.  (Priv: system,reporting,all)", list["CoreShowChannels"]);

        await c.SendActionAsync("Originate", ("Channel", "Local/5550007@pstn"), ("Context", "agents"), ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("Variable", "CAMPAIGN=9"));
        var or = await c.ReadUntilAsync(m => m.IsEventNamed("OriginateResponse"));
        await c.SendActionAsync("Getvar", ("Channel", or.Channel!), ("Variable", "CAMPAIGN"), ("ActionID", "gv"));
        var value = await c.ReadUntilAsync(m => m.ActionId == "gv");
        Assert.Equal(("CAMPAIGN", "9"), (value.Variable, value.Value));
        await c.SendActionAsync("Hangup", ("Channel", or.Channel!), ("ActionID", "h"));
        Assert.Equal("Channel Hungup", (await c.ReadUntilAsync(m => m.ActionId == "h")).Message);
        await c.ReadUntilAsync(m => m.IsEventNamed("Hangup") && m.Channel == or.Channel);
        // The pair's other half and the dialed leg hang up just after the channel that was hung up.
        await Eventually.WaitUntilAsync(() => sim.LiveChannels == 0);
        await c.SendActionAsync("Hangup", ("Channel", or.Channel!), ("ActionID", "h2"));
        Assert.Equal("No such channel", (await c.ReadUntilAsync(m => m.ActionId == "h2")).Message);
    }
}
