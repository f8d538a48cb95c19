using AmiDialer.Core.Queues;

namespace AmiDialer.Core.Tests.Queues;

/// <summary>The state model alone, fed the sequences of tests/captures/QUEUES.md (the replays are in the engine's tests).</summary>
public sealed class QueueAgentsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 1, 1, 17, TimeSpan.Zero);

    private static QueueMemberReport Member(string n, int status = 1, bool paused = false, string? reason = null, bool inCall = false, DateTimeOffset? lastCall = null, TimeSpan? wrapUp = null) =>
        new($"Local/{n}@agentphone", "Agent " + n, status, paused, reason, inCall, lastCall, wrapUp);

    [Fact]
    public void Nothing_is_known_until_a_QueueStatus_list_is_read()
    {
        var q = new QueueAgents("sales", TimeSpan.FromSeconds(2));
        Assert.False(q.Known);
        q.Reset([Member("201"), Member("202")], []);
        Assert.True(q.Known);
        Assert.Equal(new QueueAgentCounts(2, 0, 0, 0, 0, 2, 0), q.Counts(T0));
    }

    [Fact]
    public void Q1_ringing_then_talking_then_wrap_up_from_AgentComplete_then_free()
    {
        var q = new QueueAgents("sales", TimeSpan.FromSeconds(2));
        q.Reset([Member("201"), Member("202")], []);
        q.CallerJoined("c1");
        q.AgentCalled("Local/202@agentphone", "c1");
        // A ringing Local member reads Status 2 InCall 0: still ringing, not "in use by something else".
        q.MemberChanged(Member("202", status: 2));
        Assert.Equal(QueueAgentState.Ringing, q.StateOf("Local/202@agentphone", T0));
        q.CallerLeft("c1");
        q.AgentConnected("Local/202@agentphone", "c1");
        Assert.Equal((QueueAgentState.Talking, "c1"), (q.StateOf("Local/202@agentphone", T0)!.Value, q.TalkingWith("Local/202@agentphone")));
        q.AgentCompleted("Local/202@agentphone", T0 + TimeSpan.FromSeconds(5));
        q.MemberChanged(Member("202", lastCall: T0 + TimeSpan.FromSeconds(5)));
        Assert.Equal(QueueAgentState.WrappingUp, q.StateOf("Local/202@agentphone", T0 + TimeSpan.FromSeconds(6.9)));
        Assert.Equal(QueueAgentState.Free, q.StateOf("Local/202@agentphone", T0 + TimeSpan.FromSeconds(7)));
    }

    [Fact]
    public void A_members_own_wrap_up_overrides_the_queues()
    {
        var q = new QueueAgents("sales", TimeSpan.FromSeconds(2));
        q.Reset([Member("201", lastCall: T0, wrapUp: TimeSpan.FromSeconds(30)), Member("202", lastCall: T0)], []);
        var counts = q.Counts(T0 + TimeSpan.FromSeconds(10));
        Assert.Equal((1, 1), (counts.WrappingUp, counts.Free));
    }

    [Fact]
    public void Q5_a_caller_who_hangs_up_while_an_agent_rings_frees_the_agent_without_AgentRingNoAnswer()
    {
        var q = new QueueAgents("sales");
        q.Reset([Member("201", paused: true), Member("299")], []);
        q.CallerJoined("a");
        q.AgentCalled("Local/299@agentphone", "a");
        Assert.Equal((1, 0, 1), (q.Counts(T0).Ringing, q.Counts(T0).Free, q.Counts(T0).Waiting));
        q.CallerLeft("a");
        Assert.Equal(QueueAgentState.Free, q.StateOf("Local/299@agentphone", T0));
        Assert.Equal(0, q.Counts(T0).Waiting);
    }

    [Fact]
    public void A_list_replaces_members_and_clears_a_call_whose_end_was_missed_while_a_device_in_use_is_not_free()
    {
        var q = new QueueAgents("sales");
        q.Reset([Member("201"), Member("202"), Member("204")], []);
        q.AgentConnected("Local/201@agentphone", "c1");
        q.AgentConnected("Local/202@agentphone", "c2");
        // The link was down when 201's call ended; 202 still talks; 204 left; 203 came; 205's phone is busy elsewhere.
        q.Reset([Member("201"), Member("202", status: 2, inCall: true), Member("203", paused: true, reason: "lunch"), Member("205", status: 2)], ["w1"]);
        Assert.Equal(QueueAgentState.Free, q.StateOf("Local/201@agentphone", T0));
        Assert.Equal(QueueAgentState.Talking, q.StateOf("Local/202@agentphone", T0));
        Assert.Null(q.StateOf("Local/204@agentphone", T0));
        Assert.Equal(QueueAgentState.Unavailable, q.StateOf("Local/205@agentphone", T0));
        Assert.Equal(new QueueAgentCounts(4, 1, 1, 0, 0, 1, 1), q.Counts(T0));
        Assert.Equal("lunch", q.Members(T0).Single(m => m.State == QueueAgentState.Paused).Member.PausedReason);
    }
}
