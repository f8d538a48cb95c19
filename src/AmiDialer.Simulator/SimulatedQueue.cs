using System.Buffers;
using System.Globalization;
using System.Text;

namespace AmiDialer.Simulator;

/// <summary>
/// One app_queue queue: members, the callers waiting in it, its counters, and the choice of which member rings next
/// (rrmemory, one member per waiting caller, skipping paused, busy and wrapping-up members). Every change runs under
/// <see cref="Gate"/> (one for all queues, taken before any call's own lock), so a member is never rung for two callers.
/// </summary>
internal sealed class SimulatedQueue
{
    private readonly SimulatedPbx _pbx;
    private readonly List<QueueMember> _members = [];
    private readonly List<SimulatedCall> _callers = [];
    private readonly Random _random;
    private int _next;
    private bool _lastAvailable;
    private ITimer? _wake;
    private DateTimeOffset _wakeAt = DateTimeOffset.MaxValue;

    public SimulatedQueue(SimulatedPbx pbx, QueueOptions options, Lock gate)
    {
        _pbx = pbx;
        Options = options;
        Gate = gate;
        _random = new Random(options.Seed);
        var login = pbx.BootTime.ToUnixTimeSeconds();
        foreach (var agent in options.Members)
        {
            _members.Add(new QueueMember
            {
                Interface = agent.Interface,
                Name = agent.Name,
                Answers = agent.Answers,
                LoginTime = login,
                Paused = agent.Paused,
                PausedReason = agent.Paused ? agent.PausedReason : "",
            });
        }

        _lastAvailable = _members.Any(m => m.Available);
    }

    public QueueOptions Options { get; }

    public string Name => Options.Name;

    public Lock Gate { get; }

    public IReadOnlyList<QueueMember> Members => _members;

    public IReadOnlyList<SimulatedCall> Callers => _callers;

    public int Completed { get; private set; }

    public int Abandoned { get; private set; }

    /// <summary>app_queue's running averages (seconds): a quarter of the new value plus three quarters of the old.</summary>
    public int HoldTime { get; private set; }

    public int TalkTime { get; private set; }

    private int CompletedInServiceLevel { get; set; }

    public QueueMember? Find(string iface) => _members.FirstOrDefault(m => string.Equals(m.Interface, iface, StringComparison.Ordinal));

    /// <summary>The caller joins at the end; returns its position and the count.</summary>
    public (int Position, int Count) Join(SimulatedCall call)
    {
        _callers.Add(call);
        return (_callers.Count, _callers.Count);
    }

    /// <summary>The caller leaves (connected or gone); returns the position it had. Those behind move up.</summary>
    public int Leave(SimulatedCall call)
    {
        var index = _callers.IndexOf(call);
        if (index >= 0)
        {
            _callers.RemoveAt(index);
        }

        return index + 1;
    }

    public void CallCompleted(int holdSeconds, int talkSeconds)
    {
        Completed++;
        if (holdSeconds <= 0)
        {
            // Service level 0 (queues.conf default): only a call answered at once is inside it (q1: ServicelevelPerf 100.0).
            CompletedInServiceLevel++;
        }

        HoldTime = Average(HoldTime, holdSeconds);
        TalkTime = Average(TalkTime, talkSeconds);
    }

    public void CallAbandoned() => Abandoned++;

    /// <summary>QueueReset: the counters and averages start again (members' LastPause stays, QUEUES.md).</summary>
    public void Reset()
    {
        Completed = 0;
        Abandoned = 0;
        HoldTime = 0;
        TalkTime = 0;
        CompletedInServiceLevel = 0;
        foreach (var member in _members)
        {
            member.CallsTaken = 0;
            member.LastCall = 0;
        }
    }

    private static int Average(int old, int value) => old == 0 ? value : ((old * 3) + value) / 4;

    /// <summary>
    /// Rings a free member for every waiting caller that has none ringing (in position order), as app_queue's
    /// rrmemory does: the member after the one rung last. A member still in wrap-up wakes the queue when it ends.
    /// </summary>
    public void Distribute()
    {
        var now = _pbx.Time.GetUtcNow();
        var wrapUp = _pbx.Options.Scaled(TimeSpan.FromSeconds(Options.WrapUpSeconds));
        var earliestWrapUpEnd = DateTimeOffset.MaxValue;
        foreach (var caller in _callers.ToArray())
        {
            if (!caller.CanRing(now))
            {
                if (caller.RetryUntil is { } retry && retry > now)
                {
                    // A timer may fire a tick early: the caller is woken again when its retry pause has really passed.
                    earliestWrapUpEnd = Min(earliestWrapUpEnd, retry);
                }

                continue;
            }

            QueueMember? chosen = null;
            for (var i = 0; i < _members.Count; i++)
            {
                var member = _members[(_next + i) % _members.Count];
                if (!member.Available)
                {
                    continue;
                }

                if (member.LastCallAt + wrapUp > now)
                {
                    earliestWrapUpEnd = Min(earliestWrapUpEnd, member.LastCallAt + wrapUp);
                    continue;
                }

                chosen = member;
                _next = (_members.IndexOf(member) + 1) % _members.Count;
                break;
            }

            if (chosen is null)
            {
                break;
            }

            caller.RingMember(chosen);
        }

        if (earliestWrapUpEnd != DateTimeOffset.MaxValue && _callers.Count > 0)
        {
            // The first wrap-up or retry pause to end: the queue looks again then.
            WakeAt(earliestWrapUpEnd);
        }
    }

    /// <summary>Runs <see cref="Distribute"/> at <paramref name="when"/> (a wrap-up's end, a retry's end).</summary>
    public void WakeAt(DateTimeOffset when)
    {
        if (_wake is not null && _wakeAt <= when)
        {
            return;
        }

        _wake?.Dispose();
        _wakeAt = when;
        var delay = when - _pbx.Time.GetUtcNow();
        _wake = _pbx.Time.CreateTimer(static s => ((SimulatedQueue)s!).OnWake(), this, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
    }

    private void OnWake()
    {
        lock (Gate)
        {
            _wake?.Dispose();
            _wake = null;
            _wakeAt = DateTimeOffset.MaxValue;
            Distribute();
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>A draw from the agent talk range (PBX seconds), or null when the queue leaves the length to the callee.</summary>
    public TimeSpan? DrawAgentTalk() => Draw(Options.AgentTalkSeconds);

    public TimeSpan? DrawPatience() => Draw(Options.PatienceSeconds);

    private TimeSpan? Draw((double Min, double Max)? range) =>
        range is { } r ? TimeSpan.FromSeconds(r.Min + (_random.NextDouble() * (r.Max - r.Min))) : null;

    // ---- member actions (QueueAdd / QueueRemove / QueuePause) and their events ----

    public QueueMember Add(string iface, string name, bool paused, string reason, int penalty, bool? answers = null)
    {
        var member = new QueueMember
        {
            Interface = iface,
            Name = name,
            Dynamic = true,
            // The lab's agentphone 299 only rings (QUEUES.md); every other agentphone number answers at once.
            Answers = answers ?? !iface.StartsWith("Local/299@", StringComparison.Ordinal),
            Penalty = penalty,
            LoginTime = _pbx.Time.GetUtcNow().ToUnixTimeSeconds(),
            Paused = paused,
            PausedReason = paused ? reason : "",
            LastPause = paused ? _pbx.Time.GetUtcNow().ToUnixTimeSeconds() : 0,
        };
        _members.Add(member);
        var events = new Events();
        if (paused)
        {
            events.DeviceState($"Queue:{Name}_pause_{iface}", "INUSE");
        }

        events.Member(member, "QueueMemberAdded", Name);
        AvailabilityChanged(events);
        events.Publish(_pbx);
        Distribute();
        return member;
    }

    public void Remove(QueueMember member)
    {
        _members.Remove(member);
        _next = _members.Count == 0 ? 0 : _next % _members.Count;
        var events = new Events();
        events.Member(member, "QueueMemberRemoved", Name);
        if (member.Paused)
        {
            events.DeviceState($"Queue:{Name}_pause_{member.Interface}", "NOT_INUSE");
        }

        AvailabilityChanged(events);
        events.Publish(_pbx);
    }

    public void Pause(QueueMember member, bool paused, string reason)
    {
        member.Paused = paused;
        member.PausedReason = paused ? reason : "";
        if (paused)
        {
            member.LastPause = _pbx.Time.GetUtcNow().ToUnixTimeSeconds();
        }

        var events = new Events();
        events.DeviceState($"Queue:{Name}_pause_{member.Interface}", paused ? "INUSE" : "NOT_INUSE");
        AvailabilityChanged(events);
        events.Member(member, "QueueMemberPause", Name);
        events.Publish(_pbx);
        if (!paused)
        {
            Distribute();
        }
    }

    /// <summary>Queue:&lt;q&gt;_avail: INUSE when no member can take a call, NOT_INUSE when one can; sent on change only.</summary>
    public void AvailabilityChanged(Events events)
    {
        var available = _members.Any(m => m.Available);
        if (available != _lastAvailable)
        {
            _lastAvailable = available;
            events.DeviceState($"Queue:{Name}_avail", available ? "NOT_INUSE" : "INUSE");
        }
    }

    // ---- the status lists ----

    public void AppendParams(StringBuilder sb, string? actionId)
    {
        var c = CultureInfo.InvariantCulture;
        var perf = Completed == 0 ? 0.0 : 100.0 * CompletedInServiceLevel / Completed;
        var perf2 = Completed + Abandoned == 0 ? 0.0 : 100.0 * CompletedInServiceLevel / (Completed + Abandoned);
        sb.Append("Event: QueueParams\r\nQueue: ").Append(Name).Append("\r\nMax: 0\r\nStrategy: ").Append(Options.Strategy).Append("\r\n");
        sb.Append("Calls: ").Append(_callers.Count.ToString(c)).Append("\r\nHoldtime: ").Append(HoldTime.ToString(c)).Append("\r\n");
        sb.Append("TalkTime: ").Append(TalkTime.ToString(c)).Append("\r\nCompleted: ").Append(Completed.ToString(c)).Append("\r\n");
        sb.Append("Abandoned: ").Append(Abandoned.ToString(c)).Append("\r\nServiceLevel: 0\r\n");
        sb.Append("ServicelevelPerf: ").Append(perf.ToString("F1", c)).Append("\r\nServicelevelPerf2: ").Append(perf2.ToString("F1", c)).Append("\r\n");
        sb.Append("Weight: 0\r\n");
        AppendActionId(sb, actionId);
    }

    /// <summary>One QueueEntry per waiting caller; returns how many.</summary>
    public int AppendEntries(StringBuilder sb, string? actionId)
    {
        var c = CultureInfo.InvariantCulture;
        for (var i = 0; i < _callers.Count; i++)
        {
            var call = _callers[i];
            sb.Append("Event: QueueEntry\r\nQueue: ").Append(Name).Append("\r\nPosition: ").Append((i + 1).ToString(c)).Append("\r\n");
            sb.Append("Channel: ").Append(call.LegNames[0]).Append("\r\nUniqueid: ").Append(call.LegUniqueIds[0]).Append("\r\n");
            sb.Append("CallerIDNum: ").Append(call.Request.CallerIdNum).Append("\r\nCallerIDName: ").Append(call.Request.CallerIdName).Append("\r\n");
            sb.Append("ConnectedLineNum: ").Append(call.Request.CallerIdNum).Append("\r\nConnectedLineName: ").Append(call.Request.CallerIdName).Append("\r\n");
            sb.Append("Wait: ").Append(((int)Math.Round(call.WaitedSeconds)).ToString(c)).Append("\r\nPriority: 0\r\n");
            AppendActionId(sb, actionId);
        }

        return _callers.Count;
    }

    public void AppendSummary(StringBuilder sb, string? actionId)
    {
        var c = CultureInfo.InvariantCulture;
        var longest = _callers.Count == 0 ? 0 : (int)Math.Round(_callers.Max(x => x.WaitedSeconds));
        sb.Append("Event: QueueSummary\r\nQueue: ").Append(Name).Append("\r\n");
        sb.Append("LoggedIn: ").Append(_members.Count.ToString(c)).Append("\r\n");
        sb.Append("Available: ").Append(_members.Count(m => m.Available).ToString(c)).Append("\r\n");
        sb.Append("Callers: ").Append(_callers.Count.ToString(c)).Append("\r\n");
        sb.Append("HoldTime: ").Append(HoldTime.ToString(c)).Append("\r\nTalkTime: ").Append(TalkTime.ToString(c)).Append("\r\n");
        sb.Append("LongestHoldTime: ").Append(longest.ToString(c)).Append("\r\n");
        AppendActionId(sb, actionId);
    }

    private static void AppendActionId(StringBuilder sb, string? actionId)
    {
        if (actionId is not null)
        {
            sb.Append("ActionID: ").Append(actionId).Append("\r\n");
        }

        sb.Append("\r\n");
    }

    /// <summary>Events of the queue as a whole, collected while its state changes and published as one batch.</summary>
    internal sealed class Events
    {
        private readonly List<(string Text, AmiPrivilege Class)> _items = [];

        public bool IsEmpty => _items.Count == 0;

        public void DeviceState(string device, string state) =>
            _items.Add(($"Event: DeviceStateChange\r\nPrivilege: call,all\r\nDevice: {device}\r\nState: {state}\r\n\r\n", AmiPrivilege.Call));

        public void Member(QueueMember member, string eventName, string queue)
        {
            var sb = new StringBuilder(512);
            member.AppendEvent(sb, eventName, queue);
            _items.Add((sb.ToString(), AmiPrivilege.Agent));
        }

        /// <summary>Into a call's phase being rendered, so the events keep their place among the call's own.</summary>
        public void WriteTo(ArrayBufferWriter<byte> writer, List<EventSlice> slices)
        {
            foreach (var (text, cls) in _items)
            {
                var start = writer.WrittenCount;
                writer.Write(Encoding.UTF8.GetBytes(text));
                slices.Add(new EventSlice(start, writer.WrittenCount - start, cls));
            }

            _items.Clear();
        }

        public void Publish(SimulatedPbx pbx)
        {
            if (_items.Count == 0)
            {
                return;
            }

            var writer = new ArrayBufferWriter<byte>(_items.Sum(i => i.Text.Length));
            var slices = new List<EventSlice>(_items.Count);
            WriteTo(writer, slices);
            var buffer = writer.WrittenMemory.ToArray();
            pbx.Publish(new EventBatch(buffer, buffer.Length, [.. slices]));
        }
    }
}
