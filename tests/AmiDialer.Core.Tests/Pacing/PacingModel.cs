using AmiDialer.Core.Pacing;

namespace AmiDialer.Core.Tests.Pacing;

/// <summary>The callees and agents a <see cref="PacingModel"/> simulates.</summary>
/// <param name="Agents">Agents in the queue, all logged in and never paused.</param>
/// <param name="AnswerRate">The chance a call is answered.</param>
/// <param name="TalkMin">Shortest talk time (uniform between min and max).</param>
/// <param name="TalkMax">Longest talk time.</param>
/// <param name="Seed">The random seed: the same seed gives the same run.</param>
/// <param name="Answers">The run ends at this many answers.</param>
internal sealed record PacingModelSettings(int Agents = 50, double AnswerRate = 0.35, double TalkMin = 60, double TalkMax = 180, int Seed = 26, int Answers = 5000);

/// <summary>What a <see cref="PacingModel"/> run measured.</summary>
/// <param name="Utilisation">Agents' talk time over agents × the run's time.</param>
/// <param name="AbandonRate">Answered calls not connected to an agent within 2 s, over answered calls.</param>
/// <param name="ConnectedPerAgentHour">Calls connected to an agent per agent per hour.</param>
internal sealed record PacingModelResult(int Placed, int Answered, int Connected, int Abandoned, double Hours, double Utilisation, double AbandonRate, double ConnectedPerAgentHour, int MaxInFlight);

/// <summary>
/// A discrete-event model of a campaign dialing into a queue of agents, in virtual time, asking a pacing policy alone
/// how many calls to place (no engine, no sockets). Callees: <see cref="PacingModelSettings.AnswerRate"/> answer after
/// a ring time drawn from a log-normal (median 8 s, most between 4 and 16 s, 2-30 s); of the rest, a quarter fail at
/// once (busy, congestion: 1-4 s) and the others ring out at 30 s. An answered call goes to a free agent at once; with
/// none, it waits, and one not connected within 2 s of its answer is abandoned (the callee hears the identification
/// message and the call ends). Agents talk a uniform time, with no wrap-up. The policy is asked after every event and
/// every second; each decision's calls go out at once (one Originate each, its Response immediate).
/// </summary>
internal sealed class PacingModel(PacingModelSettings settings, IPacingPolicy policy, int maxConcurrentCalls = 1000, double callsPerSecond = 50)
{
    private enum Kind { Tick, Answer, NoAnswer, TalkEnd, AbandonCheck }

    private readonly Random _random = new(settings.Seed);
    private readonly PriorityQueue<(Kind Kind, int Call), (double At, long Order)> _events = new();
    private readonly PacingMeasurements _measurements = new(abandonWindow: TimeSpan.FromDays(1));
    private readonly LinkedList<int> _waiting = new();
    private readonly Dictionary<int, double> _answeredAt = [];
    private readonly Dictionary<int, double> _placedAt = [];
    private readonly List<WindowEntry> _window = [];
    private readonly List<double> _windowAt = [];
    private static readonly DateTimeOffset Epoch = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private long _order;
    private int _nextCall;
    private int _free = settings.Agents;
    private int _talking;
    private int _ringing;
    private double _talkSeconds;
    private int _placed, _answered, _connected, _abandoned, _maxInFlight;

    public PacingMeasurements Measurements => _measurements;

    public PacingModelResult Run()
    {
        var now = 0.0;
        Schedule(0, Kind.Tick, -1);
        while (_answered < settings.Answers && _events.TryDequeue(out var next, out var key))
        {
            now = key.At;
            Handle(now, next.Kind, next.Call);
            if (next.Kind == Kind.Tick)
            {
                Schedule(now + 1, Kind.Tick, -1);
            }

            // Events at the same instant are all handled before the policy decides.
            if (!_events.TryPeek(out _, out var after) || after.At > now)
            {
                Place(now);
            }
        }

        // Talk still in progress counts up to the end of the run, not beyond.
        while (_events.TryDequeue(out var left, out var key))
        {
            if (left.Kind == Kind.TalkEnd)
            {
                _talkSeconds -= key.At - now;
            }
        }

        var hours = now / 3600;
        return new(_placed, _answered, _connected, _abandoned, hours, _talkSeconds / (settings.Agents * now),
            _answered == 0 ? 0 : (double)_abandoned / _answered, _connected / (settings.Agents * hours), _maxInFlight);
    }

    private void Handle(double now, Kind kind, int call)
    {
        switch (kind)
        {
            case Kind.NoAnswer:
                _ringing--;
                _measurements.NotAnswered();
                break;
            case Kind.Answer:
                _ringing--;
                _answered++;
                _measurements.Answered(TimeSpan.FromSeconds(now - _placedAt[call]));
                _placedAt.Remove(call);
                if (_free > 0)
                {
                    Connect(now, call, now);
                }
                else
                {
                    _answeredAt[call] = now;
                    _waiting.AddLast(call);
                    Schedule(now + PacingMeasurements.ConnectWithin.TotalSeconds, Kind.AbandonCheck, call);
                }

                break;
            case Kind.AbandonCheck:
                if (_answeredAt.Remove(call, out var answeredAt))
                {
                    _waiting.Remove(call);
                    _abandoned++;
                    _measurements.AgentOutcome(Epoch.AddSeconds(answeredAt), abandoned: true);
                }

                break;
            case Kind.TalkEnd:
                _talking--;
                _free++;
                if (_waiting.First is { } oldest)
                {
                    _waiting.RemoveFirst();
                    _answeredAt.Remove(oldest.Value, out var waitedFrom);
                    Connect(now, oldest.Value, waitedFrom);
                }

                break;
            case Kind.Tick:
            default:
                break;
        }
    }

    private void Connect(double now, int call, double answeredAt)
    {
        _free--;
        _talking++;
        _connected++;
        _measurements.AgentOutcome(Epoch.AddSeconds(answeredAt), abandoned: false);
        var talk = settings.TalkMin + (_random.NextDouble() * (settings.TalkMax - settings.TalkMin));
        _talkSeconds += talk;
        _measurements.TalkEnded(TimeSpan.FromSeconds(talk));
        Schedule(now + talk, Kind.TalkEnd, call);
    }

    private void Place(double now)
    {
        var at = Epoch.AddSeconds(now);
        for (var i = _windowAt.Count - 1; i >= 0; i--)
        {
            if (_windowAt[i] + 1 <= now)
            {
                _windowAt.RemoveAt(i);
                _window.RemoveAt(i);
            }
        }

        var state = new PacingState(at, _ringing + _waiting.Count + _talking, maxConcurrentCalls, callsPerSecond, _window,
            Agents: new AgentFigures(_free, _talking, _ringing, _waiting.Count), Measured: _measurements.Figures(at));
        var start = policy.Decide(state).MayStart;
        if (start > 0)
        {
            _window.Add(new WindowEntry(start, at));
            _windowAt.Add(now);
        }

        for (var i = 0; i < start; i++)
        {
            var call = _nextCall++;
            _placed++;
            _ringing++;
            _placedAt[call] = now;
            if (_random.NextDouble() < settings.AnswerRate)
            {
                Schedule(now + RingToAnswer(), Kind.Answer, call);
            }
            else
            {
                _placedAt.Remove(call);
                Schedule(now + (_random.NextDouble() < 0.25 ? 1 + (3 * _random.NextDouble()) : 30), Kind.NoAnswer, call);
            }
        }

        _maxInFlight = Math.Max(_maxInFlight, _ringing);
    }

    /// <summary>Log-normal around 8 s (sigma 0.35: most answers between 4 and 16 s), kept within 2-30 s.</summary>
    private double RingToAnswer()
    {
        var u1 = 1 - _random.NextDouble();
        var u2 = _random.NextDouble();
        var normal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return Math.Clamp(8 * Math.Exp(0.35 * normal), 2, 30);
    }

    private void Schedule(double at, Kind kind, int call) => _events.Enqueue((kind, call), (at, _order++));
}
