namespace AmiDialer.Core.Pacing;

public enum PacingLimit
{
    /// <summary>The sliding-window rate is used up until <see cref="PacingDecision.LookAgainAt"/>.</summary>
    Rate,

    /// <summary>All call slots are busy: look again when a call ends.</summary>
    Concurrency,
}

/// <param name="MayStart">How many Originates may be sent now.</param>
/// <param name="LookAgainAt">When a slot frees by time alone; null when only a call ending can free one.</param>
/// <param name="LimitedBy">What capped <paramref name="MayStart"/>.</param>
public readonly record struct PacingDecision(int MayStart, DateTimeOffset? LookAgainAt, PacingLimit LimitedBy);
