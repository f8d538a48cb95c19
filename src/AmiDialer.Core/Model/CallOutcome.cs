namespace AmiDialer.Core.Model;

/// <summary>What one attempt came to. The wire names (<see cref="CallOutcomeNames"/>) are what reports and the API show.</summary>
public enum CallOutcome
{
    Answered,
    Busy,
    NoAnswer,
    Congestion,
    Rejected,
    InvalidNumber,
    Failed,
    Interrupted,
    /// <summary>Click-to-call only: the agent's own phone did not answer, so the customer was never dialed.</summary>
    AgentNoAnswer,
    /// <summary>
    /// The call ended while no dialer was connected and nothing (no event, no ledger) tells how: final, never retried
    /// automatically (the callee may have answered), counted toward the maximum of attempts, left out of the answer rate.
    /// </summary>
    Unknown,
    /// <summary>The Originate never reached Asterisk (proven by the ledger: no key, no channel, no restart): the lead is due again.</summary>
    NotSent,
}

public static class CallOutcomeNames
{
    public static string ToWireName(this CallOutcome outcome) => outcome switch
    {
        CallOutcome.Answered => "answered",
        CallOutcome.Busy => "busy",
        CallOutcome.NoAnswer => "no-answer",
        CallOutcome.Congestion => "congestion",
        CallOutcome.Rejected => "rejected",
        CallOutcome.InvalidNumber => "invalid-number",
        CallOutcome.Failed => "failed",
        CallOutcome.Interrupted => "interrupted",
        CallOutcome.AgentNoAnswer => "agent-no-answer",
        CallOutcome.Unknown => "unknown",
        CallOutcome.NotSent => "not-sent",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    public static bool TryParse(string? name, out CallOutcome outcome)
    {
        foreach (var candidate in Enum.GetValues<CallOutcome>())
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.OrdinalIgnoreCase))
            {
                outcome = candidate;
                return true;
            }
        }

        outcome = default;
        return false;
    }
}
