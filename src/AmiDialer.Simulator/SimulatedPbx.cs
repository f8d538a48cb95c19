using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AmiDialer.Simulator;

/// <summary>
/// The simulated Asterisk core, apart from the network: channel counters, live calls, dialplan, outcome rules.
/// Every event goes out through <see cref="Publish"/> to all sessions.
/// </summary>
internal sealed class SimulatedPbx
{
    private readonly ConcurrentDictionary<string, SimulatedCall> _byChannel = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SimulatedCall, byte> _calls = new();
    private readonly Action<EventBatch> _publish;
    private long _uniqueSeq;
    private long _channelSeq;
    private int _liveChannels;
    private Dialplan _dialplan;

    public SimulatedPbx(SimulatorOptions options, Action<EventBatch> publish)
    {
        Options = options;
        Time = options.TimeProvider;
        Config = new ConfigFiles(options.LedgerInstalled, options.Includes, [.. options.Queues.Select(q => q.Name)]);
        if (options.Queues.Count > 0)
        {
            // queues.conf as the lab's (QUEUES.md), one category per queue: what GetConfig shows a dialer reading wrapuptime.
            Config.Write(ConfigFiles.Queues, [.. options.Queues.Select(q => q.QueuesConf())]);
        }
        _dialplan = LoadDialplan();
        _publish = publish;
        BootTime = Time.GetUtcNow() - TimeSpan.FromSeconds(options.InitialUptimeSeconds);
        Recorder = options.RecordPath is { } path ? new GroundTruthRecorder(path) : null;
        _queues = LoadQueues();
    }

    private Dictionary<string, SimulatedQueue> _queues;

    /// <summary>One gate for every queue and the calls in them: a queue's state and its callers change together.</summary>
    public Lock QueueGate { get; } = new();

    /// <summary>app_queue's queues (queues.conf) by name, as loaded at start or at the last restart.</summary>
    public IReadOnlyDictionary<string, SimulatedQueue> Queues => Volatile.Read(ref _queues);

    private Dictionary<string, SimulatedQueue> LoadQueues() =>
        Options.Queues.ToDictionary(q => q.Name, q => new SimulatedQueue(this, q, QueueGate), StringComparer.Ordinal);

    /// <summary>A new Uniqueid: the epoch and the PBX's channel sequence (1796605278.392).</summary>
    public string NextUniqueId() =>
        Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "." + (Interlocked.Increment(ref _uniqueSeq) - 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>A new channel name for a device: Local/202@agentphone-000000c5.</summary>
    public string NextChannel(string device) => device + "-" + (Interlocked.Increment(ref _channelSeq) - 1).ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>Channels a call adds or ends beyond its own pairs (a queue's agent legs).</summary>
    public void AddChannels(int count) => Interlocked.Add(ref _liveChannels, count);

    /// <summary>Where the ground truth goes (<see cref="SimulatorOptions.RecordPath"/>), or null.</summary>
    public GroundTruthRecorder? Recorder { get; }

    /// <summary>Asterisk's own database (AstDB): a file on a real PBX, so it outlives restarts.</summary>
    public AstDb Database { get; } = new();

    public SimulatorOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>The dialplan as loaded at start or at the last "dialplan reload": what calls and ShowDialPlan see.</summary>
    public Dialplan Dialplan => Volatile.Read(ref _dialplan);

    /// <summary>The configuration files (what GetConfig reads and UpdateConfig writes); the dialplan only follows them on a reload.</summary>
    public ConfigFiles Config { get; }

    /// <summary>"dialplan reload": extensions.conf and the files it includes, read again.</summary>
    public void ReloadDialplan() => Volatile.Write(ref _dialplan, LoadDialplan());

    private Dialplan LoadDialplan() => new(Config.Load(ConfigFiles.Extensions) ?? [], Options.ExtraContexts);

    public DateTimeOffset BootTime { get; private set; }

    public int LiveChannels => Volatile.Read(ref _liveChannels);

    public int LiveCalls => _calls.Count;

    public void Publish(EventBatch batch) => _publish(batch);

    /// <summary>A fresh process after a restart: counters start again, Uptime 0 (i1, i2).</summary>
    public void Reboot()
    {
        Interlocked.Exchange(ref _uniqueSeq, 0);
        Interlocked.Exchange(ref _channelSeq, 0);
        BootTime = Time.GetUtcNow();
        ReloadDialplan();
        lock (QueueGate)
        {
            // app_queue starts again from queues.conf: dynamic members are gone (persistentmembers=no), counters are 0.
            Volatile.Write(ref _queues, LoadQueues());
        }
    }

    /// <summary>Checks the headers Asterisk checks synchronously (d11); null when the call can be queued.</summary>
    public static string? Validate(OriginateRequest request, Dialplan dialplan)
    {
        if (request.Application is null && request.Context is not null && request.Exten is not null && !dialplan.ExtensionExists(request.Context, request.Exten))
        {
            return "Extension does not exist.";
        }

        return null;
    }

    /// <summary>The number an Originate dials for the ground truth: the customer's Exten for click-to-call, else the channel's digits.</summary>
    public string NumberOf(OriginateRequest request) =>
        request.Context is { } context && request.Application is null && Dialplan.KindOf(context) == ContextKind.Trunk ? request.Exten ?? "" : request.DialedNumber;

    /// <summary>Creates the call and its channel names; the caller writes the Response, then calls <see cref="SimulatedCall.Run"/>.</summary>
    public SimulatedCall CreateCall(OriginateRequest request, TaskCompletionSource<bool>? syncResult)
    {
        var dialplan = Dialplan;
        var technologyKnown = Options.Technologies.Any(t => t.Equals(request.Technology, StringComparison.OrdinalIgnoreCase));
        var localContext = request.LocalContext;
        // A wrapper call (LEDGER.md): the originated Local pair runs the ledger's context, whose ;2 half dials
        // AMIDIALER_DIALSTRING with a hangup handler that writes the outcome to AstDB.
        var wrapper = dialplan.IsLedgerWrapper(localContext);
        var targetKind = request.Context is null || request.Application is not null ? null : dialplan.KindOf(request.Context);
        // The agent leg rings a phone: Local/<n>@agentphone as in j0-j8, or a device endpoint (PJSIP/101), which on
        // this PBX is a phone that answers at once.
        var ringsAPhone = localContext is not null
            ? dialplan.KindOf(localContext) == ContextKind.Phone
            : technologyKnown && !request.Technology.Equals("Local", StringComparison.OrdinalIgnoreCase);
        var clickToCall = targetKind == ContextKind.Trunk && ringsAPhone;
        var number = clickToCall ? request.Exten ?? "" : request.DialedNumber;
        var plan = Options.Outcomes.Decide(number);
        var legs = clickToCall || wrapper ? 4 : 2;
        var attempt = request.Variables.LastOrDefault(v => v.Key == "AMIDIALER_ATTEMPT").Value;
        var ledgerContext = wrapper ? localContext : clickToCall && request.Context is Dialplan.LedgerDial or Dialplan.LedgerClickToCall ? request.Context : null;
        // Set(DB(amidialer/)=...) with an empty key writes nothing on Asterisk either.
        var ledgerKey = !dialplan.LedgerWrites(ledgerContext) || string.IsNullOrEmpty(attempt) ? null : attempt + (ledgerContext == Dialplan.LedgerClickToCall ? "-customer" : "");
        var dialString = request.Variables.LastOrDefault(v => v.Key == "AMIDIALER_DIALSTRING").Value;
        var ringSeconds = int.TryParse(request.Variables.LastOrDefault(v => v.Key == "AMIDIALER_RING").Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ring) && ring > 0 ? ring : (int?)null;

        // Who ends an unanswered ring: the ledger context's Dial (AMIDIALER_RING), the trunk's Dial(…,30), or the Originate's Timeout.
        var dialRing = ledgerContext is not null && ringSeconds is { } r ? TimeSpan.FromSeconds(r)
            : clickToCall ? TimeSpan.FromSeconds(30)
            : TimeSpan.FromMilliseconds(request.TimeoutMs);
        if (wrapper && plan.Outcome == SimulatedOutcome.ChannelUnavailable)
        {
            // The wrapper's channels exist whatever the far end does; the recorded failure closest to "no channel" is k1's unallocated.
            plan = plan with { Outcome = SimulatedOutcome.Unallocated };
        }

        if (plan.Outcome is SimulatedOutcome.Answered or SimulatedOutcome.Rejected)
        {
            // Ringing longer than the Originate (or the trunk Dial's 30 s, or the wrapper Dial's AMIDIALER_RING) timeout is a no-answer.
            var limit = dialRing;
            if (plan.Ring >= limit)
            {
                plan = plan with { Outcome = SimulatedOutcome.NoAnswer };
            }
        }

        if (Options.MaxConcurrentChannels is { } max && Interlocked.Add(ref _liveChannels, legs) > max)
        {
            Interlocked.Add(ref _liveChannels, -legs);
            legs = 0;
            plan = plan with { Outcome = SimulatedOutcome.Congestion };
        }
        else if (Options.MaxConcurrentChannels is null)
        {
            Interlocked.Add(ref _liveChannels, legs);
        }

        CallTemplate? template;
        if (!technologyKnown || plan.Outcome == SimulatedOutcome.ChannelUnavailable && !clickToCall)
        {
            template = null;
        }
        else if (localContext is not null && !dialplan.HasContext(localContext))
        {
            template = CallTemplate.Get("call.nocontext");
        }
        else if (wrapper)
        {
            template = CallTemplate.Get(plan.Outcome switch
            {
                SimulatedOutcome.Answered => plan.Flavor switch
                {
                    "short" => "ledger.short",
                    "playback" => "ledger.playback",
                    _ => "ledger.answered",
                },
                SimulatedOutcome.Busy => "ledger.busy",
                SimulatedOutcome.NoAnswer => "ledger.noanswer",
                SimulatedOutcome.Rejected => "ledger.rejected",
                SimulatedOutcome.Unallocated => "ledger.unallocated",
                _ => "ledger.congestion",
            });
        }
        else if (clickToCall)
        {
            template = CallTemplate.Get(plan.Outcome switch
            {
                SimulatedOutcome.Answered => "c2c.answered",
                SimulatedOutcome.Busy => "c2c.busy",
                SimulatedOutcome.NoAnswer => "c2c.noanswer",
                SimulatedOutcome.Rejected => "c2c.rejected",
                SimulatedOutcome.Unallocated => "c2c.unallocated",
                _ => "c2c.congestion",
            });
        }
        else
        {
            template = CallTemplate.Get(plan.Outcome switch
            {
                SimulatedOutcome.Answered when request.Application is not null => "app.answered",
                SimulatedOutcome.Answered => plan.Flavor switch
                {
                    "short" => "call.short",
                    "long" => "call.long",
                    "playback" => "call.playback",
                    // The test PBX's digit 0 takes one more Goto (d0 → d1) than digit 1.
                    _ => number.EndsWith('0') ? "call.answered" : "call.answered1",
                },
                SimulatedOutcome.Busy => "call.busy",
                SimulatedOutcome.NoAnswer => "call.noanswer",
                SimulatedOutcome.Rejected => "call.rejected",
                SimulatedOutcome.Unallocated => "call.unallocated",
                _ => "call.congestion",
            });
        }

        SimulatedQueue? queue = null;
        if (targetKind == ContextKind.Queue && !wrapper && template is not null && template.Name.StartsWith("call.", StringComparison.Ordinal)
            && plan.Outcome == SimulatedOutcome.Answered && Queues.TryGetValue(request.Exten ?? "", out queue))
        {
            // The answered callee's ;1 runs Queue(<name>): q1 (rings, then answers), q2 (answers at once, short), q5 (long).
            template = CallTemplate.Get(plan.Flavor switch
            {
                "short" => "queue-caller.short",
                "long" => "queue-caller.long",
                _ => "queue-caller.answered",
            });
        }

        var call = new SimulatedCall(this, request, plan, template, clickToCall, legs, syncResult)
        {
            Queue = queue,
            Wrapper = wrapper,
            Ledger = template is null || template.Name == "call.nocontext" ? null : ledgerKey,
            // The handler is pushed on the channel that runs Dial: the wrapper's ;2, or the agent's ;1 that runs a ledger context.
            LedgerLeg = wrapper ? 1 : 0,
            DialRing = dialRing,
        };
        if (template is not null)
        {
            var deviceA = Device(request.Channel);
            var nameA = NextChannel(deviceA);
            var uA1 = NextUniqueId();
            var uA2 = NextUniqueId();
            if (request.ChannelId is not null)
            {
                uA1 = request.ChannelId;
                uA2 = request.OtherChannelId ?? request.ChannelId + ";2";
            }

            string? nameB = null, uB1 = null, uB2 = null, deviceB = null;
            if (clickToCall || wrapper)
            {
                deviceB = ledgerContext is not null && !string.IsNullOrEmpty(dialString) ? Device(dialString) : "Local/" + request.Exten + "@pstn";
                nameB = NextChannel(deviceB);
                uB1 = NextUniqueId();
                uB2 = NextUniqueId();
            }

            call.Prepare(deviceA, nameA, deviceB, nameB, uA1, uA2, uB1, uB2);
            call.Set(Slot.Attempt, attempt ?? "");
            call.Set(Slot.Ring, ringSeconds?.ToString(CultureInfo.InvariantCulture) ?? "");
            call.Set(Slot.Bridge, Guid.NewGuid().ToString());
            if (queue is not null)
            {
                call.Set(Slot.Queue, queue.Name);
            }
        }

        _calls.TryAdd(call, 0);
        return call;
    }

    /// <summary>The device a channel is named after: a Local channel's options (Local/n@ctx/n) are not part of its name.</summary>
    internal static string Device(string channel)
    {
        var at = channel.IndexOf('@', StringComparison.Ordinal);
        var slash = at < 0 ? -1 : channel.IndexOf('/', at);
        return channel.StartsWith("Local/", StringComparison.OrdinalIgnoreCase) && slash > 0 ? channel[..slash] : channel;
    }

    public void LegAlive(SimulatedCall call, int leg) => _byChannel[call.LegNames[leg]] = call;

    public void LegGone(SimulatedCall call, int leg) => _byChannel.TryRemove(new KeyValuePair<string, SimulatedCall>(call.LegNames[leg], call));

    public void CallEnded(SimulatedCall call)
    {
        if (_calls.TryRemove(call, out _))
        {
            for (var leg = 0; leg < 4; leg++)
            {
                if (call.LegNames[leg] is { } name)
                {
                    _byChannel.TryRemove(new KeyValuePair<string, SimulatedCall>(name, call));
                }
            }

            Interlocked.Add(ref _liveChannels, -call.Channels);
            if (Recorder is { } recorder)
            {
                var (outcome, answered) = call.GroundTruth();
                recorder.CallEnded(call.RecordedChannelId, call.Number, outcome, answered, call.Start, Time.GetUtcNow(), call.Ledger is not null, call.QueueFate());
            }
        }
    }

    public SimulatedCall? FindByChannel(string channel) => _byChannel.TryGetValue(channel, out var call) && !call.Ended ? call : null;

    /// <summary>Live channels in creation order (Uniqueid order), with their snapshot headers.</summary>
    public List<(SimulatedCall Call, int Leg, List<KeyValuePair<string, string>> Headers, TimeSpan Age)> Channels(Regex? filter = null, string? exact = null)
    {
        var list = new List<(SimulatedCall, int, List<KeyValuePair<string, string>>, TimeSpan)>();
        foreach (var call in _calls.Keys.OrderBy(c => c.Start).ThenBy(c => c.LegNames[0], StringComparer.Ordinal))
        {
            for (var leg = 0; leg < 4; leg++)
            {
                var name = call.LegNames[leg];
                if (name is null || exact is not null && name != exact || filter is not null && !filter.IsMatch(name))
                {
                    continue;
                }

                var snap = call.LegSnapshot(leg, out var age);
                if (snap is not null)
                {
                    list.Add((call, leg, snap, age));
                }
            }
        }

        return list;
    }

    /// <summary>Every live call is hung up as at "core restart now": SoftHangupRequest Cause 4, Hangup Cause 0.</summary>
    public void HangupAll()
    {
        foreach (var call in _calls.Keys.ToArray())
        {
            call.Teardown(TeardownKind.Shutdown, 0);
        }
    }
}
