using AmiDialer.Core.Model;

namespace AmiDialer.Core.Outcomes;

/// <summary>
/// THE mapping from what Asterisk reported about a call to its <see cref="CallOutcome"/>. Every value below was seen in
/// the real captures in tests/captures (d0-d13 for campaign calls, j0-j8 for click-to-call) unless marked.
/// </summary>
/// <remarks>
/// <para><b>Sources.</b> OriginateResponse <c>Reason</c> is an AST_CONTROL code: 4 answered, 5 busy, 8 congestion,
/// 3 still ringing at Timeout, 0 anything else (unallocated, rejected, unknown technology, missing context).
/// DialEnd <c>DialStatus</c>: ANSWER, BUSY, NOANSWER, CONGESTION, CHANUNAVAIL, CANCEL, DONTCALL, TORTURE, INVALIDARGS.
/// Hangup <c>Cause</c> is Q.850 (<see cref="HangupCauses"/>); the originating half of a Local channel often shows 0.</para>
/// <para><b>Customer legs.</b> Campaign: every channel of the call. Click-to-call: the channels a dialplan
/// <c>Dial()</c> rang (DialEnd with a <c>Channel</c>; its <c>DestChannel</c>) and, for Local channels, their other half.
/// The DialEnd without a <c>Channel</c> is the Originate's own dial: for click-to-call it is the agent's leg.</para>
/// <para><b>Rules, first match wins.</b></para>
/// <list type="number">
/// <item>Originate action refused (<c>Response: Error</c>) → failed / ami-error.</item>
/// <item>Answered: campaign OriginateResponse <c>Success</c> (Reason 4: d0, d1, d6, d7, d9, d10, d13, e1, i1, k1), any
/// DialEnd ANSWER, a customer DialEnd ANSWER for click-to-call (j0), an answer committed earlier
/// (<see cref="CallFacts.AnswerSeen"/>), or a ledger value <c>ANSWER|...</c> (k1, k2, i4)
/// → answered, even if the call was later cut (i1, i3, i4): the callee was reached, and calling again would be a
/// second call they did not expect. Above every rule below, not-sent included: any sign of an answer wins.</item>
/// <item>Proven never sent (<see cref="CallFacts.NotSent"/>) → not-sent: the lead is due again.</item>
/// <item>Cut by Asterisk going down: a SoftHangupRequest <c>Cause: 4</c> on any channel (i1, i3, i4) → interrupted.
/// Above every rule below: i3's calls cut while ringing say DialEnd NOANSWER, Reason 0, Hangup Cause 0, which would
/// otherwise read as a final no-answer (and a click-to-call agent cut while ringing as agent-no-answer).</item>
/// <item>Click-to-call only: OriginateResponse <c>Failure</c> (the agent's phone never answered: Reason 3 timeout, 5 busy,
/// 8 congestion, 0 other) → agent-no-answer; with no channel at all → failed / channel-unavailable.</item>
/// <item>The ledger's value (k1, k2, i4), when it was read: <c>CHANUNAVAIL|0</c> → interrupted (i4: what a restart
/// leaves), <c>CHANUNAVAIL|1</c> → invalid-number, <c>CHANUNAVAIL|21</c> → rejected (k1), any other CHANUNAVAIL by its
/// cause or else failed / channel-unavailable; BUSY, NOANSWER, CONGESTION (k1), CANCEL and the rest as DialStatus in
/// rule 10. A value with no dial status in it (k2's <c>MANUAL|16|0</c>, put by hand) tells nothing and falls through.</item>
/// <item>A restart seen since the claim (<see cref="CallFacts.RestartSeen"/>), or a Shutdown while the call was live
/// (<see cref="CallFacts.Interrupted"/>) → interrupted. Below the ledger: those only say Asterisk went down at some
/// point, while the ledger says how the call itself ended (a call that ended busy before the restart holds BUSY; one
/// the restart cut holds CHANUNAVAIL|0, i4).</item>
/// <item>A customer leg's cause that only the cause can tell: 1 (d5, j5) → invalid-number; 21 (d8, j8) → rejected
/// (their DialStatus is NOANSWER and their Reason 0, like a plain no-answer).</item>
/// <item>Campaign OriginateResponse Reason 5 → busy (d2, d12), 8 → congestion (d4), 3 → no-answer (d3).</item>
/// <item>Customer DialStatus: BUSY → busy (j2), CONGESTION → congestion (j4), NOANSWER → no-answer (j3, g2),
/// CHANUNAVAIL → failed / channel-unavailable, DONTCALL/TORTURE → rejected, INVALIDARGS → failed / unknown.</item>
/// <item>The most specific customer-leg cause: 17 busy, 34/41/42/44/47 congestion, 18/19/20 no-answer, 27/38 failed /
/// channel-unavailable (and 2/3/22/28 invalid-number, by rule 8).</item>
/// <item>Ended while no dialer was connected, and nothing above tells how → unknown (final, never re-dialed automatically).</item>
/// <item>No OriginateResponse by ring timeout + grace → failed / timeout.</item>
/// <item>Customer DialStatus CANCEL → failed / cancelled.</item>
/// <item>OriginateResponse <c>Failure</c> and no channel ever existed (d11 <c>Bogus/...</c>) → failed / channel-unavailable.</item>
/// <item>Anything else (d11 missing context: Reason 0, causes 0; click-to-call where the agent answered but no
/// customer was dialed) → failed / unknown.</item>
/// </list>
/// </remarks>
public static class OutcomeTable
{
    public static OutcomeVerdict Map(CallFacts facts)
    {
        var reason = facts.OriginateReason?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var legs = CustomerLegs(facts);
        var customerDial = CustomerDialEnd(facts);
        var dialStatus = customerDial?.DialStatus?.Trim().ToUpperInvariant();
        var telling = MostTellingCause(legs);
        var shownCause = telling ?? legs.FirstOrDefault(h => h.Cause != 0) ?? legs.FirstOrDefault();

        OutcomeVerdict Verdict(CallOutcome outcome, string? failure, string rule, HangupFact? cause = null)
        {
            var c = cause ?? shownCause;
            return new(outcome, failure, reason, customerDial?.DialStatus, c?.Cause, c?.CauseText, rule);
        }

        var orSuccess = string.Equals(facts.OriginateResponse, "Success", StringComparison.OrdinalIgnoreCase);
        var orFailure = string.Equals(facts.OriginateResponse, "Failure", StringComparison.OrdinalIgnoreCase);

        if (facts.OriginateRefused)
        {
            return Verdict(CallOutcome.Failed, FailureReasons.AmiError, "1: Originate refused by Asterisk");
        }

        var ledger = LedgerEntry.TryParse(facts.LedgerValue);

        // Campaign: the originated channel is the callee, so its Success (or any ANSWER) means the callee answered.
        // Click-to-call: Success and the first ANSWER are the agent's; only the customer's own Dial() counts.
        var answered = facts.AnswerSeen || (facts.Kind == CallKind.Campaign
            ? orSuccess || facts.DialEnds.Any(d => IsAnswer(d.DialStatus))
            : dialStatus == "ANSWER");
        if (answered || ledger?.DialStatus == "ANSWER")
        {
            return Verdict(CallOutcome.Answered, null, answered ? "2: answered" : "2: answered (ledger)");
        }

        if (facts.NotSent)
        {
            return Verdict(CallOutcome.NotSent, null, "3: the Originate never reached Asterisk");
        }

        if (facts.ShutdownSeen)
        {
            return Verdict(CallOutcome.Interrupted, null, "4: cut by Asterisk going down (SoftHangupRequest Cause 4)");
        }

        if (facts.Kind == CallKind.ClickToCall && orFailure && ledger is null)
        {
            return facts.Hangups.Count == 0
                ? Verdict(CallOutcome.Failed, FailureReasons.ChannelUnavailable, "5: agent channel could not be created")
                : Verdict(CallOutcome.AgentNoAnswer, null, $"5: agent leg failed (Reason {reason ?? "none"})");
        }

        if (ledger is { } entry)
        {
            OutcomeVerdict FromLedger(CallOutcome outcome, string? failure) =>
                new(outcome, failure, reason, entry.DialStatus, entry.Cause, null, $"6: ledger {entry.DialStatus}|{entry.Cause?.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            switch (entry.DialStatus)
            {
                case "CHANUNAVAIL" when entry.Cause is null or 0: return FromLedger(CallOutcome.Interrupted, null);
                case "CHANUNAVAIL" when entry.Cause is { } c && HangupCauses.Classify(c) is { } byCause: return FromLedger(byCause.Outcome, byCause.FailureReason);
                case "CHANUNAVAIL": return FromLedger(CallOutcome.Failed, FailureReasons.ChannelUnavailable);
                case "BUSY": return FromLedger(CallOutcome.Busy, null);
                case "CONGESTION": return FromLedger(CallOutcome.Congestion, null);
                case "NOANSWER": return FromLedger(CallOutcome.NoAnswer, null);
                case "DONTCALL" or "TORTURE": return FromLedger(CallOutcome.Rejected, null);
                case "CANCEL": return FromLedger(CallOutcome.Failed, FailureReasons.Cancelled);
                case "INVALIDARGS": return FromLedger(CallOutcome.Failed, FailureReasons.Unknown);
            }
        }

        if (facts.RestartSeen || facts.Interrupted)
        {
            return Verdict(CallOutcome.Interrupted, null, $"7: cut by Asterisk going down ({(facts.RestartSeen ? "Asterisk restarted since the claim" : "Shutdown while live")})");
        }

        if (telling is not null && HangupCauses.Classify(telling.Cause)?.Outcome is CallOutcome.InvalidNumber or CallOutcome.Rejected)
        {
            var o = HangupCauses.Classify(telling.Cause)!.Value.Outcome;
            return Verdict(o, null, $"8: customer leg cause {telling.Cause}", telling);
        }

        if (facts.Kind == CallKind.Campaign && orFailure)
        {
            switch (facts.OriginateReason)
            {
                case 5: return Verdict(CallOutcome.Busy, null, "9: Reason 5");
                case 8: return Verdict(CallOutcome.Congestion, null, "9: Reason 8");
                case 3: return Verdict(CallOutcome.NoAnswer, null, "9: Reason 3");
            }
        }

        switch (dialStatus)
        {
            case "BUSY": return Verdict(CallOutcome.Busy, null, "10: DialStatus BUSY");
            case "CONGESTION": return Verdict(CallOutcome.Congestion, null, "10: DialStatus CONGESTION");
            case "NOANSWER": return Verdict(CallOutcome.NoAnswer, null, "10: DialStatus NOANSWER");
            case "CHANUNAVAIL": return Verdict(CallOutcome.Failed, FailureReasons.ChannelUnavailable, "10: DialStatus CHANUNAVAIL");
            case "DONTCALL" or "TORTURE": return Verdict(CallOutcome.Rejected, null, $"10: DialStatus {dialStatus}");
            case "INVALIDARGS": return Verdict(CallOutcome.Failed, FailureReasons.Unknown, "10: DialStatus INVALIDARGS");
        }

        if (telling is not null)
        {
            var (o, failure) = HangupCauses.Classify(telling.Cause)!.Value;
            return Verdict(o, failure, $"11: customer leg cause {telling.Cause}", telling);
        }

        if (facts.EndedUnseen)
        {
            return Verdict(CallOutcome.Unknown, null, "12: ended while the dialer was down: outcome unknown");
        }

        if (facts.TimedOut && facts.OriginateResponse is null)
        {
            return Verdict(CallOutcome.Failed, FailureReasons.Timeout, "13: no OriginateResponse in time");
        }

        if (dialStatus == "CANCEL")
        {
            return Verdict(CallOutcome.Failed, FailureReasons.Cancelled, "14: DialStatus CANCEL");
        }

        if (orFailure && facts.Hangups.Count == 0)
        {
            return Verdict(CallOutcome.Failed, FailureReasons.ChannelUnavailable, "15: no channel was created");
        }

        return Verdict(CallOutcome.Failed, FailureReasons.Unknown, "16: nothing tells what happened");
    }

    private static bool IsAnswer(string? dialStatus) => string.Equals(dialStatus?.Trim(), "ANSWER", StringComparison.OrdinalIgnoreCase);

    /// <summary>The last DialEnd of a dialplan Dial(); for a campaign call without one, the Originate's own dial.</summary>
    private static DialEndFact? CustomerDialEnd(CallFacts facts)
    {
        var dialplanDial = facts.DialEnds.LastOrDefault(d => !string.IsNullOrEmpty(d.Channel));
        return dialplanDial ?? (facts.Kind == CallKind.Campaign ? facts.DialEnds.LastOrDefault() : null);
    }

    private static List<HangupFact> CustomerLegs(CallFacts facts)
    {
        if (facts.Kind == CallKind.Campaign)
        {
            return facts.Hangups.ToList();
        }

        var dialed = facts.DialEnds
            .Where(d => !string.IsNullOrEmpty(d.Channel) && !string.IsNullOrEmpty(d.DestChannel))
            .Select(d => LocalBase(d.DestChannel!))
            .ToHashSet(StringComparer.Ordinal);
        return facts.Hangups.Where(h => dialed.Contains(LocalBase(h.Channel))).ToList();
    }

    /// <summary><c>Local/x@pstn-00000020;1</c> and <c>;2</c> are two halves of one Local channel: same base.</summary>
    private static string LocalBase(string channel) =>
        channel.Length > 2 && channel[^2] == ';' && channel[^1] is '1' or '2' ? channel[..^2] : channel;

    private static HangupFact? MostTellingCause(List<HangupFact> legs) =>
        legs.Where(h => HangupCauses.Classify(h.Cause) is not null)
            .OrderBy(h => HangupCauses.Rank(HangupCauses.Classify(h.Cause)!.Value.Outcome))
            .FirstOrDefault();
}
