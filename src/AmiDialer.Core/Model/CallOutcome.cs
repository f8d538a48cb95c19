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
