namespace AmiDialer.Engine.Dialing;

/// <summary>
/// A campaign's pacing: at most <c>MaxConcurrentCalls</c> calls at once, and at most N Originates in any sliding
/// one-second window (N = calls per second; below 1, one Originate per 1/N seconds). Fed by the live state (calls
/// in progress, when each Originate went out), so a smarter policy can replace it without touching I/O.
/// <para>
/// The window must hold where Asterisk receives the actions, and a write can leave well after we decide it (a
/// busy machine, a socket buffer). So an Originate counts from the moment it is decided until one window after
/// Asterisk's Response came back, which is after Asterisk received it: no receiver-side second can hold more.
/// </para>
/// </summary>
internal sealed class OriginatePacer
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];

    /// <summary>
    /// How many Originates may go out now, and when the next window slot may open if none may. With a
    /// <paramref name="lookahead"/>, slots that open within it count as open: leads can be claimed for them ahead,
    /// then sent once a later check without lookahead lets them (the window is never judged early).
    /// </summary>
    public (int Allowed, DateTimeOffset? NextSlotAt) Check(DateTimeOffset now, double callsPerSecond, int maxConcurrent, int active, TimeSpan lookahead = default)
    {
        var (perWindow, window) = Window(callsPerSecond);
        lock (_gate)
        {
            // One pass: drop entries whose window has passed, and find when the next one will.
            var kept = 0;
            DateTimeOffset? next = null;
            for (var i = 0; i < _entries.Count; i++)
            {
                var entry = _entries[i];
                if (entry.AnsweredAt is { } at)
                {
                    if (at <= now - window)
                    {
                        continue;
                    }

                    var free = at + window;
                    if (next is null || free < next)
                    {
                        next = free;
                    }
                }

                _entries[kept++] = entry;
            }

            _entries.RemoveRange(kept, _entries.Count - kept);
            var inWindow = 0;
            foreach (var entry in _entries)
            {
                var leavesBy = entry.AnsweredAt is { } answered && answered + window <= now + lookahead;
                inWindow += leavesBy ? 0 : entry.Count;
            }

            var byRate = perWindow - inWindow;
            var byConcurrency = maxConcurrent - active;
            var allowed = Math.Max(0, Math.Min(byRate, byConcurrency));
            return (allowed, byRate <= 0 ? next : null);
        }
    }

    /// <summary>
    /// Originates are going out (<paramref name="count"/>, sent together): they count from now. Call
    /// <see cref="Entry.Answered"/> when their Responses are in.
    /// </summary>
    public Entry Sending(int count = 1)
    {
        var entry = new Entry(this, count);
        lock (_gate)
        {
            _entries.Add(entry);
        }

        return entry;
    }

    private static (int PerWindow, TimeSpan Window) Window(double callsPerSecond)
    {
        if (callsPerSecond <= 0 || double.IsNaN(callsPerSecond))
        {
            return (0, TimeSpan.FromSeconds(1));
        }

        return callsPerSecond >= 1
            ? ((int)Math.Floor(callsPerSecond), TimeSpan.FromSeconds(1))
            : (1, TimeSpan.FromSeconds(1 / callsPerSecond));
    }

    internal sealed class Entry(OriginatePacer owner, int count)
    {
        public int Count { get; } = count;

        public DateTimeOffset? AnsweredAt { get; private set; }

        /// <summary>The Response (or the failure) came back at <paramref name="at"/>.</summary>
        public void Answered(DateTimeOffset at)
        {
            lock (owner._gate)
            {
                AnsweredAt = at;
            }
        }
    }
}
