using AmiDialer.Core.Model;
using AmiDialer.Core.Outcomes;

namespace AmiDialer.Core.Tests.Outcomes;

public sealed class OutcomeTableTests
{
    /// <summary>Each capture's own call, read from the recorded bytes, mapped through the table.</summary>
    [Theory]
    [InlineData("d0-originate-answered.raw", CallOutcome.Answered, null, "ANSWER", 16)]
    [InlineData("d1-originate-answered.raw", CallOutcome.Answered, null, "ANSWER", 16)]
    [InlineData("d2-originate-busy.raw", CallOutcome.Busy, null, "BUSY", 17)]
    [InlineData("d3-originate-noanswer.raw", CallOutcome.NoAnswer, null, null, 19)]
    [InlineData("d4-originate-congestion.raw", CallOutcome.Congestion, null, "CONGESTION", 34)]
    [InlineData("d5-originate-unallocated.raw", CallOutcome.InvalidNumber, null, "NOANSWER", 1)]
    [InlineData("d6-originate-short-answered.raw", CallOutcome.Answered, null, "ANSWER", 16)]
    [InlineData("d7-originate-long-call.raw", CallOutcome.Answered, null, "ANSWER", 16)]
    [InlineData("d8-originate-rejected.raw", CallOutcome.Rejected, null, "NOANSWER", 21)]
    [InlineData("d9-originate-answered-playback.raw", CallOutcome.Answered, null, "ANSWER", 16)]
    [InlineData("d10-originate-channelid.raw", CallOutcome.Answered, null, "ANSWER", 16)]
    [InlineData("d12-originate-channelid-busy.raw", CallOutcome.Busy, null, "BUSY", 17)]
    [InlineData("d13-originate-application.raw", CallOutcome.Answered, null, "ANSWER", 0)]
    [InlineData("e1-redirect-live-call.raw", CallOutcome.Answered, null, "ANSWER", 16)]
    [InlineData("e3-redirect-to-missing-context.raw", CallOutcome.Answered, null, "ANSWER", 0)]
    [InlineData("i1-restart-core-restart-now.dialer.raw", CallOutcome.Answered, null, "ANSWER", 0)]
    public void Campaign_captures(string file, CallOutcome outcome, string? failure, string? dialStatus, int cause)
    {
        var (_, facts) = Assert.Single(CaptureCalls.Read(file, CallKind.Campaign));
        var verdict = OutcomeTable.Map(facts);
        Assert.Equal((outcome, failure, dialStatus, (int?)cause), (verdict.Outcome, verdict.FailureReason, verdict.DialStatus, verdict.HangupCause));
        Assert.Equal(facts.OriginateReason.ToString(), verdict.Reason);
    }

    [Fact]
    public void D11_unknown_technology_and_missing_context()
    {
        var calls = CaptureCalls.Read("d11-originate-errors.raw", CallKind.Campaign);
        Assert.Equal(2, calls.Count);
        var bogus = OutcomeTable.Map(calls[0].Facts); // Bogus/5550000: Failure, Reason 0, no channel at all
        Assert.Equal((CallOutcome.Failed, FailureReasons.ChannelUnavailable), (bogus.Outcome, bogus.FailureReason));
        var missing = OutcomeTable.Map(calls[1].Facts); // Local/...@nosuchcontext: both halves hang up with cause 0
        Assert.Equal((CallOutcome.Failed, FailureReasons.Unknown, 0), (missing.Outcome, missing.FailureReason, missing.HangupCause));
    }

    [Fact]
    public void G2_ringing_call_hung_up_by_our_hangup_action_is_a_no_answer()
    {
        var calls = CaptureCalls.Read("g2-coreshowchannels-status.raw", CallKind.Campaign).ToDictionary(c => c.Facts.OriginateResponse!, c => c.Facts);
        Assert.Equal(CallOutcome.Answered, OutcomeTable.Map(calls["Success"]).Outcome); // 5550007
        var ringing = OutcomeTable.Map(calls["Failure"]); // 5550003: Failure/0, DialEnd NOANSWER, causes 16
        Assert.Equal((CallOutcome.NoAnswer, "NOANSWER"), (ringing.Outcome, ringing.DialStatus));
    }

    [Fact]
    public void Every_call_of_the_200_originate_burst_maps_to_the_outcome_its_last_digit_was_made_for()
    {
        var calls = CaptureCalls.Read("h-burst-200-originates.raw", CallKind.Campaign);
        Assert.Equal(200, calls.Count);
        foreach (var (actionId, facts) in calls)
        {
            var expected = actionId[^1] switch
            {
                '2' => CallOutcome.Busy,
                '3' => CallOutcome.NoAnswer,
                '4' => CallOutcome.Congestion,
                '5' => CallOutcome.InvalidNumber,
                '8' => CallOutcome.Rejected,
                _ => CallOutcome.Answered,
            };
            Assert.True(expected == OutcomeTable.Map(facts).Outcome, $"{actionId}: expected {expected}, got {OutcomeTable.Map(facts)}");
        }
    }

    /// <summary>Click-to-call: OriginateResponse is Success/4 in every file (the agent answered); the customer's outcome is elsewhere.</summary>
    [Theory]
    [InlineData("j0-click-to-call-answered.raw", CallOutcome.Answered, "ANSWER", 16)]
    [InlineData("j2-click-to-call-busy.raw", CallOutcome.Busy, "BUSY", 17)]
    [InlineData("j3-click-to-call-noanswer.raw", CallOutcome.NoAnswer, "NOANSWER", 0)]
    [InlineData("j4-click-to-call-congestion.raw", CallOutcome.Congestion, "CONGESTION", 34)]
    [InlineData("j5-click-to-call-unallocated.raw", CallOutcome.InvalidNumber, "NOANSWER", 1)]
    [InlineData("j8-click-to-call-rejected.raw", CallOutcome.Rejected, "NOANSWER", 21)]
    public void Click_to_call_captures(string file, CallOutcome outcome, string dialStatus, int cause)
    {
        var (_, facts) = Assert.Single(CaptureCalls.Read(file, CallKind.ClickToCall));
        Assert.Equal(("Success", 4), (facts.OriginateResponse, facts.OriginateReason));
        var verdict = OutcomeTable.Map(facts);
        Assert.Equal((outcome, (string?)null, dialStatus, (int?)cause), (verdict.Outcome, verdict.FailureReason, verdict.DialStatus, verdict.HangupCause));
    }

    [Fact]
    public void Click_to_call_ignores_the_agent_legs_dial_and_the_tail_of_another_call()
    {
        // j0 also carries the tail of an earlier no-answer call (Linkedid 1795696704.42); tying by Linkedid leaves it out.
        var (_, facts) = Assert.Single(CaptureCalls.Read("j0-click-to-call-answered.raw", CallKind.ClickToCall));
        Assert.Equal(4, facts.Hangups.Count);
        Assert.DoesNotContain(facts.DialEnds, d => d.DialStatus == "NOANSWER");
    }

    [Fact]
    public void The_same_click_to_call_facts_read_as_a_campaign_call_would_be_wrong_which_is_why_the_kind_matters()
    {
        var (_, facts) = Assert.Single(CaptureCalls.Read("j2-click-to-call-busy.raw", CallKind.ClickToCall));
        Assert.Equal(CallOutcome.Answered, OutcomeTable.Map(facts with { Kind = CallKind.Campaign }).Outcome);
        Assert.Equal(CallOutcome.Busy, OutcomeTable.Map(facts).Outcome);
    }

    // The cases below have no capture; the values are the ones Asterisk documents for them.

    [Fact]
    public void Click_to_call_agent_who_does_not_answer()
    {
        var facts = new CallFacts
        {
            Kind = CallKind.ClickToCall,
            OriginateResponse = "Failure",
            OriginateReason = 3,
            Hangups = [new("Local/101@agentphone-00000030;2", 19, "User alerting, no answer"), new("Local/101@agentphone-00000030;1", 19, "User alerting, no answer")],
        };
        Assert.Equal(CallOutcome.AgentNoAnswer, OutcomeTable.Map(facts).Outcome);
        Assert.Equal(CallOutcome.AgentNoAnswer, OutcomeTable.Map(facts with { OriginateReason = 5 }).Outcome); // agent busy
        var nothing = OutcomeTable.Map(facts with { OriginateReason = 0, Hangups = [] }); // e.g. Bogus/101
        Assert.Equal((CallOutcome.Failed, FailureReasons.ChannelUnavailable), (nothing.Outcome, nothing.FailureReason));
    }

    [Fact]
    public void Click_to_call_agent_answered_then_hung_up_before_the_customer_answered()
    {
        var facts = new CallFacts
        {
            Kind = CallKind.ClickToCall,
            OriginateResponse = "Success",
            OriginateReason = 4,
            DialEnds = [new(null, "PJSIP/101-00000001", "ANSWER"), new("PJSIP/101-00000001", "PJSIP/trunk-00000002", "CANCEL")],
            Hangups = [new("PJSIP/trunk-00000002", 0, "Unknown"), new("PJSIP/101-00000001", 16, "Normal Clearing")],
        };
        var verdict = OutcomeTable.Map(facts);
        Assert.Equal((CallOutcome.Failed, FailureReasons.Cancelled, "CANCEL"), (verdict.Outcome, verdict.FailureReason, verdict.DialStatus));
    }

    [Fact]
    public void Click_to_call_agent_answered_and_no_customer_was_dialed()
    {
        var facts = new CallFacts
        {
            Kind = CallKind.ClickToCall,
            OriginateResponse = "Success",
            OriginateReason = 4,
            DialEnds = [new(null, "PJSIP/101-00000001", "ANSWER")],
            Hangups = [new("PJSIP/101-00000001", 16, "Normal Clearing")],
        };
        Assert.Equal((CallOutcome.Failed, FailureReasons.Unknown), (OutcomeTable.Map(facts).Outcome, OutcomeTable.Map(facts).FailureReason));
        Assert.Null(OutcomeTable.Map(facts).HangupCause); // the agent's cause is not the customer's
    }

    [Fact]
    public void Refused_originate_is_an_ami_error()
    {
        var v = OutcomeTable.Map(new CallFacts { OriginateRefused = true });
        Assert.Equal((CallOutcome.Failed, FailureReasons.AmiError), (v.Outcome, v.FailureReason));
    }

    [Fact]
    public void No_originate_response_in_time_is_a_timeout_unless_the_channels_told_more()
    {
        var v = OutcomeTable.Map(new CallFacts { TimedOut = true });
        Assert.Equal((CallOutcome.Failed, FailureReasons.Timeout), (v.Outcome, v.FailureReason));
        var busy = new CallFacts { TimedOut = true, Hangups = [new("PJSIP/trunk-00000001", 17, "User busy")] };
        Assert.Equal(CallOutcome.Busy, OutcomeTable.Map(busy).Outcome);
    }

    [Fact]
    public void Interrupted_unless_the_call_was_already_answered()
    {
        // Restart while ringing: SoftHangupRequest 4 and Hangup cause 0 on both halves (as in i1), no answer seen.
        var ringing = new CallFacts
        {
            Interrupted = true,
            Hangups = [new("Local/5550003@pstn-000000e0;2", 0, "Unknown"), new("Local/5550003@pstn-000000e0;1", 0, "Unknown")],
        };
        Assert.Equal(CallOutcome.Interrupted, OutcomeTable.Map(ringing).Outcome);
        Assert.Equal(CallOutcome.Interrupted, OutcomeTable.Map(ringing with { DialEnds = [new(null, "Local/5550003@pstn-000000e0;1", "CANCEL")] }).Outcome);
        Assert.Equal(CallOutcome.Interrupted, OutcomeTable.Map(new CallFacts { Interrupted = true, TimedOut = true }).Outcome);
        Assert.Equal(CallOutcome.Answered, OutcomeTable.Map(ringing with { OriginateResponse = "Success", OriginateReason = 4 }).Outcome);
    }

    [Theory]
    [InlineData("CHANUNAVAIL", 0, CallOutcome.Failed, FailureReasons.ChannelUnavailable)]
    [InlineData("CHANUNAVAIL", 1, CallOutcome.InvalidNumber, null)] // e.g. a SIP 404 from the trunk
    [InlineData("CHANUNAVAIL", 17, CallOutcome.Failed, FailureReasons.ChannelUnavailable)] // DialStatus beats a generic cause
    [InlineData("NOANSWER", 18, CallOutcome.NoAnswer, null)]
    [InlineData("DONTCALL", 16, CallOutcome.Rejected, null)]
    [InlineData("TORTURE", 16, CallOutcome.Rejected, null)]
    [InlineData("INVALIDARGS", 0, CallOutcome.Failed, FailureReasons.Unknown)]
    [InlineData(null, 27, CallOutcome.Failed, FailureReasons.ChannelUnavailable)]
    [InlineData(null, 42, CallOutcome.Congestion, null)]
    [InlineData(null, 20, CallOutcome.NoAnswer, null)]
    [InlineData(null, 28, CallOutcome.InvalidNumber, null)]
    [InlineData("busy", 0, CallOutcome.Busy, null)] // DialStatus compared without case
    public void Trunk_dial_statuses_and_causes_without_a_capture(string? dialStatus, int cause, CallOutcome outcome, string? failure)
    {
        // A campaign call through Local/...@outbound whose dialplan Dial()s a trunk: Originate fails with Reason 0.
        var facts = new CallFacts
        {
            OriginateResponse = "Failure",
            OriginateReason = 0,
            DialEnds = dialStatus is null ? [] : [new("Local/4155550123@outbound-00000001;2", "PJSIP/trunk-00000002", dialStatus)],
            Hangups = [new("PJSIP/trunk-00000002", cause, null), new("Local/4155550123@outbound-00000001;2", 16, null), new("Local/4155550123@outbound-00000001;1", 0, null)],
        };
        var v = OutcomeTable.Map(facts);
        Assert.Equal((outcome, failure), (v.Outcome, v.FailureReason));
    }

    [Fact]
    public void The_most_specific_cause_wins_when_legs_disagree()
    {
        var facts = new CallFacts
        {
            OriginateResponse = "Failure",
            OriginateReason = 0,
            Hangups = [new("a;1", 19, null), new("a;2", 17, null), new("b", 21, null)],
        };
        var v = OutcomeTable.Map(facts);
        Assert.Equal((CallOutcome.Rejected, 21), (v.Outcome, v.HangupCause));
    }
}
