using AmiDialer.Core.Model;
using AmiDialer.Core.Outcomes;

namespace AmiDialer.Core.Tests.Outcomes;

/// <summary>
/// The rules of issue 22 against the captures: calls cut by a restart (i3, i4), the outcome ledger's values (k1, k2,
/// i4), unknown and not-sent, and a real no-answer (d3) that must stay one.
/// </summary>
public sealed class OutcomeTableRestartAndLedgerTests
{
    private static Dictionary<string, CallFacts> CallsByNumber(string rawFile) =>
        CaptureCalls.Read(rawFile, CallKind.Campaign).ToDictionary(c => c.ActionId.Split('-')[2], c => c.Facts);

    [Fact]
    public void I3_calls_cut_while_ringing_are_interrupted_and_the_answered_one_stays_answered()
    {
        var calls = CallsByNumber("i3-restart-while-ringing.dialer.raw");
        foreach (var ringing in new[] { "5550003", "5550000" })
        {
            var facts = calls[ringing];
            // What i3 shows: Failure Reason 0, DialEnd NOANSWER, every Hangup Cause 0, SoftHangupRequest Cause 4.
            Assert.Equal(("Failure", 0, true), (facts.OriginateResponse, facts.OriginateReason, facts.ShutdownSeen));
            Assert.Contains(facts.DialEnds, d => d.DialStatus == "NOANSWER");
            Assert.All(facts.Hangups, h => Assert.Equal(0, h.Cause));
            var verdict = OutcomeTable.Map(facts);
            Assert.True(verdict.Outcome == CallOutcome.Interrupted, $"{ringing}: {verdict}");
            Assert.StartsWith("4:", verdict.Rule, StringComparison.Ordinal);
            // Without the SoftHangupRequest the same events read as a final no-answer: the bug the rule fixes.
            Assert.Equal(CallOutcome.NoAnswer, OutcomeTable.Map(facts with { ShutdownSeen = false }).Outcome);
        }

        Assert.True(calls["5550007"].ShutdownSeen); // cut too, but after its callee answered
        Assert.Equal(CallOutcome.Answered, OutcomeTable.Map(calls["5550007"]).Outcome);
    }

    [Fact]
    public void D3_a_real_no_answer_stays_a_no_answer()
    {
        var (_, d3) = Assert.Single(CaptureCalls.Read("d3-originate-noanswer.raw", CallKind.Campaign));
        Assert.Equal((3, false), (d3.OriginateReason, d3.ShutdownSeen));
        Assert.Contains(d3.Hangups, h => h.Cause == 19);
        Assert.Equal(CallOutcome.NoAnswer, OutcomeTable.Map(d3).Outcome);
    }

    [Fact]
    public void The_shutdown_rule_tells_i3_from_d3_with_plain_facts()
    {
        var i3 = new CallFacts
        {
            OriginateResponse = "Failure",
            OriginateReason = 0,
            DialEnds = [new(null, "Local/5550003@pstn-00000000;1", "NOANSWER")],
            Hangups = [new("Local/5550003@pstn-00000000;2", 0, "Unknown"), new("Local/5550003@pstn-00000000;1", 0, "Unknown")],
            ShutdownSeen = true,
        };
        Assert.Equal(CallOutcome.Interrupted, OutcomeTable.Map(i3).Outcome);
        var d3 = new CallFacts
        {
            OriginateResponse = "Failure",
            OriginateReason = 3,
            Hangups = [new("Local/5550003@pstn-00000010;2", 19, "User alerting, no answer"), new("Local/5550003@pstn-00000010;1", 19, "User alerting, no answer")],
        };
        Assert.Equal(CallOutcome.NoAnswer, OutcomeTable.Map(d3).Outcome);
        // Answered before the cut stays answered (i1): the callee was reached.
        Assert.Equal(CallOutcome.Answered, OutcomeTable.Map(i3 with { OriginateResponse = "Success", OriginateReason = 4 }).Outcome);
    }

    [Fact]
    public void I4_restart_with_the_ledger_events_and_ledger_values_agree()
    {
        var calls = CallsByNumber("i4-restart-with-ledger.dialer.raw");
        var ledger = CaptureCalls.LedgerValues("i4-restart-with-ledger.after.raw");
        foreach (var (number, expected) in new[] { ("4158137493", CallOutcome.Interrupted), ("4158137490", CallOutcome.Interrupted), ("4158137497", CallOutcome.Answered) })
        {
            var value = ledger["i4-" + number];
            Assert.Equal(expected, OutcomeTable.Map(calls[number]).Outcome);
            // What a dialer that died before the restart learns afterwards: the ledger alone.
            Assert.Equal(expected, OutcomeTable.Map(new CallFacts { LedgerValue = value, EndedUnseen = true }).Outcome);
            Assert.Equal(expected, OutcomeTable.Map(new CallFacts { LedgerValue = value, RestartSeen = true }).Outcome);
        }

        Assert.Equal("CHANUNAVAIL|0||1796606783", ledger["i4-4158137493"]);
    }

    /// <summary>k1: one wrapper call per digit; the last digit of the number is the outcome the lab's pstn context makes.</summary>
    public static TheoryData<char, CallOutcome> K1Digits => new()
    {
        { '0', CallOutcome.Answered },
        { '2', CallOutcome.Busy },
        { '3', CallOutcome.NoAnswer },
        { '4', CallOutcome.Congestion },
        { '5', CallOutcome.InvalidNumber },
        { '6', CallOutcome.Answered },
        { '8', CallOutcome.Rejected },
        { '9', CallOutcome.Answered },
    };

    [Theory]
    [MemberData(nameof(K1Digits))]
    public void K1_each_wrapper_call_maps_the_same_from_its_events_and_from_its_ledger_value(char digit, CallOutcome expected)
    {
        var facts = CallsByNumber("k1-ledger-dial-outcomes.raw")["415813741" + digit];
        var value = CaptureCalls.LedgerValues("k1-ledger-dial-outcomes.raw")["k1-605884-" + digit];
        var fromEvents = OutcomeTable.Map(facts);
        Assert.True(expected == fromEvents.Outcome, $"events of digit {digit}: {fromEvents}");
        var fromLedger = OutcomeTable.Map(new CallFacts { LedgerValue = value, EndedUnseen = true });
        Assert.True(expected == fromLedger.Outcome, $"ledger {value}: {fromLedger}");
        Assert.Equal(expected, OutcomeTable.Map(facts with { LedgerValue = value }).Outcome);
        Assert.Null(fromLedger.FailureReason);
    }

    [Fact]
    public void K2_ledger_values_read_after_the_dialer_disconnected()
    {
        var ledger = CaptureCalls.LedgerValues("k2-ledger-after-disconnect.after.raw");
        var expected = new Dictionary<string, CallOutcome>
        {
            ["k2-605895-0"] = CallOutcome.Answered,
            ["k2-605895-1"] = CallOutcome.Answered,
            ["k2-605895-2"] = CallOutcome.Busy,
            ["k2-605895-3"] = CallOutcome.NoAnswer,
            ["k2-605895-6"] = CallOutcome.Answered,
            ["k2-605895-8"] = CallOutcome.Rejected,
            // Put by hand with DBPut: no dial status in it, so it tells nothing.
            ["k2-605895-manual"] = CallOutcome.Unknown,
        };
        Assert.Equal(expected.Keys.Order(), ledger.Keys.Order());
        foreach (var (key, value) in ledger)
        {
            var verdict = OutcomeTable.Map(new CallFacts { LedgerValue = value, EndedUnseen = true });
            Assert.True(expected[key] == verdict.Outcome, $"{key} = {value}: {verdict}");
        }
    }

    [Theory]
    [InlineData("CHANUNAVAIL|0||1796606783", CallOutcome.Interrupted, null)]
    [InlineData("CHANUNAVAIL|||1796606783", CallOutcome.Interrupted, null)]
    [InlineData("CHANUNAVAIL|1||1796605884", CallOutcome.InvalidNumber, null)]
    [InlineData("CHANUNAVAIL|21||1796605888", CallOutcome.Rejected, null)]
    [InlineData("CHANUNAVAIL|38||1796605888", CallOutcome.Failed, FailureReasons.ChannelUnavailable)]
    [InlineData("CHANUNAVAIL|16||1796605888", CallOutcome.Failed, FailureReasons.ChannelUnavailable)]
    [InlineData("CANCEL|16||1796605888", CallOutcome.Failed, FailureReasons.Cancelled)]
    [InlineData("busy|16||1796605884", CallOutcome.Busy, null)]
    [InlineData("ANSWER|16|0|1796605884", CallOutcome.Answered, null)]
    public void Ledger_values_without_a_capture(string value, CallOutcome outcome, string? failure)
    {
        var v = OutcomeTable.Map(new CallFacts { LedgerValue = value, EndedUnseen = true });
        Assert.Equal((outcome, failure), (v.Outcome, v.FailureReason));
    }

    [Fact]
    public void A_ledger_value_says_more_than_a_restart_seen_since_the_claim()
    {
        // The call ended busy before Asterisk restarted (AstDB survives a restart): busy, not interrupted.
        Assert.Equal(CallOutcome.Busy, OutcomeTable.Map(new CallFacts { LedgerValue = "BUSY|16||1796605884", RestartSeen = true }).Outcome);
        Assert.Equal(CallOutcome.NoAnswer, OutcomeTable.Map(new CallFacts { LedgerValue = "NOANSWER|16||1796605884", Interrupted = true }).Outcome);
        // No ledger value: the restart is all there is to go on.
        Assert.Equal(CallOutcome.Interrupted, OutcomeTable.Map(new CallFacts { RestartSeen = true, EndedUnseen = true }).Outcome);
        // A SoftHangupRequest Cause 4 was seen on the call itself: interrupted (i4's ledger says CHANUNAVAIL|0 then anyway).
        Assert.Equal(CallOutcome.Interrupted, OutcomeTable.Map(new CallFacts { LedgerValue = "CHANUNAVAIL|0||1796606783", ShutdownSeen = true }).Outcome);
    }

    [Fact]
    public void Ended_unseen_with_nothing_else_is_unknown()
    {
        var v = OutcomeTable.Map(new CallFacts { EndedUnseen = true });
        Assert.Equal((CallOutcome.Unknown, (string?)null), (v.Outcome, v.FailureReason));
        Assert.Contains("ended while the dialer was down: outcome unknown", v.Rule, StringComparison.Ordinal);
        // Anything that tells more wins: an answer committed when it was seen, a cause, a ledger value.
        Assert.Equal(CallOutcome.Answered, OutcomeTable.Map(new CallFacts { EndedUnseen = true, OriginateResponse = "Success", OriginateReason = 4 }).Outcome);
        Assert.Equal(CallOutcome.Busy, OutcomeTable.Map(new CallFacts { EndedUnseen = true, Hangups = [new("PJSIP/trunk-00000001", 17, "User busy")] }).Outcome);
        Assert.Equal(CallOutcome.Busy, OutcomeTable.Map(new CallFacts { EndedUnseen = true, LedgerValue = "BUSY|16||1796605884" }).Outcome);
        // A timeout is not a failure when the call may have gone on unseen.
        Assert.Equal(CallOutcome.Unknown, OutcomeTable.Map(new CallFacts { EndedUnseen = true, TimedOut = true }).Outcome);
    }

    [Fact]
    public void Not_sent_unless_anything_says_the_callee_answered()
    {
        var v = OutcomeTable.Map(new CallFacts { NotSent = true });
        Assert.Equal((CallOutcome.NotSent, (string?)null), (v.Outcome, v.FailureReason));
        Assert.Equal(CallOutcome.NotSent, OutcomeTable.Map(new CallFacts { NotSent = true, TimedOut = true }).Outcome);
        // Contradictory facts never re-dial someone who may have answered.
        Assert.Equal(CallOutcome.Answered, OutcomeTable.Map(new CallFacts { NotSent = true, OriginateResponse = "Success", OriginateReason = 4 }).Outcome);
        Assert.Equal(CallOutcome.Answered, OutcomeTable.Map(new CallFacts { NotSent = true, LedgerValue = "ANSWER|16|5|1796605891" }).Outcome);
        Assert.Equal((CallOutcome.Failed, FailureReasons.AmiError), (OutcomeTable.Map(new CallFacts { NotSent = true, OriginateRefused = true }).Outcome, OutcomeTable.Map(new CallFacts { NotSent = true, OriginateRefused = true }).FailureReason));
    }

    [Fact]
    public void Click_to_call_agent_cut_while_ringing_by_a_restart_is_interrupted_not_agent_no_answer()
    {
        var facts = new CallFacts
        {
            Kind = CallKind.ClickToCall,
            OriginateResponse = "Failure",
            OriginateReason = 0,
            DialEnds = [new(null, "PJSIP/101-00000001", "NOANSWER")],
            Hangups = [new("PJSIP/101-00000001", 0, "Unknown")],
            ShutdownSeen = true,
        };
        Assert.Equal(CallOutcome.Interrupted, OutcomeTable.Map(facts).Outcome);
        Assert.Equal(CallOutcome.AgentNoAnswer, OutcomeTable.Map(facts with { ShutdownSeen = false }).Outcome);
        // The customer's ledger (the -customer key) decides once it is read.
        Assert.Equal(CallOutcome.Busy, OutcomeTable.Map(facts with { ShutdownSeen = false, OriginateResponse = "Success", OriginateReason = 4, LedgerValue = "BUSY|16||1796605942" }).Outcome);
    }
}
