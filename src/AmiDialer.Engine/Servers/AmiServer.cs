using System.Globalization;
using AmiDialer.Ami;
using AmiDialer.Data.TestHooks;
using AmiDialer.Engine.Tracking;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine.Servers;

/// <summary>
/// One Asterisk: its AMI client, the tracker of the calls sent to it, and the loops that feed the tracker
/// (events), collect finished calls (poll), and check the tracker against Asterisk (reconcile after every
/// login, after a restart, and periodically). Finished calls go to <see cref="CallsFinished"/>.
/// </summary>
internal sealed partial class AmiServer : IAsyncDisposable
{
    private readonly AmiServerConfig _config;
    private readonly DialerEngineOptions _options;
    private readonly AmiClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<AmiServer, IReadOnlyList<CallFacts>, Task> _onFinished;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly SemaphoreSlim _reconcileGate = new(1, 1);
    private TaskCompletionSource<AmiMessage?> _booted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bootedGeneration;
    private volatile bool _connected;
    // Why a connected server may not be dialed (its ledger dialplan is missing); null when it may. Set before
    // _connected at each login on a ledger server, so no call goes out before LedgerProbe has said yes.
    private volatile string? _unusable;
    private volatile AmiConnectionStatus _status = AmiConnectionStatus.Disconnected;
    // Completed (and replaced) each time _connected changes, for WaitUntilConnectedAsync.
    private TaskCompletionSource _connectedChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reserved;
    private int _ending;
    // Calls on this Asterisk that other processes placed (other nodes, another process on the same file), as last
    // counted in the store, and when (monotonic ticks; 0 never): this process keeps its own calls within what they leave.
    private int _others;
    private long _othersSeenAt;
    private int _clusterCap;
    // When Asterisk last booted, from the FullyBooted of the latest login (ticks; 0 unknown): a call claimed before that
    // and found gone was cut by the restart.
    private long _bootedAtTicks;
    // The link generation now logged in, and the one on which Asterisk last announced its Shutdown: while they are the
    // same the server is going down, and a call sent now would be written into a socket it no longer reads.
    private long _connectedGeneration;
    private long _shutdownGeneration;
    // When the latest link was seen lost (ticks), and its generation: when that very link carried a Shutdown, every
    // call sent before then went to the Asterisk that shut down (a Shutdown on an older link says nothing of this drop).
    private long _droppedAtTicks;
    private long _droppedGeneration;
    // Ledger keys whose DBDel did not get through (the link was down): deleted after the next login.
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _keysToDelete = new();

    public AmiServer(AmiServerConfig config, DialerEngineOptions options, TimeProvider time, ILoggerFactory loggers, Func<AmiServer, IReadOnlyList<CallFacts>, Task> onFinished)
    {
        _config = config;
        _options = options;
        _time = time;
        _logger = loggers.CreateLogger("AmiDialer.Engine.AmiServer");
        _onFinished = onFinished;
        // Only the events read below reach the loop: the reader drops the other two dozen a call makes unparsed.
        var client = config.Client.Copy();
        client.EventNames = [.. CallEvent.EventNames, .. Queues.QueueMessages.EventNames, AmiEventNames.FullyBooted, AmiEventNames.Shutdown];
        // The event loop only updates the tracker under its short lock: it can run on the reader rather than wake a
        // thread-pool thread after every socket read (hundreds a second at 500 calls/s), when that pays (see InlineIo).
        client.InlineEventConsumer = Dialing.EngineServices.InlineIo;
        _client = new AmiClient(client, loggers.CreateLogger<AmiClient>(), time);
        Tracker = new CallTracker(options.SettleTime, options.OriginateGrace);
        QueueFollower = new Queues.QueueFollower(options.QueueWrapUp, options.QueueWrapUps);
        _queueEpoch = time.GetUtcNow();
    }

    public string Name => _config.Name;

    /// <summary>
    /// The cap this node claims with: its own setting, or a smaller one another live node gives the same server name
    /// (<see cref="ClusterCap"/>): while the nodes disagree the smallest holds, so none exceeds what any operator allowed.
    /// </summary>
    public int MaxConcurrentCalls
    {
        get
        {
            var cluster = Volatile.Read(ref _clusterCap);
            return cluster > 0 ? Math.Min(cluster, _config.MaxConcurrentCalls) : _config.MaxConcurrentCalls;
        }
    }

    /// <summary>This node's own <c>Ami:Servers:n:MaxConcurrentCalls</c>.</summary>
    public int ConfiguredMaxConcurrentCalls => _config.MaxConcurrentCalls;

    /// <summary>The host and port this node's settings give (what it tells the other nodes; never the login).</summary>
    public (string Host, int Port) Endpoint => (_config.Client.Host, _config.Client.Port);

    /// <summary>
    /// The smallest cap the live nodes give this server's name, as the heartbeat last read it (0: none known): applied
    /// through <see cref="MaxConcurrentCalls"/> when below this node's own.
    /// </summary>
    public int ClusterCap
    {
        get => Volatile.Read(ref _clusterCap);
        set => Volatile.Write(ref _clusterCap, Math.Max(0, value));
    }

    /// <summary>The server has the outcome ledger dialplan (<c>Ami:Servers[n]:Ledger</c>): calls are dialed through it.</summary>
    public bool Ledger => _config.Ledger;

    private DateTimeOffset? BootedAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _bootedAtTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public CallTracker Tracker { get; }

    public bool IsConnected => _connected;

    /// <summary>Why this connected server is not dialed (a ledger server whose dialplan is missing, or not checked yet since the login); null when it may be.</summary>
    public string? UnusableReason => ShuttingDown ? "Asterisk is shutting down" : _unusable;

    /// <summary>Logged in and allowed to take calls.</summary>
    public bool IsUsable => _connected && UnusableReason is null;

    private bool ShuttingDown
    {
        get
        {
            var shutdown = Volatile.Read(ref _shutdownGeneration);
            return shutdown != 0 && shutdown == Volatile.Read(ref _connectedGeneration);
        }
    }

    /// <summary>The AMI client's latest state as this server saw it: connecting, connected, disconnected (retrying) or stopped.</summary>
    public AmiConnectionStatus Status => _status;

    /// <summary>Calls on this server (those whose endings are being written included) plus slots reserved by dialers about to originate.</summary>
    public int Load => Tracker.Count + Volatile.Read(ref _reserved) + Volatile.Read(ref _ending);

    /// <summary>Calls other processes have on this server, as the store last said (see <see cref="ObserveOpenInStore"/>).</summary>
    public int OthersCalls => Volatile.Read(ref _others);

    public int FreeCapacity => Math.Max(0, MaxConcurrentCalls - Load - OthersCalls);

    /// <summary>
    /// What the store counted open on this server (every process's calls, this one's included): the part that is not
    /// this process's own load is the others'. Taken right after a claim or a count, while this process's calls of
    /// that moment are still in <see cref="Load"/>; an estimate (a call of ours ending meanwhile makes it low), which
    /// only steers the choice of a server: the claim's own count in the store decides.
    /// </summary>
    public void ObserveOpenInStore(int open)
    {
        Volatile.Write(ref _others, Math.Max(0, open - Load));
        Volatile.Write(ref _othersSeenAt, _time.GetTimestamp());
    }

    /// <summary>
    /// Whether the others' share is worth counting again: never counted yet (a server full of another node's calls is
    /// not tried first), or other processes held slots here when last counted that long ago or more.
    /// </summary>
    public bool OthersStale(TimeSpan age)
    {
        var seenAt = Volatile.Read(ref _othersSeenAt);
        return seenAt == 0 || (Volatile.Read(ref _others) > 0 && _time.GetElapsedTime(seenAt) >= age);
    }

    /// <summary>Raised (never blocking the engine) when the connection comes or goes.</summary>
    public event Action<AmiServer>? StateChanged;

    /// <summary>Starts connecting and the loops. <paramref name="openAttempts"/> are adopted first (start-up reconcile).</summary>
    public void Start(IEnumerable<TrackedCallStart> openAttempts)
    {
        foreach (var open in openAttempts)
        {
            Tracker.Track(open, adopted: true);
        }

        _client.Start();
        var token = _stop.Token;
        _loops.Add(Task.Run(() => EventLoopAsync(token), CancellationToken.None));
        _loops.Add(Task.Run(() => StateLoopAsync(token), CancellationToken.None));
        _loops.Add(Task.Run(() => PollLoopAsync(token), CancellationToken.None));
        _loops.Add(Task.Run(() => PeriodicReconcileLoopAsync(token), CancellationToken.None));
        _loops.Add(Task.Run(() => QueueLoopAsync(token), CancellationToken.None));
        _loops.Add(Task.Run(() => QueueNewsLoopAsync(token), CancellationToken.None));
    }

    /// <summary>
    /// Takes over attempts this process now owns (its campaign's lease, a dead process's click-to-call lease) after
    /// start: they are followed like calls of this process and checked against Asterisk at once when connected (else at
    /// the next login). Attempts already followed here are left as they are.
    /// </summary>
    public void Adopt(IReadOnlyList<TrackedCallStart> attempts)
    {
        var added = 0;
        foreach (var attempt in attempts)
        {
            if (!Tracker.IsTracking(attempt.AttemptId))
            {
                Tracker.Track(attempt, adopted: true);
                added++;
            }
        }

        if (added > 0 && _connected && !_stop.IsCancellationRequested)
        {
            var token = _stop.Token;
            _ = Task.Run(async () =>
            {
                try
                {
                    await ReconcileUntilSettledAsync("adopt", token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AmiException or OperationCanceledException)
                {
                    if (!token.IsCancellationRequested)
                    {
                        _logger.ReconcileFailed(Name, e);
                    }
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>
    /// Waits for this server's own view of the connection, which the state loop updates a moment after the client's:
    /// a caller told "connected" then finds it reservable (<see cref="TryReserve"/> reads the same flag). On a ledger
    /// server, also for the ledger check after the login, which decides whether it may be dialed.
    /// </summary>
    public async Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // The signal first, then the flag: a change between the two completes the signal read.
            var changed = Volatile.Read(ref _connectedChanged);
            // On a ledger server, once its check after the login said whether it may be dialed.
            if (_connected && _unusable != LedgerNotChecked)
            {
                return;
            }

            await changed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Holds one call slot for a dialer between choosing this server and tracking the call.</summary>
    public bool TryReserve()
    {
        while (true)
        {
            var reserved = Volatile.Read(ref _reserved);
            if (!_connected || _unusable is not null || ShuttingDown || Tracker.Count + reserved + Volatile.Read(ref _ending) + Volatile.Read(ref _others) >= MaxConcurrentCalls)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _reserved, reserved + 1, reserved) == reserved)
            {
                return true;
            }
        }
    }

    public void ReleaseReservation() => Interlocked.Decrement(ref _reserved);

    /// <summary>
    /// Tracks the call (taking over the slot reserved with <see cref="TryReserve"/>), then sends its async Originate. Never retried: when the answer is lost the call stays
    /// tracked as disturbed and reconciliation decides what it was.
    /// </summary>
    public async Task<(OriginateSendResult Result, string? Message)> OriginateAsync(OriginateRequest request, DateTimeOffset sentAt, string provisionalActionId, CancellationToken cancellationToken)
    {
        // The tracked call now holds the slot the dialer reserved.
        Tracker.Track(new TrackedCallStart(request.AttemptId, provisionalActionId, request.ChannelId, sentAt, request.RingTimeout) { Kind = request.Kind });
        ReleaseReservation();
        try
        {
            // The ActionID on the wire is the one written with the attempt before this send.
            var response = await _client.SendAsync(ToAction(request), provisionalActionId, cancellationToken).ConfigureAwait(false);
            if (response.ActionId is { } actionId && actionId != provisionalActionId)
            {
                Tracker.AliasActionId(request.AttemptId, actionId);
            }

            return (OriginateSendResult.Queued, response.Message);
        }
        catch (Exception e) when (Classify(e) is { } result)
        {
            return (result, e.Message);
        }
    }

    /// <summary>
    /// <see cref="OriginateAsync"/> for several calls at once: tracked, then written together, and answered together
    /// once every Response is in (one wake-up of the caller, not one per call). Results in the order given.
    /// </summary>
    public async Task<(OriginateSendResult Result, string? Message)[]> OriginateBatchAsync(IReadOnlyList<(OriginateRequest Request, DateTimeOffset SentAt, string ActionId)> calls, CancellationToken cancellationToken)
    {
        var actions = new (AmiAction, string)[calls.Count];
        for (var i = 0; i < calls.Count; i++)
        {
            var (request, sentAt, actionId) = calls[i];
            Tracker.Track(new TrackedCallStart(request.AttemptId, actionId, request.ChannelId, sentAt, request.RingTimeout) { Kind = request.Kind });
            ReleaseReservation();
            actions[i] = (ToAction(request), actionId);
        }

        var results = new (OriginateSendResult, string?)[calls.Count];
        try
        {
            KillSwitch.Pass(KillSwitch.BeforeOriginate);
            var answers = await SendBurstAsync(actions, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < answers.Length; i++)
            {
                var (response, error) = answers[i];
                results[i] = error is null
                    ? (OriginateSendResult.Queued, response?.Message)
                    : (Classify(error) ?? OriginateSendResult.Uncertain, error.Message);
            }
        }
        catch (Exception e) when (e is InvalidOperationException || Classify(e) is not null)
        {
            // Nothing of the batch was written (not connected, a duplicate ActionID), or its fate is unknown.
            var result = e is InvalidOperationException ? OriginateSendResult.NotSent : Classify(e)!.Value;
            Array.Fill(results, (result, e.Message));
        }

        return results;
    }

    /// <summary>
    /// One write for the whole batch; only a process armed to die mid-burst sends it in two halves, the first answered
    /// by Asterisk before the kill, since one write has no middle to die in.
    /// </summary>
    private async Task<AmiActionResult[]> SendBurstAsync((AmiAction, string)[] actions, CancellationToken cancellationToken)
    {
        if (actions.Length < 2 || !KillSwitch.IsArmed(KillSwitch.MidBurst))
        {
            return await _client.SendBatchAsync(actions, cancellationToken).ConfigureAwait(false);
        }

        var half = actions.Length / 2;
        var first = await _client.SendBatchAsync(actions[..half], cancellationToken).ConfigureAwait(false);
        KillSwitch.Pass(KillSwitch.MidBurst);
        return [.. first, .. await _client.SendBatchAsync(actions[half..], cancellationToken).ConfigureAwait(false)];
    }

    private static AmiAction ToAction(OriginateRequest request)
    {
        var action = new AmiAction("Originate")
            .Add("Channel", request.Channel)
            .Add("Context", request.Context)
            .Add("Exten", request.Extension)
            .Add("Priority", request.Priority.ToString(CultureInfo.InvariantCulture))
            .Add("Timeout", ((long)request.RingTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))
            .Add("ChannelId", request.ChannelId)
            .Add("OtherChannelId", request.ChannelId + "-2")
            .Add("Async", "true");
        if (!string.IsNullOrEmpty(request.CallerId))
        {
            action.Add("CallerID", request.CallerId);
        }

        action.AddVariables(request.Variables);
        return action;
    }

    /// <summary>What a failed send means for the call; null for an error that is a bug, not a send's fate.</summary>
    private static OriginateSendResult? Classify(Exception e) => e switch
    {
        AmiActionException => OriginateSendResult.Refused,
        AmiNotConnectedException or AmiFormatException => OriginateSendResult.NotSent,
        AmiException or OperationCanceledException or IOException => OriginateSendResult.Uncertain,
        _ => null,
    };

    /// <summary>Asks Asterisk to hang up a channel (a call that got no OriginateResponse in time, or a Redirect's caller).</summary>
    public async Task HangupAsync(string channel, CancellationToken cancellationToken)
    {
        try
        {
            await _client.SendAsync(new AmiAction("Hangup").Add("Channel", channel), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmiException or OperationCanceledException)
        {
            _logger.HangupFailed(Name, channel, e);
        }
    }

    /// <summary>Sends any action through this server's client (call control: Redirect, Getvar...).</summary>
    public Task<AmiMessage> SendAsync(AmiAction action, CancellationToken cancellationToken) => _client.SendAsync(action, cancellationToken);

    /// <summary>CoreShowChannels, compared with the tracker; returns the calls found gone (already removed from the tracker).</summary>
    public async Task<IReadOnlyList<CallFacts>> ReconcileAsync(CancellationToken cancellationToken)
    {
        await _reconcileGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var listedAt = _time.GetUtcNow();
            var list = await _client.SendListAsync(new AmiAction("CoreShowChannels"), cancellationToken).ConfigureAwait(false);
            var live = list.Items
                .Where(m => m.IsEventNamed(AmiEventNames.CoreShowChannel) && m.Uniqueid is not null)
                .Select(m => new LiveChannel(m.Channel ?? "", m.Uniqueid!, m.Linkedid, m.Get("ChannelState")))
                .ToList();
            var lost = Tracker.Reconcile(live, listedAt);
            _logger.Reconciled(Name, live.Count, lost.Count);
            return lost;
        }
        finally
        {
            _reconcileGate.Release();
        }
    }

    private async Task EventLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in _client.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var message = e.Message;
                if (message.IsEventNamed(AmiEventNames.FullyBooted))
                {
                    Volatile.Write(ref _bootedGeneration, e.Generation);
                    _booted.TrySetResult(message);
                    continue;
                }

                if (message.IsEventNamed(AmiEventNames.Shutdown))
                {
                    // Before the calls it cut end (and their retries look for a server): nothing more is sent to it.
                    Volatile.Write(ref _shutdownGeneration, e.Generation);
                    if (_config.Ledger)
                    {
                        // Cut, but whether each was answered first is in the ledger, read once Asterisk is back.
                        Tracker.MarkShutdown();
                    }
                    else
                    {
                        // Every call on it has been hung up (i1): end them now rather than wait for the reconnect.
                        await FinishAsync(Tracker.EndAll("asterisk shut down"), "shutdown").ConfigureAwait(false);
                    }

                    continue;
                }

                var now = _time.GetUtcNow();
                Tracker.Observe(AmiCallEvents.From(message), now);
                if (message.EventName is { } eventName && (eventName.StartsWith("Queue", StringComparison.Ordinal) || eventName.StartsWith("Agent", StringComparison.Ordinal)
                    || eventName == AmiEventNames.OriginateResponse || eventName == AmiEventNames.DialEnd))
                {
                    QueueObserved(message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task StateLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var state in _client.WatchStateAsync(cancellationToken).ConfigureAwait(false))
            {
                var wasConnected = _connected;
                _status = state.Status;
                if (!wasConnected && state.IsConnected)
                {
                    Volatile.Write(ref _connectedGeneration, state.Generation);
                    if (_config.Ledger)
                    {
                        _unusable = LedgerNotChecked;
                    }
                }

                _connected = state.IsConnected;
                if (wasConnected != _connected)
                {
                    Interlocked.Exchange(ref _connectedChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                    _logger.ServerState(Name, state.ToString());
                    StateChanged?.Invoke(this);
                }

                if (wasConnected && !state.IsConnected)
                {
                    Interlocked.Exchange(ref _droppedAtTicks, _time.GetUtcNow().UtcTicks);
                    Volatile.Write(ref _droppedGeneration, Volatile.Read(ref _connectedGeneration));
                    Tracker.MarkDisturbed();
                    QueueLinkLost();
                    _booted = new TaskCompletionSource<AmiMessage?>(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                else if (!wasConnected && state.IsConnected)
                {
                    _ = Task.Run(() => AfterLoginAsync(state.Generation, cancellationToken), CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// After every login: if Asterisk booted after a call was sent, that call is gone (interrupted); then
    /// CoreShowChannels adopts what is still up and ends what is not.
    /// </summary>
    private async Task AfterLoginAsync(long generation, CancellationToken cancellationToken)
    {
        // First: nothing is dialed through a ledger server until this says its dialplan is there.
        if (_config.Ledger)
        {
            await CheckLedgerAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var booted = _booted.Task;
            var fullyBooted = await booted.WaitAsync(TimeSpan.FromSeconds(2), _time, cancellationToken).ConfigureAwait(false);
            if (fullyBooted?.Uptime is long uptime && Volatile.Read(ref _bootedGeneration) == generation)
            {
                var bootedAt = _time.GetUtcNow() - TimeSpan.FromSeconds(uptime + 1);
                Interlocked.Exchange(ref _bootedAtTicks, bootedAt.UtcTicks);
                // Uptime is whole seconds, so a call sent in the last second before a quick restart may look sent after
                // the boot. When the old link announced its Shutdown, every call sent through it went down with it, even
                // an Originate written after the announcement that Asterisk never read.
                var shutdown = Volatile.Read(ref _shutdownGeneration);
                var droppedAt = new DateTimeOffset(Interlocked.Read(ref _droppedAtTicks), TimeSpan.Zero);
                var cutoff = shutdown != 0 && shutdown == Volatile.Read(ref _droppedGeneration) && droppedAt > bootedAt ? droppedAt : bootedAt;
                var ended = Tracker.EndSentBefore(cutoff, "asterisk restarted");
                if (ended.Count > 0)
                {
                    _logger.ServerRestarted(Name, $"uptime {uptime} s", ended.Count);
                    await FinishAsync(ended, "restart").ConfigureAwait(false);
                }
            }
        }
        catch (TimeoutException)
        {
            // No FullyBooted (an event mask without system events): CoreShowChannels alone decides.
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            await DeleteLeftKeysAsync(cancellationToken).ConfigureAwait(false);
            await ReconcileUntilSettledAsync("reconcile", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmiException or OperationCanceledException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                _logger.ReconcileFailed(Name, e);
            }
        }
    }

    private const string LedgerNotChecked = "ledger dialplan not checked yet since the login";

    /// <summary>
    /// LedgerProbe over this login: a server whose ledger dialplan is missing (or another version) is not dialed until
    /// the next login finds it, since its calls' outcomes could not be read back after a dialer's death and its
    /// Originates would fail as a missing context. Said once per login. A user that may not run ShowDialPlan cannot be
    /// checked: the server is dialed, with a warning. A check cut by a lost link is done again at the next login.
    /// </summary>
    private async Task CheckLedgerAsync(CancellationToken cancellationToken)
    {
        LedgerProbeResult probe;
        try
        {
            probe = await LedgerProbe.ProbeAsync(_client, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmiException or OperationCanceledException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                _logger.LedgerCheckFailed(Name, e);
            }

            return;
        }

        switch (probe.Status)
        {
            case LedgerStatus.Installed:
                _unusable = null;
                _logger.LedgerChecked(Name, probe.Message);
                break;
            case LedgerStatus.Unverified:
                _unusable = null;
                _logger.LedgerUnverified(Name, probe.Message);
                break;
            default:
                _unusable = probe.Message;
                _logger.LedgerMissing(Name, probe.Message);
                break;
        }

        Interlocked.Exchange(ref _connectedChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        StateChanged?.Invoke(this);
    }

    /// <summary>
    /// Reconciles, and again once the calls it found without a channel but too recently claimed to judge are old
    /// enough: a call taken over is decided within seconds, not at the next periodic reconcile.
    /// </summary>
    private async Task ReconcileUntilSettledAsync(string source, CancellationToken cancellationToken)
    {
        while (true)
        {
            await FinishAsync(await ReconcileAsync(cancellationToken).ConfigureAwait(false), source).ConfigureAwait(false);
            if (Tracker.DeferredByLastReconcile == 0 || !_connected)
            {
                return;
            }

            await Task.Delay(CallTracker.InFlightAllowance, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PollLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
                var poll = Tracker.Poll(_time.GetUtcNow());
                foreach (var hangup in poll.HangUp)
                {
                    _logger.HangingUpTimedOut(hangup.AttemptId, hangup.Channel);
                    _ = HangupAsync(hangup.Channel, cancellationToken);
                }

                await FinishAsync(poll.Finished, "poll").ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PeriodicReconcileLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_options.ReconcileInterval, _time, cancellationToken).ConfigureAwait(false);
                if (!_connected || Tracker.Count == 0)
                {
                    continue;
                }

                try
                {
                    await FinishAsync(await ReconcileAsync(cancellationToken).ConfigureAwait(false), "reconcile").ConfigureAwait(false);
                }
                catch (AmiException e)
                {
                    _logger.ReconcileFailed(Name, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FinishAsync(IReadOnlyList<CallFacts> finished, string source)
    {
        _ = source;
        if (finished.Count == 0)
        {
            return;
        }

        BeginEndings(finished.Count);
        try
        {
            var decided = await CompleteFactsAsync(finished).ConfigureAwait(false);
            if (decided.Count > 0)
            {
                await _onFinished(this, decided).ConfigureAwait(false);
            }
        }
        finally
        {
            EndEndings(finished.Count);
        }
    }

    /// <summary>
    /// Calls gone from the tracker whose endings are not committed yet: still open in the store, so they still hold
    /// their slots here (else a claim would take a slot the store's count does not see free yet, and be refused).
    /// </summary>
    public void BeginEndings(int count) => Interlocked.Add(ref _ending, count);

    public void EndEndings(int count) => Interlocked.Add(ref _ending, -count);

    /// <summary>
    /// Adds what the tracker cannot know to calls whose ending was not seen: a restart since the claim, and on a ledger
    /// server the ledger's value (or, with no key, no channel ever seen and no restart, that the Originate never reached
    /// Asterisk). A call whose ledger cannot be read now is followed again, undecided.
    /// </summary>
    private async Task<IReadOnlyList<CallFacts>> CompleteFactsAsync(IReadOnlyList<CallFacts> finished)
    {
        var decided = new List<CallFacts>(finished.Count);
        foreach (var original in finished)
        {
            var facts = original;
            if (facts is { Finality: Finality.Lost, NotSent: false, RestartSeen: false, Start: { } start } && BootedAt is { } bootedAt && start.SentAt < bootedAt)
            {
                facts = facts with { RestartSeen = true };
            }

            if (!_config.Ledger || !NeedsLedger(facts))
            {
                decided.Add(facts);
                continue;
            }

            var key = LedgerDialplan.KeyOf(facts.ChannelId, facts.Start!.Kind);
            string? value;
            try
            {
                value = await ReadLedgerAsync(key, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AmiException or OperationCanceledException)
            {
                _logger.LedgerReadFailed(Name, facts.AttemptId, key, e);
                Tracker.Retrack(facts);
                continue;
            }

            if (value is not null)
            {
                _logger.LedgerRead(Name, facts.AttemptId, key, value);
                facts = facts with { LedgerValue = value };
            }
            else if (facts is { Finality: Finality.Lost, RestartSeen: false, Interrupted: false, AnswerSeen: false, OriginateResult: null, Channels.Count: 0 })
            {
                // No key, no channel ever, no restart, and the claim older than the in-flight allowance (the tracker
                // waits that long before it calls a call gone): Asterisk never made the call.
                _logger.LedgerNotSent(Name, facts.AttemptId, facts.ChannelId);
                facts = facts with { NotSent = true };
            }

            decided.Add(facts);
        }

        return decided;
    }

    /// <summary>Calls that ended unseen, or were followed only from their hangups after a takeover; never a refused or unsent Originate.</summary>
    private static bool NeedsLedger(CallFacts facts) =>
        facts.Start is not null && !facts.NotSent && facts.Finality != Finality.Rejected
        && (facts.Finality == Finality.Lost || (facts.Finality == Finality.Completed && facts.OriginateResult is null));

    /// <summary>DBGet of one ledger key: its value, or null when Asterisk has no such key.</summary>
    private async Task<string?> ReadLedgerAsync(string key, CancellationToken cancellationToken)
    {
        var action = new AmiAction("DBGet").Add("Family", LedgerDialplan.Family).Add("Key", key);
        try
        {
            var list = await _client.SendListAsync(action, cancellationToken).ConfigureAwait(false);
            return list.Items.FirstOrDefault(m => m.IsEventNamed("DBGetResponse"))?.Get("Val") ?? "";
        }
        catch (AmiActionException e) when (IsMissingKey(e))
        {
            return null;
        }
    }

    /// <summary>
    /// Deletes a call's ledger keys once its ending is committed, so the family holds only calls whose ending is not
    /// stored (never the family whole: other processes' calls live in it). A key already gone is fine; one that could
    /// not be deleted now is deleted after the next login.
    /// </summary>
    public async Task ForgetLedgerAsync(string channelId, AmiDialer.Core.Outcomes.CallKind kind)
    {
        if (!_config.Ledger)
        {
            return;
        }

        // A click-to-call records its customer; its plain key is deleted too, for a dialplan that also records the agent.
        if (kind == AmiDialer.Core.Outcomes.CallKind.ClickToCall)
        {
            await DeleteKeyAsync(LedgerDialplan.KeyOf(channelId, kind), _stop.Token).ConfigureAwait(false);
        }

        await DeleteKeyAsync(channelId, _stop.Token).ConfigureAwait(false);
    }

    private async Task DeleteKeyAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.SendAsync(new AmiAction("DBDel").Add("Family", LedgerDialplan.Family).Add("Key", key), cancellationToken).ConfigureAwait(false);
        }
        catch (AmiActionException)
        {
            // "Database entry could not be deleted": no such key (the call never made one, or it is gone already).
        }
        catch (Exception e) when (e is AmiException or OperationCanceledException)
        {
            if (!_stop.IsCancellationRequested)
            {
                _logger.LedgerDeleteFailed(Name, key, e);
                _keysToDelete.Enqueue(key);
            }
        }
    }

    private async Task DeleteLeftKeysAsync(CancellationToken cancellationToken)
    {
        var count = _keysToDelete.Count;
        for (var i = 0; i < count && _connected && _keysToDelete.TryDequeue(out var key); i++)
        {
            await DeleteKeyAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsMissingKey(AmiActionException e) =>
        string.Equals(e.Response?.Message, "Database entry not found", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _client.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _reconcileGate.Dispose();
    }
}
