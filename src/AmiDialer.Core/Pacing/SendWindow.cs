namespace AmiDialer.Core.Pacing;

/// <summary>Room left in the sliding window: how many Originates fit now, and when one more will if none does.</summary>
/// <param name="Free">Originates that may go out now.</param>
/// <param name="OpensAt">When <paramref name="Free"/> is 0: when a slot opens by time alone; null when only a Response can open one.</param>
public readonly record struct WindowRoom(int Free, DateTimeOffset? OpensAt);

/// <summary>
/// The rate's hard limit: at most N Originates in any sliding window (N = calls per second over one second; below 1
/// call per second, one Originate per 1/rate seconds). Every pacing policy stays within it.
/// </summary>
/// <remarks>
/// A rate of 1 or more allows N = floor(rate) Originates per sliding second (2.5/s allows 2: allowing 3 in some
/// second would break the promise). A rate under 1 allows one Originate per 1/rate seconds (0.5/s: one every 2 s).
/// An entry answered at s occupies the window until s + window, exclusive.
/// </remarks>
public static class SendWindow
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many Originates one window holds, and its length. A rate that is not a positive number allows none: the
    /// validator refuses such a campaign, and a store edited by hand must stop the dialing, not crash it.
    /// </summary>
    public static (int Count, TimeSpan Window) Budget(double callsPerSecond)
    {
        if (!(callsPerSecond > 0) || double.IsInfinity(callsPerSecond))
        {
            return (0, OneSecond);
        }

        return callsPerSecond >= 1
            ? ((int)Math.Min(Math.Floor(callsPerSecond), int.MaxValue), OneSecond)
            : (1, TimeSpan.FromSeconds(1 / callsPerSecond));
    }

    /// <summary>
    /// The room at <paramref name="now"/>. With a <paramref name="lookahead"/>, entries that leave the window within it
    /// count as gone: leads can be claimed for those slots ahead, then sent once a check without lookahead lets them.
    /// </summary>
    public static WindowRoom Room(IReadOnlyList<WindowEntry> entries, double callsPerSecond, DateTimeOffset now, TimeSpan lookahead = default)
    {
        var (count, window) = Budget(callsPerSecond);
        var horizon = now + lookahead;
        var inWindow = 0;
        var inFlight = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.AnsweredAt is not { } at)
            {
                inFlight += entry.Count;
            }
            else if (at + window > horizon)
            {
                inWindow += entry.Count;
            }
        }

        var free = count - inWindow - inFlight;
        if (free > 0)
        {
            return new(free, null);
        }

        // Full. Entries awaiting their Responses stay whatever the time; if they alone fill the window, only a Response opens it.
        if (count == 0 || inFlight >= count)
        {
            return new(0, null);
        }

        // The answered entries leave in the order of their answers: the slot opens when enough have left that one more fits.
        var leaving = new List<(DateTimeOffset LeavesAt, int Count)>();
        foreach (var entry in entries)
        {
            if (entry.AnsweredAt is { } at && at + window > horizon)
            {
                leaving.Add((at + window, entry.Count));
            }
        }

        leaving.Sort(static (a, b) => a.LeavesAt.CompareTo(b.LeavesAt));
        var counted = inWindow + inFlight;
        foreach (var (leavesAt, n) in leaving)
        {
            counted -= n;
            if (counted < count)
            {
                return new(0, leavesAt - lookahead);
            }
        }

        return new(0, null);
    }
}
