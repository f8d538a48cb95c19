using AmiDialer.Core.Model;
using AmiDialer.Core.Outcomes;
using AmiDialer.Engine.Tracking;
using CallFacts = AmiDialer.Engine.Tracking.CallFacts;

namespace AmiDialer.Engine.Tests.Tracking;

/// <summary>
/// What the tracker tells the outcome table about calls whose ending it did not see (issue #22): a cut it saw is
/// interrupted, a call gone unseen is unknown (not interrupted), a never-written Originate is not-sent, an answer seen is kept.
/// </summary>
public sealed class TakeoverFactsTests
{
    private static readonly DateTimeOffset T0 = CaptureReplay.Epoch;

    private static CallTracker NewTracker() => new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));

    [Fact]
    public void Calls_cut_while_ringing_by_a_restart_end_interrupted_and_the_answered_one_answered_i3()
    {
        var result = CaptureReplay.Replay("i3-restart-while-ringing.dialer.raw");

        var outcomes = result.ByActionId.ToDictionary(p => p.Key.Split('-')[2], p => OutcomeFacts.Decide(p.Value).Outcome);
        Assert.Equal(CallOutcome.Answered, outcomes["5550007"]);
        Assert.Equal(CallOutcome.Interrupted, outcomes["5550003"]);
        Assert.Equal(CallOutcome.Interrupted, outcomes["5550000"]);
    }

    [Fact]
    public void A_real_no_answer_stays_no_answer_d3()
    {
        var facts = Assert.Single(CaptureReplay.Replay("d3-originate-noanswer.raw").ByActionId.Values);
        Assert.Equal(CallOutcome.NoAnswer, OutcomeFacts.Decide(facts).Outcome);
    }

    [Fact]
    public void Wrapper_calls_through_the_ledger_dialplan_end_with_the_inner_dials_outcome_k1()
    {
        // Every failed OriginateResponse is Reason 0 and the Originate's own DialEnd says NOANSWER: the A;2->B;1 DialEnd
        // and the causes tell the outcome.
        var result = CaptureReplay.Replay("k1-ledger-dial-outcomes.raw", TimeSpan.FromSeconds(30));

        var outcomes = result.ByActionId.ToDictionary(p => p.Key.Split('-')[2][^1], p => OutcomeFacts.Decide(p.Value).Outcome);
        Assert.Equal(CallOutcome.Answered, outcomes['0']);
        Assert.Equal(CallOutcome.Busy, outcomes['2']);
        Assert.Equal(CallOutcome.NoAnswer, outcomes['3']);
        Assert.Equal(CallOutcome.Congestion, outcomes['4']);
        Assert.Equal(CallOutcome.InvalidNumber, outcomes['5']);
        Assert.Equal(CallOutcome.Answered, outcomes['6']);
        Assert.Equal(CallOutcome.Rejected, outcomes['8']);
        Assert.Equal(CallOutcome.Answered, outcomes['9']);
        Assert.All(result.ByActionId.Values, f => Assert.Equal(4, f.Channels.Count));
    }

    [Fact]
    public void A_call_taken_over_in_its_teardown_whose_answer_nobody_saw_is_unknown_not_failed()
    {
        // Killed dialer, answered call: the heir's CoreShowChannels catches the call as it hangs up (no channel Up),
        // then sees only cause-16 hangups. Nothing says how it went: unknown, never "failed" (which a retry policy
        // might re-dial, calling again someone who answered).
        var tracker = NewTracker();
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromSeconds(30)), adopted: true);
        Assert.Empty(tracker.Reconcile([new LiveChannel("Local/5551234@pstn-00000001;1", "c1", "c1", "5")], T0.AddSeconds(10)));
        tracker.Observe(new CallEvent { Kind = CallEventKind.Hangup, Uniqueid = "c1", Linkedid = "c1", Channel = "Local/5551234@pstn-00000001;1", Cause = "16", CauseText = "Normal Clearing" }, T0.AddSeconds(11));

        var ended = Assert.Single(tracker.Poll(T0.AddSeconds(20)).Finished);

        Assert.Equal(Finality.Completed, ended.Finality);
        Assert.Equal(CallOutcome.Unknown, OutcomeFacts.Decide(ended).Outcome);
    }

    [Fact]
    public void A_call_taken_over_that_then_shows_a_telling_status_ends_with_it()
    {
        var tracker = NewTracker();
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromSeconds(30)), adopted: true);
        Assert.Empty(tracker.Reconcile([new LiveChannel("Local/5551234@pstn-00000001;1", "c1", "c1", "5")], T0.AddSeconds(10)));
        tracker.Observe(new CallEvent { Kind = CallEventKind.DialEnd, Uniqueid = "c1", Linkedid = "c1", DestChannel = "Local/5551234@pstn-00000001;1", DialStatus = "BUSY" }, T0.AddSeconds(11));
        tracker.Observe(new CallEvent { Kind = CallEventKind.Hangup, Uniqueid = "c1", Linkedid = "c1", Channel = "Local/5551234@pstn-00000001;1", Cause = "17", CauseText = "User busy" }, T0.AddSeconds(11));

        var ended = Assert.Single(tracker.Poll(T0.AddSeconds(20)).Finished);

        Assert.Equal(CallOutcome.Busy, OutcomeFacts.Decide(ended).Outcome);
    }

    [Fact]
    public void A_call_found_gone_with_its_ending_unseen_is_unknown_not_interrupted()
    {
        var tracker = NewTracker();
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromSeconds(30)));
        tracker.MarkDisturbed();

        var lost = Assert.Single(tracker.Reconcile([], T0.AddSeconds(60)));

        Assert.Equal(Finality.Lost, lost.Finality);
        Assert.True(lost.EndedUnseen);
        Assert.False(lost.NotSent);
        Assert.Equal(CallOutcome.Unknown, OutcomeFacts.Decide(lost).Outcome);
    }

    [Fact]
    public void A_call_whose_originate_response_was_seen_keeps_deciding_from_its_events_when_found_gone()
    {
        var tracker = NewTracker();
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromSeconds(30)));
        tracker.Observe(new CallEvent { Kind = CallEventKind.OriginateResponse, ActionId = "a1", Response = "Success", Reason = "4", Uniqueid = "c1" }, T0.AddSeconds(2));
        tracker.MarkDisturbed();

        var lost = Assert.Single(tracker.Reconcile([], T0.AddSeconds(60)));

        Assert.False(lost.EndedUnseen);
        Assert.Equal(CallOutcome.Answered, OutcomeFacts.Decide(lost).Outcome);
    }

    [Fact]
    public void A_taken_over_attempt_whose_answer_was_stored_ends_answered_without_a_ledger()
    {
        var tracker = NewTracker();
        var attempt = new Attempt { Id = 7, ActionId = "a7", ChannelId = "c7", Server = "pbx", CreatedAt = T0, AnsweredAt = T0.AddSeconds(3) };
        tracker.Track(TrackedCallStart.Adopting(attempt, CallKind.Campaign), adopted: true);

        var lost = Assert.Single(tracker.Reconcile([], T0.AddSeconds(60)));

        Assert.True(lost.AnswerSeen);
        Assert.Equal(CallOutcome.Answered, OutcomeFacts.Decide(lost).Outcome);
        Assert.Equal(T0.AddSeconds(3), lost.AnsweredAt);
    }

    [Fact]
    public void An_adopted_campaign_call_listed_up_has_its_answer_committed_at_once_a_click_to_call_agent_up_does_not()
    {
        var tracker = NewTracker();
        var answers = new List<(long, DateTimeOffset)>();
        tracker.AnswerSeen = (id, at) => answers.Add((id, at));
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromMinutes(1)), adopted: true);
        tracker.Track(new TrackedCallStart(2, "a2", "c2", T0, TimeSpan.FromMinutes(1)) { Kind = CallKind.ClickToCall }, adopted: true);

        var lost = tracker.Reconcile([new LiveChannel("Local/1@pstn-1;1", "c1", "c1", "6"), new LiveChannel("PJSIP/201-1", "c2", "c2", "6")], T0.AddSeconds(10));
        tracker.Reconcile([new LiveChannel("Local/1@pstn-1;1", "c1", "c1", "6"), new LiveChannel("PJSIP/201-1", "c2", "c2", "6")], T0.AddSeconds(20));

        Assert.Empty(lost);
        Assert.Equal([(1L, T0.AddSeconds(10))], answers);
    }

    [Fact]
    public void Answers_are_handed_on_once_when_seen_campaign_on_its_originate_response_click_to_call_on_the_customers_dial()
    {
        var tracker = NewTracker();
        var answers = new List<long>();
        tracker.AnswerSeen = (id, _) => answers.Add(id);
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromSeconds(30)));
        tracker.Track(new TrackedCallStart(2, "a2", "c2", T0, TimeSpan.FromSeconds(30)) { Kind = CallKind.ClickToCall });

        tracker.Observe(new CallEvent { Kind = CallEventKind.OriginateResponse, ActionId = "a1", Response = "Success", Reason = "4" }, T0.AddSeconds(1));
        tracker.Observe(new CallEvent { Kind = CallEventKind.DialEnd, Linkedid = "c1", Channel = "Local/1@amidialer-dial-1;2", DestChannel = "Local/1@pstn-2;1", DialStatus = "ANSWER" }, T0.AddSeconds(1));
        // The agent answering is not the customer answering.
        tracker.Observe(new CallEvent { Kind = CallEventKind.OriginateResponse, ActionId = "a2", Response = "Success", Reason = "4" }, T0.AddSeconds(2));
        Assert.Equal([1L], answers);
        tracker.Observe(new CallEvent { Kind = CallEventKind.DialEnd, Linkedid = "c2", Channel = "PJSIP/201-1", DestChannel = "Local/5@outbound-3;1", DialStatus = "ANSWER" }, T0.AddSeconds(3));

        Assert.Equal([1L, 2L], answers);
    }

    [Fact]
    public void An_originate_never_written_ends_not_sent()
    {
        var tracker = NewTracker();
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromSeconds(30)));

        var facts = tracker.Forget(1, "not sent: not connected")!;

        Assert.True(facts.NotSent);
        Assert.Equal(CallOutcome.NotSent, OutcomeFacts.Decide(facts).Outcome);
    }

    [Fact]
    public void A_restart_since_the_claim_and_a_shutdown_seen_end_interrupted()
    {
        var tracker = NewTracker();
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromSeconds(30)));
        tracker.Track(new TrackedCallStart(2, "a2", "c2", T0.AddSeconds(20), TimeSpan.FromSeconds(30)));

        var restarted = Assert.Single(tracker.EndSentBefore(T0.AddSeconds(10), "asterisk restarted"));
        var shutDown = Assert.Single(tracker.EndAll("asterisk shut down"));

        Assert.True(restarted.RestartSeen);
        Assert.True(shutDown.Interrupted);
        Assert.Equal(CallOutcome.Interrupted, OutcomeFacts.Decide(restarted).Outcome);
        Assert.Equal(CallOutcome.Interrupted, OutcomeFacts.Decide(shutDown).Outcome);
    }

    [Fact]
    public void Connection_loss_alone_ends_no_call_even_past_its_ring_timeout()
    {
        var tracker = NewTracker();
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromSeconds(30)));
        tracker.MarkDisturbed();

        Assert.Empty(tracker.Poll(T0.AddMinutes(10)).Finished);
        Assert.True(tracker.IsTracking(1));
    }

    [Fact]
    public void A_call_claimed_moments_ago_is_not_judged_gone_until_it_had_time_to_exist()
    {
        var tracker = NewTracker();
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromSeconds(30)), adopted: true);

        Assert.Empty(tracker.Reconcile([], T0.AddSeconds(2)));
        Assert.Equal(1, tracker.DeferredByLastReconcile);

        var lost = Assert.Single(tracker.Reconcile([], T0 + CallTracker.InFlightAllowance + TimeSpan.FromSeconds(2)));
        Assert.Equal(0, tracker.DeferredByLastReconcile);
        Assert.Equal(1, lost.AttemptId);
    }

    [Theory]
    [InlineData("ANSWER|16|5|1796600000", CallOutcome.Answered)]
    [InlineData("BUSY|16||1796600000", CallOutcome.Busy)]
    [InlineData("NOANSWER|16||1796600000", CallOutcome.NoAnswer)]
    [InlineData("CONGESTION|16||1796600000", CallOutcome.Congestion)]
    [InlineData("CHANUNAVAIL|1||1796600000", CallOutcome.InvalidNumber)]
    [InlineData("CHANUNAVAIL|21||1796600000", CallOutcome.Rejected)]
    [InlineData("CHANUNAVAIL|0||1796600000", CallOutcome.Interrupted)]
    public void A_call_gone_unseen_ends_with_its_ledger_value(string value, CallOutcome expected)
    {
        var tracker = NewTracker();
        tracker.Track(new TrackedCallStart(1, "a1", "c1", T0, TimeSpan.FromSeconds(30)), adopted: true);
        var lost = Assert.Single(tracker.Reconcile([], T0.AddSeconds(60)));

        Assert.Equal(expected, OutcomeFacts.Decide(lost with { LedgerValue = value }).Outcome);
    }
}
