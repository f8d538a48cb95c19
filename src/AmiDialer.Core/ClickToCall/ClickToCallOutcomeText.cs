using AmiDialer.Core.Model;

namespace AmiDialer.Core.ClickToCall;

/// <summary>
/// A click-to-call's outcome in the words an agent needs: whose leg it was (the agent's own phone, rung first, or the
/// customer's), without Asterisk codes or configuration names.
/// </summary>
public static class ClickToCallOutcomeText
{
    /// <param name="reason">The OriginateResponse Reason as stored: for the agent's leg, 5 is busy, 3 no answer, 8 congestion.</param>
    public static string? Describe(CallOutcome? outcome, string? reason, string? failureReason) => outcome switch
    {
        null => null,
        CallOutcome.Answered => "Customer answered.",
        CallOutcome.Busy => "Customer busy.",
        CallOutcome.NoAnswer => "Customer did not answer.",
        CallOutcome.Congestion => "Customer's line congested (network busy).",
        CallOutcome.Rejected => "Customer rejected the call.",
        CallOutcome.InvalidNumber => "Customer's number does not exist.",
        CallOutcome.AgentNoAnswer => reason switch
        {
            "5" => "Agent busy: your phone was busy, the customer was not called.",
            "3" => "Agent did not answer: your phone rang out, the customer was not called.",
            "8" => "Agent's line congested: the customer was not called.",
            _ => "Agent's phone did not answer: the customer was not called.",
        },
        CallOutcome.Interrupted => "Cut off: the phone system went down during the call.",
        CallOutcome.NotSent => "Not placed: the call never reached the phone system.",
        CallOutcome.Unknown => "Ended; how is not known (no dialer was following it).",
        CallOutcome.Failed when failureReason == Outcomes.FailureReasons.ChannelUnavailable => "Failed: the agent's phone or the customer's line could not be reached.",
        CallOutcome.Failed => failureReason is null ? "Failed." : $"Failed ({failureReason}).",
        _ => outcome.ToString(),
    };
}
