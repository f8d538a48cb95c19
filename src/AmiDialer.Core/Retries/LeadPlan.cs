using AmiDialer.Core.Model;
using AmiDialer.Core.Scheduling;

namespace AmiDialer.Core.Retries;

/// <summary>What the store records for a lead after an attempt: its state, final outcome and <c>next_eligible_at</c>.</summary>
public sealed record LeadPlan(LeadState State, CallOutcome? FinalOutcome, DateTimeOffset? NextEligibleAt)
{
    /// <summary>
    /// Puts a retry decision through the calling hours and the campaign's schedule
    /// (<see cref="DialingSchedule.NextDueAt"/>). A retry whose hours open only after the campaign's end keeps that
    /// time (the end expires the lead); one that can never happen at all makes the lead
    /// <see cref="LeadState.Expired"/> (with its last outcome as final), so no lead waits with no time to wait for.
    /// </summary>
    public static LeadPlan From(LeadDecision decision, DialingSchedule schedule, IReadOnlyList<string> calleeZones)
    {
        if (decision.State != LeadState.WaitingRetry)
        {
            return new(decision.State, decision.FinalOutcome, null);
        }

        return schedule.NextDueAt(decision.RetryAt!.Value, calleeZones) is { } next
            ? new(LeadState.WaitingRetry, null, next)
            : new(LeadState.Expired, decision.LastOutcome, null);
    }
}
