using System.Buffers;
using System.Globalization;

namespace AmiDialer.Simulator;

/// <summary>
/// A campaign call whose destination runs <c>Queue(&lt;name&gt;)</c>: the callee's pair (A) answers and joins, then
/// the queue rings members one Local pair (B) at a time, connects one, or the callee gives up. Each step plays a
/// fragment recorded in q1-q5 (Templates/queue-*.ami, QUEUES.md); the queue's state decides the order. Everything here
/// runs under the queue's gate, then the call's own lock.
/// </summary>
internal sealed partial class SimulatedCall
{
    private ITimer? _hangupTimer;
    private ITimer? _agentTimer;
    private DateTimeOffset _retryUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _ringStartedAt;
    private DateTimeOffset _connectedAt;
    private QueueMember? _ringing;
    private QueueMember? _connected;
    private QueueMember? _member;
    private bool _joined;
    private int _holdSeconds;

    /// <summary>The queue the answered callee joins (the Originate's Context is the queue context), or null.</summary>
    public SimulatedQueue? Queue { get; init; }

    /// <summary>When the callee joined the queue (QueueCallerJoin).</summary>
    public DateTimeOffset JoinedAt { get; private set; }

    private bool InQueue => Queue is not null && _joined;

    /// <summary>Waiting, with no member ringing, and past the queue's retry pause after a member that did not answer.</summary>
    public bool CanRing(DateTimeOffset now) => !_ended && _joined && _ringing is null && _connected is null && now >= _retryUntil;

    private void QueueDirective(string name, ArrayBufferWriter<byte> writer, List<EventSlice> slices)
    {
        var queue = Queue;
        if (queue is null)
        {
            return;
        }

        var events = new SimulatedQueue.Events();
        switch (name)
        {
            case "join":
                _joined = true;
                JoinedAt = _pbx.Time.GetUtcNow();
                var (position, count) = queue.Join(this);
                Set(Slot.QPos, position.ToString(CultureInfo.InvariantCulture));
                Set(Slot.QCount, count.ToString(CultureInfo.InvariantCulture));
                if (count == 1)
                {
                    events.DeviceState("Queue:" + queue.Name, "RINGING");
                }

                break;
            case "empty":
                if (queue.Callers.Count == 0)
                {
                    events.DeviceState("Queue:" + queue.Name, "NOT_INUSE");
                }

                break;
            case "member":
                if (_member is { } member)
                {
                    events.Member(member, "QueueMemberStatus", queue.Name);
                    queue.AvailabilityChanged(events);
                }

                break;
        }

        events.WriteTo(writer, slices);
    }

    /// <summary>The callee has joined: it hangs up at the end of its talk time from the answer, or earlier when its patience runs out.</summary>
    private void StartWaiting()
    {
        var queue = Queue!;
        var now = _pbx.Time.GetUtcNow();
        var answered = _answerTime == default ? now : _answerTime;
        var hangup = answered + _pbx.Options.Scaled(Plan.Talk);
        if (queue.DrawPatience() is { } patience && now + _pbx.Options.Scaled(patience) < hangup)
        {
            hangup = now + _pbx.Options.Scaled(patience);
        }

        ScheduleHangup(hangup);
        queue.Distribute();
    }

    private void ScheduleHangup(DateTimeOffset at)
    {
        _hangupTimer?.Dispose();
        var delay = at - _pbx.Time.GetUtcNow();
        _hangupTimer = _pbx.Time.CreateTimer(static s => ((SimulatedCall)s!).OnCalleeHangup(), this, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
    }

    private void OnCalleeHangup()
    {
        lock (Queue!.Gate)
        {
            lock (_gate)
            {
                if (!_ended && _joined)
                {
                    CalleeHangsUp(cut: false);
                }
            }
        }
    }

    /// <summary>The queue chose <paramref name="member"/> for this caller: a new Local pair rings it (AgentCalled).</summary>
    public void RingMember(QueueMember member)
    {
        lock (_gate)
        {
            var now = _pbx.Time.GetUtcNow();
            _ringing = member;
            _member = member;
            member.Ringing = this;
            _ringStartedAt = now;
            var name = _pbx.NextChannel(member.Interface);
            LegNames[2] = name + ";1";
            LegNames[3] = name + ";2";
            LegUniqueIds[2] = _pbx.NextUniqueId();
            LegUniqueIds[3] = _pbx.NextUniqueId();
            Set(Slot.B, name);
            Set(Slot.UB1, LegUniqueIds[2]);
            Set(Slot.UB2, LegUniqueIds[3]);
            Set(Slot.DevB, member.Interface);
            var slash = member.Interface.IndexOf('/', StringComparison.Ordinal);
            Set(Slot.Peer, member.Interface[(slash + 1)..]);
            Set(Slot.BExten, member.Extension);
            Set(Slot.Member, member.Name);
            Set(Slot.MCalls, member.CallsTaken.ToString(CultureInfo.InvariantCulture));
            Set(Slot.MLastCall, member.LastCall.ToString(CultureInfo.InvariantCulture));
            Set(Slot.MDynamic, member.Dynamic ? "1" : "0");
            Set(Slot.MPenalty, member.Penalty.ToString(CultureInfo.InvariantCulture));
            Set(Slot.Bridge, Guid.NewGuid().ToString());
            _pbx.AddChannels(2);
            PlayFragment("queue-agent.ring");
            PlayFragment(member.Answers ? "queue-agent.answer" : "queue-agent.ringing");
            if (member.Answers)
            {
                // The lab's agent phones answer at once (q1: AgentConnect RingTime 0).
                Connect();
            }
            else
            {
                _agentTimer?.Dispose();
                _agentTimer = _pbx.Time.CreateTimer(static s => ((SimulatedCall)s!).OnRingTimeout(), this, _pbx.Options.Scaled(TimeSpan.FromSeconds(Queue!.Options.TimeoutSeconds)), Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Connect()
    {
        var queue = Queue!;
        var member = _ringing!;
        var now = _pbx.Time.GetUtcNow();
        _ringing = null;
        member.Ringing = null;
        member.Talking = this;
        _connected = member;
        _connectedAt = now;
        var hold = queue.PbxSecondsSince(JoinedAt);
        _holdSeconds = Seconds(hold);
        var position = queue.Leave(this);
        Set(Slot.QPos, position.ToString(CultureInfo.InvariantCulture));
        Set(Slot.QCount, queue.Callers.Count.ToString(CultureInfo.InvariantCulture));
        Set(Slot.QHold, _holdSeconds.ToString(CultureInfo.InvariantCulture));
        Set(Slot.QWait, _holdSeconds.ToString(CultureInfo.InvariantCulture));
        Set(Slot.QWaitMs, Millis(hold));
        // AgentConnect's RingTime is whole seconds; AgentRingNoAnswer's is milliseconds (QUEUES.md).
        Set(Slot.RingS, Seconds(queue.PbxSecondsSince(_ringStartedAt)).ToString(CultureInfo.InvariantCulture));
        PlayFragment("queue-connect");
        var talk = queue.DrawAgentTalk();
        ScheduleHangup(talk is { } t ? now + _pbx.Options.Scaled(t) : (_answerTime == default ? now : _answerTime) + _pbx.Options.Scaled(Plan.Talk));
    }

    private void OnRingTimeout()
    {
        var queue = Queue!;
        lock (queue.Gate)
        {
            lock (_gate)
            {
                if (_ended || _ringing is not { } member)
                {
                    return;
                }

                _agentTimer?.Dispose();
                _agentTimer = null;
                _ringing = null;
                member.Ringing = null;
                Set(Slot.RingMs, Millis(queue.Options.TimeoutSeconds));
                PlayFragment("queue-agent.noanswer");
                _pbx.AddChannels(-2);
                _retryUntil = _pbx.Time.GetUtcNow() + _pbx.Options.Scaled(TimeSpan.FromSeconds(queue.Options.RetrySeconds));
                queue.WakeAt(_retryUntil);
                queue.Distribute();
            }
        }
    }

    /// <summary>The callee's pair ends: its own Hangup() (<paramref name="cut"/> false) or a Hangup action (true).</summary>
    private void CalleeHangsUp(bool cut)
    {
        var queue = Queue!;
        StopQueueTimers();
        PlayFragment(cut ? "queue-callee.cut" : "queue-callee.hangup." + Plan.Flavor switch
        {
            "short" => "short",
            "long" => "long",
            _ => "answered",
        });
        // The ring is a scheduled PBX duration; only what followed the answer is measured on the (scaled) clock.
        var dialed = _answerTime == default ? queue.PbxSecondsSince(Start) : _pbxAnswered.TotalSeconds + queue.PbxSecondsSince(_answerTime);
        Set(Slot.DialT, Seconds(dialed).ToString(CultureInfo.InvariantCulture));
        Set(Slot.DialTms, Millis(dialed));
        if (_connected is { } member)
        {
            var talk = queue.PbxSecondsSince(_connectedAt);
            _connected = null;
            member.Talking = null;
            member.CallsTaken++;
            member.LastCall = _pbx.Time.GetUtcNow().ToUnixTimeSeconds();
            member.LastCallAt = _pbx.Time.GetUtcNow();
            Set(Slot.QHold, _holdSeconds.ToString(CultureInfo.InvariantCulture));
            Set(Slot.QTalk, Seconds(talk).ToString(CultureInfo.InvariantCulture));
            Set(Slot.AnsT, Seconds(talk).ToString(CultureInfo.InvariantCulture));
            Set(Slot.AnsTms, Millis(talk));
            queue.CallCompleted(_holdSeconds, Seconds(talk));
            PlayFragment("queue-complete");
            _pbx.AddChannels(-2);
        }
        else
        {
            if (_ringing is { } ringing)
            {
                _ringing = null;
                ringing.Ringing = null;
                PlayFragment("queue-agent.cancel");
                _pbx.AddChannels(-2);
            }

            var hold = queue.PbxSecondsSince(JoinedAt);
            var position = queue.Leave(this);
            Set(Slot.QPos, position.ToString(CultureInfo.InvariantCulture));
            Set(Slot.QCount, queue.Callers.Count.ToString(CultureInfo.InvariantCulture));
            Set(Slot.QHold, Seconds(hold).ToString(CultureInfo.InvariantCulture));
            Set(Slot.QWait, Seconds(hold).ToString(CultureInfo.InvariantCulture));
            Set(Slot.QWaitMs, Millis(hold));
            Set(Slot.AnsT, "0");
            Set(Slot.AnsTms, "0");
            queue.CallAbandoned();
            PlayFragment("queue-abandon");
        }

        _joined = false;
        _ended = true;
        _pbx.CallEnded(this);
        queue.Distribute();
    }

    /// <summary>
    /// A teardown of a call waiting in or talking through a queue: a Hangup action ends the callee's pair as q3/q5
    /// recorded (abandon, or AgentComplete); a shutdown lets the generic teardown run after the queue forgot the call.
    /// </summary>
    private bool TeardownInQueue(TeardownKind kind)
    {
        if (!InQueue)
        {
            return false;
        }

        if (kind == TeardownKind.HangupAction)
        {
            CalleeHangsUp(cut: true);
            return true;
        }

        StopQueueTimers();
        Queue!.Leave(this);
        foreach (var member in new[] { _ringing, _connected })
        {
            if (member is not null)
            {
                member.Ringing = member.Ringing == this ? null : member.Ringing;
                member.Talking = member.Talking == this ? null : member.Talking;
                _pbx.AddChannels(-2);
            }
        }

        _ringing = null;
        _connected = null;
        _joined = false;
        return false;
    }

    private void StopQueueTimers()
    {
        _timer?.Dispose();
        _timer = null;
        _hangupTimer?.Dispose();
        _hangupTimer = null;
        _agentTimer?.Dispose();
        _agentTimer = null;
    }

    /// <summary>app_queue's whole seconds: a PBX duration measured on a scaled clock, rounded so 4.999 s reads 5.</summary>
    private static int Seconds(double pbxSeconds) => (int)Math.Round(pbxSeconds, MidpointRounding.AwayFromZero);

    private static string Millis(double pbxSeconds) => ((long)Math.Round(pbxSeconds * 1000)).ToString(CultureInfo.InvariantCulture);
}
