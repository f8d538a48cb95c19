using AmiDialer.Core.Outcomes;
using CoreFacts = AmiDialer.Core.Outcomes.CallFacts;

namespace AmiDialer.Engine.Tracking;

/// <summary>Hands what the tracker collected to Core's one outcome table.</summary>
public static class OutcomeFacts
{
    public static OutcomeVerdict Decide(CallFacts facts, CallKind kind = CallKind.Campaign)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return OutcomeTable.Map(ToCore(facts, kind));
    }

    public static CoreFacts ToCore(CallFacts facts, CallKind kind = CallKind.Campaign)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return new CoreFacts
        {
            Kind = kind,
            OriginateRefused = facts.Finality == Finality.Rejected,
            OriginateResponse = facts.OriginateResult,
            OriginateReason = int.TryParse(facts.Reason, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var reason) ? reason : null,
            DialEnds = facts.DialEnds.Select(d => new DialEndFact(d.Channel, d.DestChannel, d.DialStatus)).ToList(),
            Hangups = facts.Channels.Where(c => c.HungUpAt is not null).Select(c => new HangupFact(c.Name ?? c.Uniqueid, c.Cause ?? 0, c.CauseText)).ToList(),
            TimedOut = facts.Finality == Finality.OriginateTimeout,
            ShutdownSeen = facts.ShutdownSeen,
            // Lost alone is no outcome: only a cut seen (Shutdown, a restart) is interrupted; the rest is the ledger's or unknown.
            Interrupted = facts.Interrupted,
            RestartSeen = facts.RestartSeen,
            AnswerSeen = facts.AnswerSeen,
            LedgerValue = facts.LedgerValue,
            // A call taken over (after our restart, or a reconnect that may have hidden its OriginateResponse) whose
            // response never came was seen only in part: a hangup with cause 16 after an answer nobody saw must not read
            // as "nothing tells, failed". What its later events do tell (a DialEnd, a telling cause) still decides first.
            EndedUnseen = facts.EndedUnseen || (facts.Adopted && facts.OriginateResult is null && facts.Finality == Finality.Completed),
            NotSent = facts.NotSent,
        };
    }
}
