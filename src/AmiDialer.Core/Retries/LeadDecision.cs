using AmiDialer.Core.Model;

namespace AmiDialer.Core.Retries;

/// <summary>What becomes of a lead once one of its attempts has ended.</summary>
/// <param name="State"><see cref="LeadState.Done"/>, <see cref="LeadState.WaitingRetry"/> or <see cref="LeadState.Exhausted"/>.</param>
/// <param name="LastOutcome">The outcome of the attempt that just ended.</param>
/// <param name="RetryAt">For WaitingRetry: the earliest retry time, before calling hours and schedule are applied.</param>
/// <param name="Why">One line for logs and reports.</param>
public sealed record LeadDecision(LeadState State, CallOutcome LastOutcome, DateTimeOffset? RetryAt, string Why)
{
    /// <summary>The lead's final outcome, once there is one.</summary>
    public CallOutcome? FinalOutcome => State == LeadState.WaitingRetry ? null : LastOutcome;
}
