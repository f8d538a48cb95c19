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
    private readonly List<(string Channel, bool Answered, DateTimeOffset Start)> _attempts = [];
    private DateTimeOffset _retryUntil = DateTimeOffset.MinValue;
    private TimeSpan _pbxJoined;
    private TimeSpan _pbxRingStarted;
    private TimeSpan _pbxConnected;
    private TimeSpan _pbxAnchor;
    private DateTimeOffset _realAnchor;
    private QueueMember? _ringing;
    private QueueMember? _connected;
    private QueueMember? _member;
    private bool _joined;
    private bool _everJoined;
    private bool _abandoned;
    private string? _connectedName;
    private int _holdSeconds;

    /// <summary>The queue the answered callee joins (the Originate's Context is the queue context), or null.</summary>
    public SimulatedQueue? Queue { get; init; }

    private bool InQueue => Queue is not null && _joined;

    /// <summary>
    /// PBX time since the call started. A step a timer scheduled (the ring, the callee's hangup, a ring timeout)
    /// anchors it at the PBX time it was due, so a late timer on a loaded machine does not stretch what app_queue
    /// reports (HoldTime, TalkTime, QUEUEWAIT...); between steps the scaled clock runs on from the anchor.
    /// </summary>
    private TimeSpan PbxNow() => _pbxAnchor + ((_pbx.Time.GetUtcNow() - _realAnchor) * _pbx.Options.TimeScale);

    private void Anchor(TimeSpan pbx)
    {
        _pbxAnchor = pbx;
        _realAnchor = _pbx.Time.GetUtcNow();
    }

    /// <summary>Seconds (PBX) the caller has waited in the queue: QueueEntry Wait, QueueSummary LongestHoldTime.</summary>
    public double WaitedSeconds => (PbxNow() - _pbxJoined).TotalSeconds;

    /// <summary>While the queue's retry pause after a member who did not answer runs (waiting, nobody ringing): its end.</summary>
    public DateTimeOffset? RetryUntil => !_ended && _joined && _ringing is null && _connected is null && _retryUntil != DateTimeOffset.MinValue ? _retryUntil : null;

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
                _everJoined = true;
                Anchor(_pbxElapsed);
                _pbxJoined = _pbxElapsed;
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
            case "cdrs":
                AppendCallerCdrs(writer, slices);
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
        var hangup = _pbxAnswered + Plan.Talk;
        if (queue.DrawPatience() is { } patience && _pbxJoined + patience < hangup)
        {
            hangup = _pbxJoined + patience;
        }

        ScheduleHangup(hangup);
        queue.Distribute();
    }

    private TimeSpan _pbxHangup;

    /// <summary>The callee hangs up at this PBX time (since the call started).</summary>
    private void ScheduleHangup(TimeSpan pbx)
    {
        _hangupTimer?.Dispose();
        _pbxHangup = pbx;
        var delay = _pbx.Options.Scaled(pbx - PbxNow());
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
                    Anchor(_pbxHangup);
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
            _ringing = member;
            _member = member;
            member.Ringing = this;
            _pbxRingStarted = PbxNow();
            var name = _pbx.NextChannel(member.Interface);
            _attempts.Add((name + ";1", false, _pbx.Time.GetUtcNow()));
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
        _ringing = null;
        member.Ringing = null;
        member.Talking = this;
        _connected = member;
        _pbxConnected = PbxNow();
        _connectedName = member.Name;
        _attempts[^1] = _attempts[^1] with { Answered = true };
        var hold = (_pbxConnected - _pbxJoined).TotalSeconds;
        _holdSeconds = Seconds(hold);
        var position = queue.Leave(this);
        Set(Slot.QPos, position.ToString(CultureInfo.InvariantCulture));
        Set(Slot.QCount, queue.Callers.Count.ToString(CultureInfo.InvariantCulture));
        Set(Slot.QHold, _holdSeconds.ToString(CultureInfo.InvariantCulture));
        Set(Slot.QWait, _holdSeconds.ToString(CultureInfo.InvariantCulture));
        Set(Slot.QWaitMs, Millis(hold));
        // AgentConnect's RingTime is whole seconds; AgentRingNoAnswer's is milliseconds (QUEUES.md).
        Set(Slot.RingS, Seconds((_pbxConnected - _pbxRingStarted).TotalSeconds).ToString(CultureInfo.InvariantCulture));
        PlayFragment("queue-connect");
        // With an agent talk range the conversation lasts a draw from it; without, the callee keeps its own talk time.
        ScheduleHangup(queue.DrawAgentTalk() is { } talk ? _pbxConnected + talk : Max(_pbxConnected, _pbxAnswered + Plan.Talk));
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
                Anchor(_pbxRingStarted + TimeSpan.FromSeconds(queue.Options.TimeoutSeconds));
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
        var now = PbxNow();
        var dialed = now.TotalSeconds;
        Set(Slot.DialT, Seconds(dialed).ToString(CultureInfo.InvariantCulture));
        Set(Slot.DialTms, Millis(dialed));
        if (_connected is { } member)
        {
            var talk = (now - _pbxConnected).TotalSeconds;
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

            var hold = (now - _pbxJoined).TotalSeconds;
            var position = queue.Leave(this);
            Set(Slot.QPos, position.ToString(CultureInfo.InvariantCulture));
            Set(Slot.QCount, queue.Callers.Count.ToString(CultureInfo.InvariantCulture));
            Set(Slot.QHold, Seconds(hold).ToString(CultureInfo.InvariantCulture));
            Set(Slot.QWait, Seconds(hold).ToString(CultureInfo.InvariantCulture));
            Set(Slot.QWaitMs, Millis(hold));
            Set(Slot.AnsT, "0");
            Set(Slot.AnsTms, "0");
            queue.CallAbandoned();
            _abandoned = true;
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

    /// <summary>For the ground truth: the queue's part of a call that joined one, or null.</summary>
    public QueueFate? QueueFate() => Queue is null || !_everJoined ? null
        : new QueueFate(Queue.Name, _connectedName, _connectedName is null ? null : (long)Math.Round((_pbxConnected - _pbxAnswered).TotalMilliseconds), _abandoned);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// The caller's CDRs as app_queue leaves them: one per member rung (its agent leg as the destination, NO ANSWER,
    /// or ANSWERED for the member who took the call; q5), or one with no destination when nobody was rung (q2).
    /// </summary>
    private void AppendCallerCdrs(ArrayBufferWriter<byte> writer, List<EventSlice> slices)
    {
        var now = _pbx.Time.GetUtcNow();
        List<(string Channel, bool Answered, DateTimeOffset Start)> rows = _attempts.Count == 0 ? [("", true, _answerTime == default ? Start : _answerTime)] : _attempts;
        foreach (var (channel, answered, start) in rows)
        {
            var seconds = ((int)((now - start).TotalSeconds * _pbx.Options.TimeScale)).ToString(CultureInfo.InvariantCulture);
            var stamp = start.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var text = "Event: Cdr\r\nPrivilege: cdr,all\r\nAccountCode: \r\n"
                + $"Source: {Request.CallerIdNum}\r\nDestination: {Request.Exten}\r\nDestinationContext: {Request.Context}\r\n"
                + $"CallerID: \"{Request.CallerIdName}\" <{Request.CallerIdNum}>\r\nChannel: {LegNames[0]}\r\nDestinationChannel: {channel}\r\n"
                + $"LastApplication: Queue\r\nLastData: {Queue!.Name},r\r\nStartTime: {stamp}\r\nAnswerTime: {stamp}\r\n"
                + $"EndTime: {now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}\r\nDuration: {seconds}\r\nBillableSeconds: {seconds}\r\n"
                + $"Disposition: {(answered ? "ANSWERED" : "NO ANSWER")}\r\nAMAFlags: DOCUMENTATION\r\nUniqueID: {LegUniqueIds[0]}\r\nUserField: \r\n\r\n";
            var start0 = writer.WrittenCount;
            writer.Write(System.Text.Encoding.UTF8.GetBytes(text));
            slices.Add(new EventSlice(start0, writer.WrittenCount - start0, AmiPrivilege.Cdr));
        }
    }

    /// <summary>app_queue's whole seconds: a PBX duration measured on a scaled clock, rounded so 4.999 s reads 5.</summary>
    private static int Seconds(double pbxSeconds) => (int)Math.Round(pbxSeconds, MidpointRounding.AwayFromZero);

    private static string Millis(double pbxSeconds) => ((long)Math.Round(pbxSeconds * 1000)).ToString(CultureInfo.InvariantCulture);
}
