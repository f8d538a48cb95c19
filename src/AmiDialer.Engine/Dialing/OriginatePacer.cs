using AmiDialer.Core.Pacing;

namespace AmiDialer.Engine.Dialing;

/// <summary>
/// A campaign's sliding window and its clock: which Originates still count against the rate (<see cref="WindowEntry"/>:
/// from the moment they are decided until one window after their Responses). What to do with the room is decided by
/// Core: the campaign's <see cref="IPacingPolicy"/> for how many calls to place, <see cref="SendWindow"/> for when
/// claimed calls may go out.
/// </summary>
internal sealed class OriginatePacer(TimeProvider time)
{
    private readonly TimeProvider _time = time;
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    // Filled from _entries under the lock for each look; the send check reads it in place.
    private readonly List<WindowEntry> _view = [];

    /// <summary>
    /// The policy's decision now. With a <paramref name="lookahead"/>, slots that open within it count as open: leads
    /// can be claimed for them ahead, then sent once <see cref="Room"/> (which never judges the window early) lets them.
    /// </summary>
    public PacingDecision Decide(IPacingPolicy policy, double callsPerSecond, int maxConcurrent, int active, TimeSpan lookahead, AgentFigures? agents = null, MeasuredFigures? measured = null)
    {
        PacingState state;
        lock (_gate)
        {
            var now = Refresh(callsPerSecond);
            state = new PacingState(now, active, maxConcurrent, callsPerSecond, _view.ToArray(), lookahead, agents, measured);
        }

        return policy.Decide(state);
    }

    /// <summary>How many claimed calls may go out now, by the window alone, and when a slot opens if none may.</summary>
    public WindowRoom Room(double callsPerSecond)
    {
        lock (_gate)
        {
            var now = Refresh(callsPerSecond);
            return SendWindow.Room(_view, callsPerSecond, now);
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

    /// <summary>Drops the entries whose window has passed and copies the rest into the view. Under the lock.</summary>
    private DateTimeOffset Refresh(double callsPerSecond)
    {
        var now = _time.GetUtcNow();
        var window = SendWindow.Budget(callsPerSecond).Window;
        _view.Clear();
        var kept = 0;
        for (var i = 0; i < _entries.Count; i++)
        {
            var entry = _entries[i];
            if (entry.AnsweredAt is { } at && at <= now - window)
            {
                continue;
            }

            _entries[kept++] = entry;
            _view.Add(new WindowEntry(entry.Count, entry.AnsweredAt));
        }

        _entries.RemoveRange(kept, _entries.Count - kept);
        return now;
    }

    internal sealed class Entry(OriginatePacer owner, int count)
    {
        public int Count { get; } = count;

        public DateTimeOffset? AnsweredAt { get; private set; }

        /// <summary>The Responses (or the failure) came back: the entry leaves the window one window from now.</summary>
        public void Answered()
        {
            var at = owner._time.GetUtcNow();
            lock (owner._gate)
            {
                AnsweredAt = at;
            }
        }
    }
}
