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
        var disturbedWithoutAnswer = facts.Disturbed && facts.OriginateResult is null;
        return new CoreFacts
        {
            Kind = kind,
            OriginateRefused = facts.Finality == Finality.Rejected,
            OriginateResponse = facts.OriginateResult,
            OriginateReason = int.TryParse(facts.Reason, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var reason) ? reason : null,
            DialEnds = facts.DialEnds.Select(d => new DialEndFact(d.Channel, d.DestChannel, d.DialStatus)).ToList(),
            Hangups = facts.Channels.Where(c => c.HungUpAt is not null).Select(c => new HangupFact(c.Name ?? c.Uniqueid, c.Cause ?? 0, c.CauseText)).ToList(),
            // A call that timed out while our link was down may well have had its OriginateResponse go by unseen.
            TimedOut = facts.Finality == Finality.OriginateTimeout && !disturbedWithoutAnswer,
            ShutdownSeen = facts.ShutdownSeen,
            Interrupted = facts.Finality == Finality.Lost || (facts.Finality == Finality.OriginateTimeout && disturbedWithoutAnswer),
        };
    }
}
