namespace AmiDialer.Core.Pacing;

/// <summary>
/// Today's pacing: a fixed cap on concurrent calls and "at most N Originates in any sliding one-second window".
/// </summary>
/// <remarks>
/// A rate of 1 or more allows N = floor(rate) Originates per sliding second (2.5/s allows 2: allowing 3 in some
/// second would break the promise). A rate under 1 allows one Originate per 1/rate seconds (0.5/s: one every 2 s).
/// An Originate sent at time s occupies the window until s + window, exclusive.
/// </remarks>
public sealed class FixedPacing : IPacingPolicy
{
    public static FixedPacing Instance { get; } = new();

    public static (int Count, TimeSpan Window) Budget(double callsPerSecond)
    {
        if (!(callsPerSecond > 0) || double.IsInfinity(callsPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(callsPerSecond), callsPerSecond, "calls per second must be a positive number");
        }

        return callsPerSecond >= 1
            ? ((int)Math.Min(Math.Floor(callsPerSecond), int.MaxValue), TimeSpan.FromSeconds(1))
            : (1, TimeSpan.FromSeconds(1 / callsPerSecond));
    }

    public PacingDecision Decide(PacingState state)
    {
        var (count, window) = Budget(state.CallsPerSecond);
        var freeSlots = Math.Max(0, state.MaxConcurrentCalls - state.ActiveCalls);

        // Only Originates still inside the window ending now count; sorted so the k-th oldest is at hand.
        var inWindow = state.RecentOriginates.Where(t => t > state.Now - window && t <= state.Now).Order().ToList();
        var freeRate = Math.Max(0, count - inWindow.Count);

        if (freeSlots == 0)
        {
            return new(0, null, PacingLimit.Concurrency);
        }

        if (freeRate == 0)
        {
            // The oldest Originate that must leave the window before one more fits.
            var mustExpire = inWindow[inWindow.Count - count];
            return new(0, mustExpire + window, PacingLimit.Rate);
        }

        // After starting freeRate calls now the window is full again; it frees when its oldest entry leaves.
        return freeRate <= freeSlots
            ? new(freeRate, (inWindow.Count == 0 ? state.Now : inWindow[0]) + window, PacingLimit.Rate)
            : new(freeSlots, null, PacingLimit.Concurrency);
    }
}
