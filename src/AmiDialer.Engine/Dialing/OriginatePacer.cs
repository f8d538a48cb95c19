namespace AmiDialer.Engine.Dialing;

/// <summary>
/// A campaign's pacing: at most <c>MaxConcurrentCalls</c> calls at once, and at most N Originates in any sliding
/// one-second window (N = calls per second; below 1, one Originate per 1/N seconds). Fed by the live state (calls
/// in progress, when each Originate went out), so a smarter policy can replace it without touching I/O.
/// </summary>
internal sealed class OriginatePacer
{
    private readonly Queue<DateTimeOffset> _sent = new();

    /// <summary>How many Originates may go out now, and when the next window slot opens if none may.</summary>
    public (int Allowed, DateTimeOffset? NextSlotAt) Check(DateTimeOffset now, double callsPerSecond, int maxConcurrent, int active)
    {
        var (perWindow, window) = Window(callsPerSecond);
        while (_sent.Count > 0 && _sent.Peek() <= now - window)
        {
            _sent.Dequeue();
        }

        var byRate = perWindow - _sent.Count;
        var byConcurrency = maxConcurrent - active;
        var allowed = Math.Max(0, Math.Min(byRate, byConcurrency));
        DateTimeOffset? next = byRate <= 0 && _sent.Count > 0 ? _sent.Peek() + window : null;
        return (allowed, next);
    }

    public void Sent(DateTimeOffset at) => _sent.Enqueue(at);

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
}
