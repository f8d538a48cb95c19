using System.Buffers;
using System.Globalization;
using System.Text;

namespace AmiDialer.Simulator;

/// <summary>
/// One call in progress: plays its template phase by phase on the PBX's timers, keeps its legs' last known
/// state (for CoreShowChannels, Status, Redirect, Hangup, restart) and completes a sync Originate's wait.
/// </summary>
internal sealed partial class SimulatedCall
{
    private static readonly int SlotCount = Enum.GetValues<Slot>().Length;
    private readonly SimulatedPbx _pbx;
    private readonly Lock _gate = new();
    private readonly byte[][] _slots = new byte[SlotCount][];
    private readonly TemplateItem?[] _legState = new TemplateItem?[4];
    private readonly DateTimeOffset[] _legStart = new DateTimeOffset[4];
    private CallTemplate _template;
    private int _nextPhase;
    private ITimer? _timer;
    private bool _ended;
    private DateTimeOffset _answerTime;
    private bool _originateSucceeded;
    private bool _ledgerWritten;
    private TimeSpan _pbxElapsed;
    private TimeSpan _pbxAnswered;
    private TeardownKind? _cutBy;

    public SimulatedCall(SimulatedPbx pbx, OriginateRequest request, CallPlan plan, CallTemplate? template, bool clickToCall, int channels, TaskCompletionSource<bool>? syncResult)
    {
        _pbx = pbx;
        Request = request;
        Plan = plan;
        _template = template ?? CallTemplate.Get("call.busy");
        HasChannels = template is not null;
        ClickToCall = clickToCall;
        Channels = channels;
        SyncResult = syncResult;
        Start = pbx.Time.GetUtcNow();
        var empty = Array.Empty<byte>();
        for (var i = 0; i < SlotCount; i++)
        {
            _slots[i] = empty;
        }
    }

    public OriginateRequest Request { get; }

    public CallPlan Plan { get; }

    public bool ClickToCall { get; }

    public bool HasChannels { get; }

    public int Channels { get; }

    public TaskCompletionSource<bool>? SyncResult { get; }

    public DateTimeOffset Start { get; }

    public string[] LegNames { get; } = new string[4];

    public string[] LegUniqueIds { get; } = new string[4];

    public bool OriginateResponseSent { get; private set; }

    public bool Ended => _ended;

    public DateTimeOffset AnswerTime => _answerTime;

    /// <summary>The number whose fate <see cref="Plan"/> is: the customer's (click-to-call: the Exten; else the dialled digits).</summary>
    public string Number => ClickToCall ? Request.Exten ?? "" : Request.DialedNumber;

    /// <summary>The ground truth's call id: A;1's Uniqueid (the Originate's ChannelId when it gave one).</summary>
    public string RecordedChannelId => LegUniqueIds[0] ?? Request.ChannelId ?? "";

    /// <summary>The AstDB key (family amidialer) this call's ledger hangup handler writes, or null for a call not dialled through the ledger.</summary>
    public string? Ledger { get; init; }

    /// <summary>Which leg holds the ledger's hangup handler (its index in <see cref="LegNames"/>).</summary>
    public int LedgerLeg { get; init; }

    /// <summary>A call dialled through [amidialer-dial]/[amidialer-c2c] as the Originate's channel (two Local pairs, LEDGER.md).</summary>
    public bool Wrapper { get; init; }

    /// <summary>How long a Dial rings before its own timeout: AMIDIALER_RING in a ledger context, the trunk's 30 s, else the Originate's Timeout.</summary>
    public TimeSpan DialRing { get; init; }

    /// <summary>What really happened to the number, in AmiDialer's outcome names (the record's <c>outcome</c>), and whether the callee answered.</summary>
    public (string Outcome, bool Answered) GroundTruth()
    {
        lock (_gate)
        {
            if (!HasChannels || _template.Name is "call.nocontext")
            {
                return ("failed", false);
            }

            var answered = CalleeAnswered();
            if (answered)
            {
                return ("answered", true);
            }

            return _cutBy switch
            {
                TeardownKind.Shutdown => ("interrupted", false),
                TeardownKind.HangupAction => ("failed", false),
                _ => (GroundTruthRecorder.OutcomeText(Plan.Outcome == SimulatedOutcome.Answered ? SimulatedOutcome.NoAnswer : Plan.Outcome), false),
            };
        }
    }

    /// <summary>The callee picked up: the Originate succeeded (campaign), or the customer's ring time passed (click-to-call, whose Originate answers with the agent).</summary>
    private bool CalleeAnswered()
    {
        if (Plan.Outcome != SimulatedOutcome.Answered)
        {
            return false;
        }

        if (!ClickToCall)
        {
            return _originateSucceeded || _cutBy is null;
        }

        return _cutBy is null || _pbx.Time.GetUtcNow() - Start >= _pbx.Options.Scaled(Plan.Ring);
    }

    public string Get(Slot slot) => Encoding.UTF8.GetString(_slots[(int)slot]);

    public void Set(Slot slot, string value) => _slots[(int)slot] = Encoding.UTF8.GetBytes(value);

    /// <summary>Names the legs and fills the slots (channel names, Uniqueids, caller id, target...).</summary>
    public void Prepare(string deviceA, string nameA, string? deviceB, string? nameB, string uA1, string uA2, string? uB1, string? uB2)
    {
        var r = Request;
        LegNames[0] = nameA + ";1";
        LegNames[1] = nameA + ";2";
        LegUniqueIds[0] = uA1;
        LegUniqueIds[1] = uA2;
        Set(Slot.A, nameA);
        Set(Slot.UA1, uA1);
        Set(Slot.UA2, uA2);
        if (nameB is not null)
        {
            LegNames[2] = nameB + ";1";
            LegNames[3] = nameB + ";2";
            LegUniqueIds[2] = uB1!;
            LegUniqueIds[3] = uB2!;
            Set(Slot.B, nameB);
            Set(Slot.UB1, uB1!);
            Set(Slot.UB2, uB2!);
            Set(Slot.DevB, deviceB!);
        }

        Set(Slot.DevA, deviceA);
        Set(Slot.CidNum, r.CallerIdNum);
        Set(Slot.CidName, r.CallerIdName);
        Set(Slot.Ctx, r.Context ?? "");
        Set(Slot.Exten, r.Exten ?? "");
        Set(Slot.DCtx, r.LocalContext ?? r.Technology);
        Set(Slot.DExten, r.DialedNumber);
        var num = ClickToCall ? r.Exten ?? "" : r.DialedNumber;
        Set(Slot.Num, num);
        Set(Slot.Digit, num.Length > 0 ? num[^1..] : "");
        var campaign = r.Variables.FirstOrDefault(v => v.Key == "CAMPAIGN").Value ?? "";
        Set(Slot.VarCampaign, campaign);
        Set(Slot.CdrStart, Start.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
    }

    /// <summary>Plays phase 0 now and schedules the rest.</summary>
    public void Run()
    {
        if (Queue is { } queue && !queue.Gate.IsHeldByCurrentThread)
        {
            // A queue call changes its queue's state: the queue's gate first, then the call's own (one order, no deadlock).
            lock (queue.Gate)
            {
                Run();
            }

            return;
        }

        lock (_gate)
        {
            if (!HasChannels)
            {
                // Unknown technology or unreachable channel: only the OriginateResponse, no channel at all (d11 Bogus/).
                PublishOriginateResponse(success: false, reason: 0);
                _ended = true;
                _pbx.CallEnded(this);
                return;
            }

            RunPhasesFrom(0);
        }
    }

    private void RunPhasesFrom(int index)
    {
        _nextPhase = index;
        while (!_ended && _nextPhase < _template.Phases.Length)
        {
            var phase = _template.Phases[_nextPhase];
            var delay = _nextPhase == 0 && phase.Delay == PhaseDelay.Now ? TimeSpan.Zero : _pbx.Options.Scaled(DelayOf(phase));
            if (delay > TimeSpan.Zero && _timer is null)
            {
                _timer = _pbx.Time.CreateTimer(static s => ((SimulatedCall)s!).OnTimer(), this, delay, Timeout.InfiniteTimeSpan);
                return;
            }

            _timer?.Dispose();
            _timer = null;
            _nextPhase++;
            PlayPhase(phase);
        }

        if (!_ended && _nextPhase >= _template.Phases.Length)
        {
            if (InQueue)
            {
                // The callee waits in the queue: from here the queue's state, not a recorded stream, says what comes next.
                StartWaiting();
                return;
            }

            _ended = true;
            _pbx.CallEnded(this);
        }
    }

    private void OnTimer()
    {
        if (Queue is { } queue && !queue.Gate.IsHeldByCurrentThread)
        {
            lock (queue.Gate)
            {
                OnTimer();
            }

            return;
        }

        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            var phase = _template.Phases[_nextPhase];
            _timer?.Dispose();
            _timer = null;
            _nextPhase++;
            PlayPhase(phase);
            RunPhasesFrom(_nextPhase);
        }
    }

    private TimeSpan DelayOf(TemplatePhase phase) => phase.Delay switch
    {
        PhaseDelay.Ring => Plan.Ring,
        PhaseDelay.Talk => Plan.Talk,
        PhaseDelay.Timeout => TimeSpan.FromMilliseconds(Request.TimeoutMs),
        PhaseDelay.DialTimeout => DialRing,
        PhaseDelay.Fixed => TimeSpan.FromSeconds(phase.FixedSeconds),
        PhaseDelay.LedgerRing => DialRing,
        _ => TimeSpan.Zero,
    };

    /// <summary>Plays every phase of a fragment now (queue-*.ami), with the call's slots as they are.</summary>
    private void PlayFragment(string name)
    {
        foreach (var phase in CallTemplate.Get(name).Phases)
        {
            PlayPhase(phase);
        }
    }

    private void PlayPhase(TemplatePhase phase)
    {
        var now = _pbx.Time.GetUtcNow();
        _pbxElapsed += DelayOf(phase);
        Set(Slot.Answered, _answerTime == default ? "" : AnsweredSeconds(now).ToString(CultureInfo.InvariantCulture));
        if (Ledger is not null && !_ledgerWritten && phase.Items.Any(i => i.Kind == ItemKind.Gone && (int)i.Leg == LedgerLeg))
        {
            // The handler runs inside the leg's hangup: the key exists before that leg's Hangup event goes out (LEDGER.md).
            WriteLedger(now);
        }

        Set(Slot.CdrEnd, now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        Set(Slot.Dur, ((int)(now - Start).TotalSeconds).ToString(CultureInfo.InvariantCulture));
        var billed = _answerTime == default ? 0 : (int)(now - _answerTime).TotalSeconds;
        Set(Slot.Bill, billed.ToString(CultureInfo.InvariantCulture));
        var writer = new ArrayBufferWriter<byte>(phase.Items.Length * 700);
        var slices = new List<EventSlice>(phase.Items.Length + 4);
        foreach (var item in phase.Items)
        {
            switch (item.Kind)
            {
                case ItemKind.Event:
                    Append(writer, slices, item.Segments, item.Class);
                    if (item.EventName == "Newstate" && _answerTime == default && IsUpState(item))
                    {
                        _answerTime = now;
                        _pbxAnswered = _pbxElapsed;
                        Set(Slot.CdrAnswer, now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                    }

                    break;
                case ItemKind.Vars:
                    var vars = Request.Variables;
                    for (var i = 0; i < vars.Count; i++)
                    {
                        var v = vars[item.Reverse ? vars.Count - 1 - i : i];
                        Set(Slot.Var, v.Key);
                        Set(Slot.Val, v.Value);
                        Append(writer, slices, item.Segments, item.Class);
                    }

                    break;
                case ItemKind.OriginateResponse:
                    var (success, reason) = OriginateResult();
                    if (SyncResult is not null)
                    {
                        // A sync Originate gets its Response instead of the event (f1-f3).
                        OriginateResponseSent = true;
                        _originateSucceeded |= success;
                        SyncResult.TrySetResult(success);
                    }
                    else
                    {
                        var start = writer.WrittenCount;
                        WriteOriginateResponse(writer, success, reason);
                        slices.Add(new EventSlice(start, writer.WrittenCount - start, AmiPrivilege.Call));
                    }

                    break;
                case ItemKind.State:
                    if (_legState[(int)item.Leg] is null)
                    {
                        _legStart[(int)item.Leg] = now;
                    }

                    _legState[(int)item.Leg] = item;
                    _pbx.LegAlive(this, (int)item.Leg);
                    break;
                case ItemKind.Gone:
                    _legState[(int)item.Leg] = null;
                    _pbx.LegGone(this, (int)item.Leg);
                    break;
                case ItemKind.Queue:
                    QueueDirective(item.EventName, writer, slices);
                    break;
            }
        }

        Publish(writer, slices);
    }

    private bool IsUpState(TemplateItem item)
    {
        foreach (var s in item.Segments)
        {
            if (s.Literal is { } lit && lit.AsSpan().IndexOf("ChannelState: 6"u8) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private void Append(ArrayBufferWriter<byte> writer, List<EventSlice> slices, Segment[] segments, AmiPrivilege cls)
    {
        var start = writer.WrittenCount;
        CallTemplate.Render(segments, _slots, writer);
        slices.Add(new EventSlice(start, writer.WrittenCount - start, cls));
    }

    private void Publish(ArrayBufferWriter<byte> writer, List<EventSlice> slices)
    {
        if (slices.Count == 0)
        {
            return;
        }

        // The writer's backing array is never reused, so the batch can share it without a copy.
        var buffer = writer.WrittenMemory.ToArray();
        _pbx.Publish(new EventBatch(buffer, buffer.Length, [.. slices]));
    }

    /// <summary>What the ledger's hangup handler writes: DIALSTATUS|HANGUPCAUSE|ANSWEREDTIME|EPOCH (k1; i4 for a restart, k5 for a Hangup).</summary>
    private string LedgerValue(DateTimeOffset now)
    {
        var epoch = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (Plan.Outcome == SimulatedOutcome.Answered && (_cutBy is null || CalleeAnswered()))
        {
            return "ANSWER|16|" + AnsweredSeconds(now).ToString(CultureInfo.InvariantCulture) + "|" + epoch;
        }

        var status = _cutBy switch
        {
            // Dial's channel is torn down under it: no status of the far end, no cause (i4).
            TeardownKind.Shutdown => "CHANUNAVAIL|0",
            TeardownKind.HangupAction => "CANCEL|16",
            _ => Plan.Outcome switch
            {
                SimulatedOutcome.Busy => "BUSY|16",
                SimulatedOutcome.Congestion => "CONGESTION|16",
                SimulatedOutcome.Unallocated => "CHANUNAVAIL|1",
                SimulatedOutcome.Rejected => "CHANUNAVAIL|21",
                SimulatedOutcome.ChannelUnavailable => "CHANUNAVAIL|27",
                _ => "NOANSWER|16",
            },
        };
        return status + "||" + epoch;
    }

    /// <summary>
    /// ANSWEREDTIME in the PBX's seconds: the played phases' durations, or for a cut call the time scaled back. In
    /// click-to-call the ledger's leg is the customer's, answered when its ring ended (the agent's phone answers first).
    /// </summary>
    private int AnsweredSeconds(DateTimeOffset now)
    {
        if (_cutBy is null)
        {
            return (int)(_pbxElapsed - (ClickToCall ? Plan.Ring : _pbxAnswered)).TotalSeconds;
        }

        var scale = _pbx.Options.TimeScale;
        var answeredAt = ClickToCall ? Plan.Ring.TotalSeconds : _answerTime == default ? 0 : (_answerTime - Start).TotalSeconds * scale;
        return Math.Max(0, (int)(((now - Start).TotalSeconds * scale) - answeredAt));
    }

    private void WriteLedger(DateTimeOffset now)
    {
        var value = LedgerValue(now);
        Set(Slot.Ledger, value);
        _ledgerWritten = true;
        _pbx.Database.Put("amidialer", Ledger!, value);
    }

    /// <summary>For a teardown: writes the ledger as the handler would (idempotent), so it holds the value before the legs' Hangup events.</summary>
    internal void WriteLedgerIfDue()
    {
        if (Ledger is not null && !_ledgerWritten)
        {
            WriteLedger(_pbx.Time.GetUtcNow());
        }
    }

    private (bool Success, int Reason) OriginateResult()
    {
        if (Wrapper)
        {
            // Dial does not pass busy or congestion back to the originated half: every failure is Reason 0 (k1).
            return Plan.Outcome == SimulatedOutcome.Answered ? (true, 4) : (false, 0);
        }

        if (ClickToCall || _template.Name.StartsWith("redirect", StringComparison.Ordinal))
        {
            return (true, 4);
        }

        return _template.Name switch
        {
            "call.nocontext" => (false, 0),
            _ => Plan.Outcome switch
            {
                SimulatedOutcome.Answered => (true, 4),
                SimulatedOutcome.Busy => (false, 5),
                SimulatedOutcome.NoAnswer => (false, 3),
                SimulatedOutcome.Congestion => (false, 8),
                _ => (false, 0),
            },
        };
    }

    private void PublishOriginateResponse(bool success, int reason)
    {
        if (SyncResult is not null)
        {
            OriginateResponseSent = true;
            SyncResult.TrySetResult(success);
            return;
        }

        var writer = new ArrayBufferWriter<byte>(400);
        WriteOriginateResponse(writer, success, reason);
        Publish(writer, [new EventSlice(0, writer.WrittenCount, AmiPrivilege.Call)]);
    }

    private void WriteOriginateResponse(ArrayBufferWriter<byte> writer, bool success, int reason)
    {
        OriginateResponseSent = true;
        _originateSucceeded |= success;
        var r = Request;
        var sb = new StringBuilder(320);
        sb.Append("Event: OriginateResponse\r\nPrivilege: call,all\r\n");
        if (r.ActionId is not null)
        {
            sb.Append("ActionID: ").Append(r.ActionId).Append("\r\n");
        }

        sb.Append("Response: ").Append(success ? "Success" : "Failure").Append("\r\n");
        sb.Append("Channel: ").Append(success ? LegNames[0] : r.Channel).Append("\r\n");
        if (r.Application is not null)
        {
            sb.Append("Application: ").Append(r.Application).Append("\r\nData: ").Append(r.Data ?? "").Append("\r\n");
        }
        else
        {
            sb.Append("Context: ").Append(r.Context).Append("\r\nExten: ").Append(r.Exten).Append("\r\n");
        }

        sb.Append("Reason: ").Append(reason.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("Uniqueid: ").Append(success ? LegUniqueIds[0] : r.ChannelId ?? "<unknown>").Append("\r\n");
        sb.Append("CallerIDNum: ").Append(r.CallerIdNum).Append("\r\nCallerIDName: ").Append(r.CallerIdName).Append("\r\n\r\n");
        writer.Write(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    /// <summary>Channel snapshot lines (Channel ... ApplicationData) of a live leg, or null when it is gone.</summary>
    public List<KeyValuePair<string, string>>? LegSnapshot(int leg, out TimeSpan age)
    {
        lock (_gate)
        {
            age = _pbx.Time.GetUtcNow() - _legStart[leg];
            var item = _legState[leg];
            if (item is null || _ended)
            {
                return null;
            }

            var writer = new ArrayBufferWriter<byte>(600);
            CallTemplate.Render(item.Segments, _slots, writer);
            var text = Encoding.UTF8.GetString(writer.WrittenSpan);
            var list = new List<KeyValuePair<string, string>>();
            foreach (var line in text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
            {
                var colon = line.IndexOf(": ", StringComparison.Ordinal);
                list.Add(colon < 0 ? new(line.TrimEnd(':'), "") : new(line[..colon], line[(colon + 2)..]));
            }

            return list;
        }
    }

    public int LegIndex(string channelName) => Array.IndexOf(LegNames, channelName);

    /// <summary>Redirect of a live leg: the recorded e1 (known context) or e3 (missing context) continuation.</summary>
    public bool Redirect(string context, string exten, bool contextExists)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return false;
            }

            _timer?.Dispose();
            _timer = null;
            Set(Slot.RCtx, context);
            Set(Slot.RExten, exten);
            _template = CallTemplate.Get(contextExists ? "redirect.ivr" : "redirect.nocontext");
            RunPhasesFrom(0);
            return true;
        }
    }

    /// <summary>
    /// Redirect of a click-to-call's customer leg (B;1, bridged to the agent's A;1 by its Dial): the customer leaves
    /// the bridge for the target, so the agent's Dial returns and the agent's pair hangs up at once (with the ledger's
    /// handler on A;1, which records the customer's answer); the customer's pair runs the target as e1's IVR did and
    /// hangs up 2 s later. No capture holds this shape: it is built from the legs' last state like a teardown.
    /// </summary>
    public bool RedirectCustomer(string context, string exten)
    {
        lock (_gate)
        {
            var customer = LegSnapshot(2, out _);
            if (_ended || !ClickToCall || customer is null)
            {
                return false;
            }

            _timer?.Dispose();
            _timer = null;
            var now = _pbx.Time.GetUtcNow();
            _pbxElapsed = TimeSpan.FromSeconds((now - Start).TotalSeconds * _pbx.Options.TimeScale);
            Set(Slot.RCtx, context);
            Set(Slot.RExten, exten);
            var agent = new List<KeyValuePair<string, string>>?[] { LegSnapshot(0, out _), LegSnapshot(1, out _), null, null };
            var events = CallTeardown.CustomerRedirected(this, customer, agent, context, exten, now);
            for (var leg = 0; leg < 2; leg++)
            {
                _legState[leg] = null;
                _pbx.LegGone(this, leg);
            }

            PublishEvents(events);
            _timer = _pbx.Time.CreateTimer(static s => ((SimulatedCall)s!).EndRedirectedCustomer(), this, _pbx.Options.Scaled(TimeSpan.FromSeconds(2)), Timeout.InfiniteTimeSpan);
            return true;
        }
    }

    private void EndRedirectedCustomer()
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _timer?.Dispose();
            _timer = null;
            var legs = new List<KeyValuePair<string, string>>?[] { null, null, LegSnapshot(2, out _), LegSnapshot(3, out _) };
            for (var leg = 2; leg < 4; leg++)
            {
                _legState[leg] = null;
                _pbx.LegGone(this, leg);
            }

            PublishEvents(CallTeardown.Build(this, legs, TeardownKind.HangupAction, 16, _pbx.Time.GetUtcNow()));
            _ended = true;
            _pbx.CallEnded(this);
        }
    }

    private void PublishEvents(List<(string Text, AmiPrivilege Class)> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        var writer = new ArrayBufferWriter<byte>(events.Sum(e => e.Text.Length) + 16);
        var slices = new List<EventSlice>(events.Count);
        foreach (var (text, cls) in events)
        {
            var start = writer.WrittenCount;
            writer.Write(Encoding.UTF8.GetBytes(text));
            slices.Add(new EventSlice(start, writer.WrittenCount - start, cls));
        }

        Publish(writer, slices);
    }

    /// <summary>Ends the call from outside (Hangup action, shutdown) with the events Asterisk sent then (see <see cref="CallTeardown"/>).</summary>
    public void Teardown(TeardownKind kind, int cause)
    {
        if (Queue is { } queue && !queue.Gate.IsHeldByCurrentThread)
        {
            lock (queue.Gate)
            {
                Teardown(kind, cause);
            }

            return;
        }

        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            if (TeardownInQueue(kind))
            {
                return;
            }

            _timer?.Dispose();
            _timer = null;
            _cutBy = kind;
            var legs = new List<KeyValuePair<string, string>>?[4];
            for (var leg = 0; leg < 4; leg++)
            {
                legs[leg] = LegSnapshot(leg, out _);
                _legState[leg] = null;
                if (LegNames[leg] is not null)
                {
                    _pbx.LegGone(this, leg);
                }
            }

            var events = CallTeardown.Build(this, legs, kind, cause, _pbx.Time.GetUtcNow());
            WriteLedgerIfDue();
            PublishEvents(events);

            if (!OriginateResponseSent)
            {
                PublishOriginateResponse(success: false, reason: 0);
            }

            _ended = true;
            _pbx.CallEnded(this);
        }
    }
}
