namespace AmiDialer.Core.Pacing;

/// <summary>
/// One campaign's sliding-window measurements for predictive pacing, fed with its call events in time order: the
/// answer rate over the last calls, ring time to answer and talk time over the last answers, and the abandon rate
/// over the operator's time window. No clock: every event says when it happened. Not thread-safe (one per campaign,
/// fed by its dialing loop).
/// </summary>
/// <param name="callWindow">How many recent calls the answer rate is measured over.</param>
/// <param name="answerWindow">How many recent answers (and talks) the ring and talk times are averaged over.</param>
/// <param name="abandonWindow">The abandon rate's window (<c>Dialing:AbandonWindow</c>: 30 days by default, or 24 h).</param>
public sealed class PacingMeasurements(int callWindow = 1000, int answerWindow = 200, TimeSpan? abandonWindow = null)
{
    /// <summary>The regulators' rule: an answered call not connected to an agent within this counts as abandoned.</summary>
    public static readonly TimeSpan ConnectWithin = TimeSpan.FromSeconds(2);

    private readonly TimeSpan _abandonWindow = abandonWindow ?? TimeSpan.FromDays(30);
    private readonly Queue<bool> _calls = new();
    private readonly Queue<TimeSpan> _rings = new();
    private readonly Queue<TimeSpan> _talks = new();
    private readonly Queue<(DateTimeOffset At, bool Abandoned)> _answers = new();
    private int _answeredCalls;
    private TimeSpan _ringSum;
    private TimeSpan _talkSum;
    private int _abandoned;
    private long _answersMeasured;

    /// <summary>A call ended without an answer (no answer, busy, congestion, failed).</summary>
    public void NotAnswered() => AddCall(false);

    /// <summary>A call was answered <paramref name="ringTime"/> after it was placed.</summary>
    public void Answered(TimeSpan ringTime)
    {
        AddCall(true);
        _answersMeasured++;
        Slide(_rings, ringTime, ref _ringSum, answerWindow);
    }

    /// <summary>
    /// What became of an answered call, at its answer time: connected to an agent within <see cref="ConnectWithin"/>
    /// or not (abandoned; a call whose fate is unknown counts as abandoned too).
    /// </summary>
    public void AgentOutcome(DateTimeOffset answeredAt, bool abandoned)
    {
        _answers.Enqueue((answeredAt, abandoned));
        if (abandoned)
        {
            _abandoned++;
        }
    }

    /// <summary>A call connected to an agent ended after <paramref name="talk"/>.</summary>
    public void TalkEnded(TimeSpan talk) => Slide(_talks, talk, ref _talkSum, answerWindow);

    public MeasuredFigures Figures(DateTimeOffset now)
    {
        while (_answers.TryPeek(out var oldest) && oldest.At <= now - _abandonWindow)
        {
            _answers.Dequeue();
            if (oldest.Abandoned)
            {
                _abandoned--;
            }
        }

        var n = _calls.Count;
        var rate = n == 0 ? 0 : (double)_answeredCalls / n;
        return new(
            _answersMeasured,
            n,
            rate,
            WilsonUpper(_answeredCalls, n),
            _rings.Count == 0 ? TimeSpan.Zero : _ringSum / _rings.Count,
            _talks.Count == 0 ? TimeSpan.Zero : _talkSum / _talks.Count,
            _answers.Count,
            _abandoned);
    }

    /// <summary>
    /// The upper end of the Wilson score interval at 95% (z = 1.96) for <paramref name="successes"/> of
    /// <paramref name="trials"/>: unlike the normal approximation it stays inside [0, 1] and is sound for small
    /// counts. 1 with no trial (nothing known: assume every call answers).
    /// </summary>
    public static double WilsonUpper(int successes, int trials)
    {
        if (trials <= 0)
        {
            return 1;
        }

        const double z = 1.96;
        var p = (double)successes / trials;
        var z2n = z * z / trials;
        var centre = p + (z2n / 2);
        var half = z * Math.Sqrt((p * (1 - p) / trials) + (z2n / (4 * trials)));
        return Math.Min(1, (centre + half) / (1 + z2n));
    }

    private void AddCall(bool answered)
    {
        _calls.Enqueue(answered);
        if (answered)
        {
            _answeredCalls++;
        }

        if (_calls.Count > callWindow && _calls.Dequeue())
        {
            _answeredCalls--;
        }
    }

    private static void Slide(Queue<TimeSpan> window, TimeSpan value, ref TimeSpan sum, int size)
    {
        window.Enqueue(value);
        sum += value;
        if (window.Count > size)
        {
            sum -= window.Dequeue();
        }
    }
}
