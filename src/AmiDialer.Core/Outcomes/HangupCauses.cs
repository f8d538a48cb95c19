using AmiDialer.Core.Model;

namespace AmiDialer.Core.Outcomes;

/// <summary>Q.850 hangup causes (Hangup <c>Cause</c>) that say something about the callee. 0 and 16 say nothing before an answer.</summary>
public static class HangupCauses
{
    /// <summary>The outcome a cause implies, or null for causes that tell nothing (0 unknown, 16 normal clearing, ...).</summary>
    public static (CallOutcome Outcome, string? FailureReason)? Classify(int cause) => cause switch
    {
        1 or 2 or 3 or 22 or 28 => (CallOutcome.InvalidNumber, null), // unallocated, no route, number changed, invalid format
        17 => (CallOutcome.Busy, null),
        18 or 19 or 20 => (CallOutcome.NoAnswer, null),                 // no user responding, no answer, subscriber absent
        21 => (CallOutcome.Rejected, null),
        34 or 41 or 42 or 44 or 47 => (CallOutcome.Congestion, null),   // no circuit, temporary failure, switch congestion, ...
        27 or 38 => (CallOutcome.Failed, FailureReasons.ChannelUnavailable), // destination / network out of order
        _ => null,
    };

    /// <summary>How telling a cause is when several legs disagree: the most specific wins.</summary>
    internal static int Rank(CallOutcome outcome) => outcome switch
    {
        CallOutcome.InvalidNumber => 0,
        CallOutcome.Rejected => 1,
        CallOutcome.Busy => 2,
        CallOutcome.Congestion => 3,
        CallOutcome.NoAnswer => 4,
        _ => 5,
    };
}
