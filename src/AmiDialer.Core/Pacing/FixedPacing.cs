namespace AmiDialer.Core.Pacing;

/// <summary>
/// Today's pacing: a fixed cap on concurrent calls and "at most N Originates in any sliding window" (<see cref="SendWindow"/>).
/// </summary>
/// <param name="spread">
/// When the rate binds (not the cap on calls), at most this long's worth of calls at the campaign's rate (and at least
/// one) start at once: a window's calls spread over it instead of leaving together, so their slots free a few at a
/// time and are reused at once, not in waves that each lose the time to claim and send them. Zero: no spreading.
/// </param>
public sealed class FixedPacing(TimeSpan spread = default) : IPacingPolicy
{
    /// <summary>Fixed pacing with no spreading.</summary>
    public static FixedPacing Instance { get; } = new();

    public PacingDecision Decide(PacingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var freeSlots = Math.Max(0, state.MaxConcurrentCalls - state.ActiveCalls);
        if (freeSlots == 0)
        {
            return new(0, null, PacingLimit.Concurrency);
        }

        var room = SendWindow.Room(state.Window, state.CallsPerSecond, state.Now, state.Lookahead);
        if (room.Free >= freeSlots)
        {
            return new(freeSlots, null, PacingLimit.Concurrency);
        }

        var mayStart = room.Free;
        if (mayStart > 0 && spread > TimeSpan.Zero)
        {
            mayStart = Math.Min(mayStart, Math.Max(1, (int)Math.Ceiling(state.CallsPerSecond * spread.TotalSeconds)));
        }

        return new(mayStart, mayStart == 0 ? room.OpensAt : null, PacingLimit.Rate);
    }
}
