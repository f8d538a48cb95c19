using System.Globalization;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Retries;

/// <summary>Applies a <see cref="RetryPolicy"/> and the maximum of attempts to a lead's history.</summary>
public static class RetryRules
{
    /// <summary>
    /// The lead's next state after an attempt ended with <paramref name="outcome"/> at <paramref name="now"/>.
    /// </summary>
    /// <param name="earlierOutcomes">Outcomes of the lead's earlier, ended attempts (any order), not including this one.</param>
    /// <param name="maxAttempts">Caps every attempt that reached Asterisk, the first, interrupted and unknown ones included.</param>
    /// <param name="abandoned">For an answered call that never reached an agent (<see cref="AbandonedAnswer"/>): the lead
    /// is called again if attempts remain, but not before the abandon retry delay has passed since the answer; null for
    /// every other call (an answered call is then final).</param>
    /// <remarks>
    /// Counts are per outcome over the lead's life: with <c>busy=5m:3</c> the 1st, 2nd and 3rd busy are retried and
    /// the 4th is final, whatever happened in between. An interrupted attempt (its call was cut by Asterisk going
    /// down before anyone answered) is retried at once and uses no outcome's retries, only one of the maximum.
    /// An unknown attempt (it ended while no dialer was connected, and nothing tells how) is final: its callee may
    /// have answered, so only an operator's requeue dials the lead again; it counts toward the maximum. A not-sent
    /// attempt (its Originate never reached Asterisk: nobody was called) is due again at once and counts toward
    /// nothing. The result's RetryAt still has to go through the calling hours and the campaign's schedule
    /// (<see cref="Scheduling.DialingSchedule.NextEligibleAt"/>), which only ever moves it later: an abandoned lead's
    /// retry never comes before its delay. An answered call whose callee talked to an agent, even one who came late, is
    /// final: that callee had the conversation, so calling again would be a second call for the same purpose.
    /// </remarks>
    public static LeadDecision AfterAttempt(IReadOnlyCollection<CallOutcome> earlierOutcomes, CallOutcome outcome, DateTimeOffset now, RetryPolicy policy, int maxAttempts, AbandonedAnswer? abandoned = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        // The store counts every attempt row; one whose Originate never left is no attempt at the callee.
        var attemptsMade = earlierOutcomes.Count(o => o != CallOutcome.NotSent) + 1;

        if (outcome == CallOutcome.Answered)
        {
            if (abandoned is null)
            {
                return new(LeadState.Done, outcome, null, "answered");
            }

            return attemptsMade < maxAttempts
                ? new(LeadState.WaitingRetry, outcome, Later(abandoned.NotBefore, now), string.Create(CultureInfo.InvariantCulture, $"abandoned ({abandoned.Fate}): not before {abandoned.NotBefore:yyyy-MM-dd HH:mm:ss}Z"))
                : new(LeadState.Done, outcome, null, $"abandoned ({abandoned.Fate}), and all {maxAttempts} attempts are used");
        }

        if (outcome == CallOutcome.NotSent)
        {
            return new(LeadState.WaitingRetry, outcome, now, "not-sent: the Originate never reached Asterisk; due again at once, not counted as an attempt");
        }

        if (outcome == CallOutcome.Unknown)
        {
            return new(LeadState.Done, outcome, null, "unknown: ended while the dialer was down; never re-dialed automatically (requeue it to call again)");
        }

        if (outcome == CallOutcome.Interrupted)
        {
            return attemptsMade < maxAttempts
                ? new(LeadState.WaitingRetry, outcome, now, "interrupted: retried as soon as the lead is eligible")
                : new(LeadState.Exhausted, outcome, null, $"interrupted, and all {maxAttempts} attempts are used");
        }

        if (policy.RuleFor(outcome) is not { } rule)
        {
            return new(LeadState.Done, outcome, null, $"{outcome.ToWireName()} is not retried by the policy");
        }

        var timesSeen = earlierOutcomes.Count(o => o == outcome) + 1;
        if (timesSeen > rule.Retries)
        {
            return new(LeadState.Exhausted, outcome, null, $"{outcome.ToWireName()} already retried {rule.Retries} time(s)");
        }

        if (attemptsMade >= maxAttempts)
        {
            return new(LeadState.Exhausted, outcome, null, $"all {maxAttempts} attempts are used");
        }

        return new(LeadState.WaitingRetry, outcome, now + rule.Delay, $"{outcome.ToWireName()} retry {timesSeen} of {rule.Retries} after {RetryRule.FormatDelay(rule.Delay)}");
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
