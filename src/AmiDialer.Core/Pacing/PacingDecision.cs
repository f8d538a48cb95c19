namespace AmiDialer.Core.Pacing;

public enum PacingLimit
{
    /// <summary>The sliding window's rate binds: look again at <see cref="PacingDecision.LookAgainAt"/>, or when a Response comes back.</summary>
    Rate,

    /// <summary>All call slots are busy (or the policy wants no more calls): look again when a call ends.</summary>
    Concurrency,

    /// <summary>The agents bind (agent-aware pacing): look again when a call is answered or ends, or an agent frees.</summary>
    Agents,
}

/// <param name="MayStart">How many calls may be placed now.</param>
/// <param name="LookAgainAt">When <paramref name="MayStart"/> is 0: when room opens by time alone; null when only an event (a call ending, a Response) can open it.</param>
/// <param name="LimitedBy">What capped <paramref name="MayStart"/>.</param>
/// <param name="Reason">Why an agent-aware policy decided so (its mode and figures), for the page and the log; null for fixed pacing.</param>
public readonly record struct PacingDecision(int MayStart, DateTimeOffset? LookAgainAt, PacingLimit LimitedBy, string? Reason = null);
