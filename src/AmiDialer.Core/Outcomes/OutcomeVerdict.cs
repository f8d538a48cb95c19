using AmiDialer.Core.Model;

namespace AmiDialer.Core.Outcomes;

/// <summary>
/// An attempt's outcome with the raw values it was read from (kept on the attempt for audits and later remapping)
/// and the rule of <see cref="OutcomeTable"/> that decided it.
/// </summary>
public sealed record OutcomeVerdict(
    CallOutcome Outcome,
    string? FailureReason,
    string? Reason,
    string? DialStatus,
    int? HangupCause,
    string? HangupCauseText,
    string Rule);
