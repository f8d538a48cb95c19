namespace AmiDialer.Core.Pacing;

/// <summary>The live state a pacing policy decides from. Built by the engine; nothing here reads a clock.</summary>
/// <param name="ActiveCalls">Attempts dialing or live right now.</param>
/// <param name="MaxConcurrentCalls">The campaign's (or server's) cap.</param>
/// <param name="RecentOriginates">When recent Originates were sent; anything older than one window may be left out.</param>
/// <param name="CallsPerSecond">The campaign's rate: at most this many Originates in any sliding one-second window.</param>
/// <param name="Now">The decision time.</param>
public sealed record PacingState(
    int ActiveCalls,
    int MaxConcurrentCalls,
    IReadOnlyList<DateTimeOffset> RecentOriginates,
    double CallsPerSecond,
    DateTimeOffset Now);
