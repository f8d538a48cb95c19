using AmiDialer.Ami;
using AmiDialer.Core.Queues;
using AmiDialer.Engine.Queues;

namespace AmiDialer.Engine.Tests.Queues;

/// <summary>
/// The recorded app_queue traffic (tests/captures/QUEUES.md, q1-q5) replayed at its recorded times through a follower
/// of queue <c>sales</c> (wrap-up 2 s, as in the lab), with the 2 s check run every 250 ms as the engine does.
/// </summary>
public sealed class QueueFollowerCaptureTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private sealed class Run
    {
        public QueueFollower Follower { get; } = new(TimeSpan.FromSeconds(2));
        public List<QueueCallNews> News { get; } = [];
        public List<(DateTimeOffset At, AmiMessage Message, QueueAgentCounts? Counts)> Seen { get; } = [];
    }

    /// <summary>Replays a capture; <paramref name="startMembers"/> stands for the QueueStatus list a follower reads at start.</summary>
    private static Run Replay(string capture, params (string Member, bool Paused)[] startMembers) => Replay(capture, _ => false, startMembers);

    /// <summary>Stops after the first message <paramref name="stopAfter"/> picks.</summary>
    private static Run Replay(string capture, Func<AmiMessage, bool> stopAfter, params (string Member, bool Paused)[] startMembers)
    {
        var run = new Run();
        run.Follower.Follow("sales");
        run.Follower.ApplyStatus([.. startMembers.Select(m => Member(m.Member, m.Paused))]);
        DateTimeOffset? lastCheck = null;
        foreach (var (at, message) in TimedCapture.Received(capture))
        {
            for (var t = (lastCheck ?? at) + Tick; t < at; t += Tick)
            {
                run.News.AddRange(run.Follower.Check(t));
                lastCheck = t;
            }

            if (message.IsEventNamed(AmiEventNames.QueueStatusComplete) && !capture.StartsWith("q4", StringComparison.Ordinal))
            {
                // The list's items, as SendListAsync hands them over, once the list is complete.
                var items = run.Seen.AsEnumerable().Reverse()
                    .TakeWhile(s => s.Message.IsEventNamed(AmiEventNames.QueueParams) || s.Message.IsEventNamed(AmiEventNames.QueueMember) || s.Message.IsEventNamed(AmiEventNames.QueueEntry))
                    .Select(s => s.Message).Reverse().ToList();
                run.Follower.ApplyStatus(items);
            }
            else
            {
                run.News.AddRange(run.Follower.Observe(message, at));
            }

            run.Seen.Add((at, message, run.Follower.Counts("sales", at)));
            lastCheck = at;
            if (stopAfter(message))
            {
                break;
            }
        }

        return run;
    }

    private static AmiMessage Member(string name, bool paused) => new(
    [
        new("Event", "QueueMember"), new("Queue", "sales"), new("Name", "Agent " + name), new("Location", $"Local/{name}@agentphone"),
        new("Status", "1"), new("Paused", paused ? "1" : "0"), new("PausedReason", ""), new("InCall", "0"), new("Wrapuptime", "0"),
    ]);

    private static QueueAgentCounts CountsAfter(Run run, string eventName, int occurrence = 0) =>
        run.Seen.Where(s => s.Message.IsEventNamed(eventName)).ElementAt(occurrence).Counts!;

    [Fact]
    public void Q1_a_call_answered_to_a_free_agent_is_connected_within_2_s_and_the_agent_is_busy_then_wraps_up()
    {
        var run = Replay("q1-queue-answered-to-free-agent", ("201", false), ("202", false));

        var news = Assert.Single(run.News);
        Assert.Equal("1796605278.392", news.Caller);
        Assert.Equal(QueueCallFate.Connected, news.Fate);
        Assert.Equal("Agent 202", news.Agent);
        // DialEnd ANSWER at +2.5079, AgentConnect at +2.5107: measured from the answer event, not HoldTime's whole seconds.
        Assert.Equal(2.8, news.Wait!.Value.TotalMilliseconds, 0.05);

        Assert.Equal(1, CountsAfter(run, AmiEventNames.AgentCalled).Ringing);
        var talking = CountsAfter(run, AmiEventNames.AgentConnect);
        Assert.Equal((1, 1, 0), (talking.Talking, talking.Free, talking.Ringing));

        // AgentComplete at +7.53: 202 wraps up for the queue's 2 s, then is free again.
        var completedAt = run.Seen.First(s => s.Message.IsEventNamed(AmiEventNames.AgentComplete)).At;
        var after = CountsAfter(run, AmiEventNames.AgentComplete);
        Assert.Equal((0, 1, 1), (after.Talking, after.WrappingUp, after.Free));
        Assert.Equal(QueueAgentState.WrappingUp, run.Follower.Members("sales", completedAt + TimeSpan.FromSeconds(1.9)).Single(m => m.Member.Name == "Agent 202").State);
        // (The capture's clock is known to the whole second only, as is LastCall: a second's margin.)
        Assert.Equal(2, run.Follower.Counts("sales", completedAt + TimeSpan.FromSeconds(3))!.Free);
    }

    [Fact]
    public void Q2_a_caller_who_hangs_up_with_every_agent_paused_is_abandoned_caller_left()
    {
        var run = Replay("q2-queue-abandon", ("201", false), ("202", false));

        var news = Assert.Single(run.News);
        Assert.Equal(("1796605291.396", QueueCallFate.CallerLeft, (string?)null, (TimeSpan?)null), (news.Caller, news.Fate, news.Agent, news.Wait));
        Assert.True(news.Fate.IsAbandoned());

        var paused = CountsAfter(run, AmiEventNames.QueueMemberPause, 1);
        Assert.Equal((2, 2, 0), (paused.LoggedIn, paused.Paused, paused.Free));
        Assert.Equal(1, CountsAfter(run, AmiEventNames.QueueCallerJoin).Waiting);
        Assert.Equal(0, CountsAfter(run, AmiEventNames.QueueCallerLeave).Waiting);
        Assert.Equal(2, CountsAfter(run, AmiEventNames.QueueMemberPause, 3).Free);
    }

    [Fact]
    public void Q3_the_follower_agrees_with_every_QueueSummary_and_a_waiting_caller_turns_late_after_2_s()
    {
        var run = Replay("q3-queue-status", ("201", false), ("202", false));

        // QueueSummary is Asterisk's own count: ours must say the same at each (LoggedIn counts paused members).
        var summaries = run.Seen.Where(s => s.Message.IsEventNamed("QueueSummary")).ToList();
        Assert.Equal(3, summaries.Count);
        foreach (var (_, summary, counts) in summaries)
        {
            Assert.Equal(summary.GetInt32("LoggedIn"), counts!.LoggedIn);
            Assert.Equal(summary.GetInt32("Available"), counts.Free);
            Assert.Equal(summary.GetInt32("Callers"), counts.Waiting);
        }

        var lunch = run.Follower.Members("sales", run.Seen[^1].At).Single(m => m.Member.Name == "Agent 202");
        Assert.NotNull(lunch.Member);

        Assert.Equal(2, run.News.Count);
        Assert.Equal((QueueCallFate.Connected, "Agent 201"), (run.News[0].Fate, run.News[0].Agent));
        Assert.Equal("1796605296.398", run.News[0].Caller);
        // B waits with 201 talking, 202 at lunch and 204 paused: 2 s after its answer it is abandoned, before its callee hangs up.
        Assert.Equal(("1796605298.402", QueueCallFate.Late), (run.News[1].Caller, run.News[1].Fate));

        var removed = CountsAfter(run, AmiEventNames.QueueMemberRemoved);
        Assert.Equal(2, removed.LoggedIn);
    }

    [Fact]
    public void Q3_a_paused_member_keeps_its_reason()
    {
        var run = Replay("q3-queue-status", m => m.IsEventNamed(AmiEventNames.QueueStatusComplete), ("201", false), ("202", false));
        var at = run.Seen[^1].At;
        var members = run.Follower.Members("sales", at);
        Assert.Equal(("lunch", QueueAgentState.Paused), members.Where(m => m.Member.Name == "Agent 202").Select(m => (m.Member.PausedReason, m.State)).Single());
    }

    [Fact]
    public void Q5_an_agent_who_does_not_answer_rings_then_frees_and_a_call_taken_after_16_s_is_late_with_its_agent_and_wait()
    {
        var run = Replay("q5-queue-agent-no-answer", ("201", false), ("202", false));

        Assert.Equal(1, CountsAfter(run, AmiEventNames.AgentCalled).Ringing);
        Assert.Equal(0, CountsAfter(run, AmiEventNames.AgentCalled).Free);
        // AgentRingNoAnswer, then the member's QueueMemberStatus Status 1: free again (its device said in use until then).
        Assert.Equal(0, CountsAfter(run, AmiEventNames.AgentRingNoAnswer).Ringing);
        var rangOut = CountsAfter(run, AmiEventNames.QueueMemberStatus, 1);
        Assert.Equal((0, 1), (rangOut.Ringing, rangOut.Free));

        // A: nobody within 2 s (299 rings 15 s, 201 and 202 paused), decided then, not when its callee hangs up at +20 s.
        // B: late at 2 s; AgentConnect for 201 comes 16 s after the answer, so the attempt still learns who and how long.
        Assert.Equal(3, run.News.Count);
        Assert.Equal(("1796605310.404", QueueCallFate.Late), (run.News[0].Caller, run.News[0].Fate));
        Assert.Equal(("1796605331.410", QueueCallFate.Late, (string?)null), (run.News[1].Caller, run.News[1].Fate, run.News[1].Agent));
        var taken = run.News[2];
        Assert.Equal(("1796605331.410", QueueCallFate.Late, "Agent 201"), (taken.Caller, taken.Fate, taken.Agent));
        Assert.Equal(16.0, taken.Wait!.Value.TotalSeconds, 0.05);
    }

    [Fact]
    public void Q4_members_added_paused_with_a_reason_unpaused_and_removed()
    {
        // q4's QueueStatus names one Member: a filtered list, not the queue (a follower asks for whole queues only).
        static bool CoffeeBreak(AmiMessage m) => m.IsEventNamed(AmiEventNames.QueueMemberPause) && m.Get("Paused") == "1";
        var run = Replay("q4-queue-member-changes", CoffeeBreak, ("201", false), ("202", false));
        var at = run.Seen[^1].At;
        var paused = run.Follower.Members("sales", at).Single(m => m.Member.Interface == "Local/203@agentphone");
        Assert.Equal(("coffee break", QueueAgentState.Paused), (paused.Member.PausedReason, paused.State));
        Assert.Equal((3, 1, 2), (run.Seen[^1].Counts!.LoggedIn, run.Seen[^1].Counts!.Paused, run.Seen[^1].Counts!.Free));

        var all = Replay("q4-queue-member-changes", m => m.IsEventNamed(AmiEventNames.QueueMemberAdded) && m.Get("Paused") == "1", ("201", false), ("202", false));
        var loginPaused = all.Follower.Members("sales", all.Seen[^1].At).Single(m => m.Member.Interface == "Local/203@agentphone");
        Assert.Equal(("login paused", QueueAgentState.Paused), (loginPaused.Member.PausedReason, loginPaused.State));
        var removed = all.Seen.Last(s => s.Message.IsEventNamed(AmiEventNames.QueueMemberRemoved));
        Assert.Equal(2, removed.Counts!.LoggedIn);
    }

    [Fact]
    public void Whether_an_ending_call_went_without_an_agent_as_the_abandon_retry_delay_asks()
    {
        // q1: taken at once. q2: its caller left with every agent paused. q5 A: late and never taken (its caller left
        // while 299 rang); q5 B: late, but 201 took it after 16 s: that callee talked to someone.
        var q1 = Replay("q1-queue-answered-to-free-agent", ("201", false), ("202", false));
        Assert.Null(q1.Follower.WentWithoutAgent(q1.News.Single().Caller));
        var q2 = Replay("q2-queue-abandon", ("201", true), ("202", true));
        Assert.Equal(QueueCallFate.CallerLeft, q2.Follower.WentWithoutAgent(q2.News.Single().Caller));
        var q5 = Replay("q5-queue-agent-no-answer", ("201", false), ("202", false));
        Assert.Equal(QueueCallFate.Late, q5.Follower.WentWithoutAgent("1796605310.404"));
        Assert.Null(q5.Follower.WentWithoutAgent("1796605331.410"));
        // A call that never joined a followed queue is not the follower's to judge.
        Assert.Null(q5.Follower.WentWithoutAgent("1796605399.999"));
    }

    [Fact]
    public void A_queues_wrap_up_comes_from_queues_conf_else_the_operators_option_else_is_unknown()
    {
        var follower = new QueueFollower(TimeSpan.Zero, new Dictionary<string, TimeSpan> { ["sales"] = TimeSpan.FromSeconds(5) });
        follower.Follow("sales");
        follower.Follow("support");
        Assert.Equal(new QueueWrapUp(TimeSpan.FromSeconds(5), QueueWrapUpSource.Option), follower.WrapUpOf("sales"));
        Assert.Equal(QueueWrapUp.Unknown, follower.WrapUpOf("support"));

        follower.SetWrapUpFromConfig("sales", TimeSpan.FromSeconds(2));
        Assert.Equal(new QueueWrapUp(TimeSpan.FromSeconds(2), QueueWrapUpSource.QueuesConf), follower.WrapUpOf("sales"));
        // The member who ended a call 3 s ago is free with queues.conf's 2 s; it would still wrap up with the option's 5 s.
        var at = TimedCapture.Epoch;
        follower.ApplyStatus([Member("201", false)]);
        follower.Observe(new AmiMessage([new("Event", "AgentComplete"), new("Queue", "sales"), new("Interface", "Local/201@agentphone"), new("MemberName", "Agent 201"), new("Uniqueid", "1.1")]), at);
        Assert.Equal(1, follower.Counts("sales", at + TimeSpan.FromSeconds(3))!.Free);
        follower.SetWrapUpFromConfig("sales", null);
        Assert.Equal(0, follower.Counts("sales", at + TimeSpan.FromSeconds(3))!.Free);
        Assert.Equal("5 s from Dialing:QueueWrapUp:sales", follower.WrapUpOf("sales").Describe("sales"));
    }

    [Fact]
    public void A_lost_link_makes_every_undecided_call_unknown_and_abandoned()
    {
        var follower = new QueueFollower(TimeSpan.Zero);
        follower.Follow("sales");
        var at = TimedCapture.Epoch;
        follower.Observe(new AmiMessage([new("Event", "OriginateResponse"), new("Response", "Success"), new("Reason", "4"), new("Uniqueid", "1.1")]), at);
        follower.Observe(new AmiMessage([new("Event", "QueueCallerJoin"), new("Queue", "sales"), new("Uniqueid", "1.1")]), at);
        var news = Assert.Single(follower.LinkLost());
        Assert.Equal(("1.1", QueueCallFate.Unknown, true), (news.Caller, news.Fate, news.Fate.IsAbandoned()));
    }
}
