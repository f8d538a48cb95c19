using System.Globalization;
using AmiDialer.Ami;
using AmiDialer.Engine.Tracking;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine.Servers;

/// <summary>
/// One Asterisk: its AMI client, the tracker of the calls sent to it, and the loops that feed the tracker
/// (events), collect finished calls (poll), and check the tracker against Asterisk (reconcile after every
/// login, after a restart, and periodically). Finished calls go to <see cref="CallsFinished"/>.
/// </summary>
internal sealed class AmiServer : IAsyncDisposable
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
    private volatile AmiConnectionStatus _status = AmiConnectionStatus.Disconnected;
    // Completed (and replaced) each time _connected changes, for WaitUntilConnectedAsync.
    private TaskCompletionSource _connectedChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reserved;

    public AmiServer(AmiServerConfig config, DialerEngineOptions options, TimeProvider time, ILoggerFactory loggers, Func<AmiServer, IReadOnlyList<CallFacts>, Task> onFinished)
    {
        _config = config;
        _options = options;
        _time = time;
        _logger = loggers.CreateLogger("AmiDialer.Engine.AmiServer");
        _onFinished = onFinished;
        // Only the events read below reach the loop: the reader drops the other two dozen a call makes unparsed.
        var client = config.Client.Copy();
        client.EventNames = [.. CallEvent.EventNames, AmiEventNames.FullyBooted, AmiEventNames.Shutdown];
        // The event loop only updates the tracker under its short lock: it can run on the reader rather than wake a
        // thread-pool thread after every socket read (hundreds a second at 500 calls/s), when that pays (see InlineIo).
        client.InlineEventConsumer = Dialing.EngineServices.InlineIo;
        _client = new AmiClient(client, loggers.CreateLogger<AmiClient>(), time);
        Tracker = new CallTracker(options.SettleTime, options.OriginateGrace);
    }

    public string Name => _config.Name;

    public int MaxConcurrentCalls => _config.MaxConcurrentCalls;

    public CallTracker Tracker { get; }

    public bool IsConnected => _connected;

    /// <summary>The AMI client's latest state as this server saw it: connecting, connected, disconnected (retrying) or stopped.</summary>
    public AmiConnectionStatus Status => _status;

    /// <summary>Calls on this server plus slots reserved by dialers about to originate.</summary>
    public int Load => Tracker.Count + Volatile.Read(ref _reserved);

    public int FreeCapacity => Math.Max(0, MaxConcurrentCalls - Load);

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
                    await FinishAsync(await ReconcileAsync(token).ConfigureAwait(false), "adopt").ConfigureAwait(false);
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
    /// a caller told "connected" then finds it reservable (<see cref="TryReserve"/> reads the same flag).
    /// </summary>
    public async Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // The signal first, then the flag: a change between the two completes the signal read.
            var changed = Volatile.Read(ref _connectedChanged);
            if (_connected)
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
            if (!_connected || Tracker.Count + reserved >= MaxConcurrentCalls)
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
        Tracker.Track(new TrackedCallStart(request.AttemptId, provisionalActionId, request.ChannelId, sentAt, request.RingTimeout));
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
            Tracker.Track(new TrackedCallStart(request.AttemptId, actionId, request.ChannelId, sentAt, request.RingTimeout));
            ReleaseReservation();
            actions[i] = (ToAction(request), actionId);
        }

        var results = new (OriginateSendResult, string?)[calls.Count];
        try
        {
            var answers = await _client.SendBatchAsync(actions, cancellationToken).ConfigureAwait(false);
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
                    // Every call on it has been hung up (i1): end them now rather than wait for the reconnect.
                    await FinishAsync(Tracker.EndAll("asterisk shut down"), "shutdown").ConfigureAwait(false);
                    continue;
                }

                Tracker.Observe(AmiCallEvents.From(message), _time.GetUtcNow());
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
                _connected = state.IsConnected;
                if (wasConnected != _connected)
                {
                    Interlocked.Exchange(ref _connectedChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                    _logger.ServerState(Name, state.ToString());
                    StateChanged?.Invoke(this);
                }

                if (wasConnected && !state.IsConnected)
                {
                    Tracker.MarkDisturbed();
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
        try
        {
            var booted = _booted.Task;
            var fullyBooted = await booted.WaitAsync(TimeSpan.FromSeconds(2), _time, cancellationToken).ConfigureAwait(false);
            if (fullyBooted?.Uptime is long uptime && Volatile.Read(ref _bootedGeneration) == generation)
            {
                var bootedAt = _time.GetUtcNow() - TimeSpan.FromSeconds(uptime + 1);
                var ended = Tracker.EndSentBefore(bootedAt, "asterisk restarted");
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
            await FinishAsync(await ReconcileAsync(cancellationToken).ConfigureAwait(false), "reconcile").ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmiException or OperationCanceledException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                _logger.ReconcileFailed(Name, e);
            }
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

    private Task FinishAsync(IReadOnlyList<CallFacts> finished, string source)
    {
        _ = source;
        return finished.Count == 0 ? Task.CompletedTask : _onFinished(this, finished);
    }

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
