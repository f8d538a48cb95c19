using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Ami;

/// <summary>
/// One logged-in AMI connection that keeps itself up: it connects, logs in (MD5 challenge by default), pings when
/// idle, and reconnects with backoff when the connection drops, logging in again each time.
/// <list type="bullet">
/// <item>Actions: <see cref="SendAsync(AmiAction, CancellationToken)"/> and <see cref="SendListAsync(AmiAction, CancellationToken)"/>,
/// matched by a unique ActionID, throttled per second (Originates separately), each with a timeout.</item>
/// <item>Events: <see cref="Events"/>, a bounded ordered channel filled by the reader and never blocking it.</item>
/// <item>State: <see cref="State"/>, <see cref="WatchStateAsync"/>, <see cref="WaitUntilConnectedAsync"/>; every login
/// has a new <see cref="AmiConnectionState.Generation"/>.</item>
/// </list>
/// Nothing is ever re-sent: an action in flight when the connection drops fails with
/// <see cref="AmiConnectionLostException"/>; one attempted while disconnected fails with <see cref="AmiNotConnectedException"/>.
/// </summary>
public sealed partial class AmiClient : IAsyncDisposable
{
    private readonly AmiClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly AmiActionIdGenerator _ids;
    private readonly Channel<AmiEvent> _events;
    private readonly CountedEventReader _eventReader;
    private readonly SlidingWindowThrottle? _actionThrottle;
    private readonly SlidingWindowThrottle? _originateThrottle;
    private readonly AmiEventFilter? _eventFilter;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _stateLock = new();
    private readonly List<Channel<AmiConnectionState>> _stateWatchers = [];
    private TaskCompletionSource<AmiConnectionState> _connected = NewConnectedSignal();
    private AmiConnectionState _state;
    private AmiConnection? _current;
    private Task? _loop;
    private long _generation;
    private int _disposed;
    private string? _banner;

    // Made once: the metrics' tag for this server, so a state change allocates nothing for them.
    private readonly string _serverTag;

    public AmiClient(AmiClientOptions options, ILogger<AmiClient>? logger = null, TimeProvider? timeProvider = null, AmiActionIdGenerator? actionIds = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid AMI options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _ids = actionIds ?? AmiActionIdGenerator.Shared;
        // Unbounded only in type: PublishEvents enforces EventBufferCapacity. A single-reader channel is lock-free,
        // where a bounded one takes a lock the reader and the consumer fight over on every event.
        _events = Channel.CreateUnbounded<AmiEvent>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = options.InlineEventConsumer,
        });
        _eventReader = new CountedEventReader(_events.Reader);
        _actionThrottle = options.ActionsPerSecond > 0 ? new SlidingWindowThrottle(options.ActionsPerSecond, TimeSpan.FromSeconds(1), _time) : null;
        _originateThrottle = options.OriginatesPerSecond > 0 ? new SlidingWindowThrottle(options.OriginatesPerSecond, TimeSpan.FromSeconds(1), _time) : null;
        _eventFilter = options.EventNames is { } names ? new AmiEventFilter(names) : null;
        _state = new AmiConnectionState(AmiConnectionStatus.Disconnected, 0, "not started", null, _time.GetUtcNow());
        _serverTag = $"{options.Host}:{options.Port}";
        AmiMetrics.Track(this, _serverTag);
    }

    /// <summary>Every event in arrival order (with the generation of the connection it came on), for one reader at a
    /// time. Read it promptly: when <see cref="AmiClientOptions.EventBufferCapacity"/> events are waiting the
    /// connection is dropped.</summary>
    public ChannelReader<AmiEvent> Events => _eventReader;

    public AmiConnectionState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    public AmiClientOptions Options => _options;

    /// <summary>The banner of the latest connection (e.g. <c>Asterisk Call Manager/13.0.0</c>), kept after a refused login; null until one arrived.</summary>
    public string? Banner => Volatile.Read(ref _banner);

    /// <summary>Starts connecting in the background (idempotent). Use <see cref="WaitUntilConnectedAsync"/> to wait for the login.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_stateLock)
        {
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>Starts the client and waits for the first successful login.</summary>
    public async Task<AmiConnectionState> ConnectAsync(CancellationToken cancellationToken = default)
    {
        Start();
        return await WaitUntilConnectedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when the client is logged in (at once if it already is).</summary>
    public Task<AmiConnectionState> WaitUntilConnectedAsync(CancellationToken cancellationToken = default)
    {
        Task<AmiConnectionState> signal;
        lock (_stateLock)
        {
            signal = _connected.Task;
        }

        return signal.WaitAsync(cancellationToken);
    }

    /// <summary>The current state, then every change, until cancelled or the client is disposed. Each caller gets its own stream.</summary>
    public async IAsyncEnumerable<AmiConnectionState> WatchStateAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var watcher = Channel.CreateUnbounded<AmiConnectionState>(new UnboundedChannelOptions { SingleReader = true });
        lock (_stateLock)
        {
            watcher.Writer.TryWrite(_state);
            if (_state.Status == AmiConnectionStatus.Stopped)
            {
                watcher.Writer.TryComplete();
            }
            else
            {
                _stateWatchers.Add(watcher);
            }
        }

        try
        {
            await foreach (var state in watcher.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return state;
            }
        }
        finally
        {
            lock (_stateLock)
            {
                _stateWatchers.Remove(watcher);
            }
        }
    }

    /// <summary>Sends an action and returns its response, within <see cref="AmiClientOptions.ActionTimeout"/>.</summary>
    public Task<AmiMessage> SendAsync(AmiAction action, CancellationToken cancellationToken = default) =>
        SendAsync(action, _options.ActionTimeout, cancellationToken);

    /// <summary>
    /// Sends an action and returns its response. The timeout starts once the action is written (waiting for the
    /// throttle is bounded by <paramref name="cancellationToken"/> only); a sync Originate needs its full dial Timeout.
    /// </summary>
    /// <exception cref="AmiFormatException">A header would inject; nothing was sent.</exception>
    /// <exception cref="AmiActionException">Asterisk answered <c>Response: Error</c>.</exception>
    /// <exception cref="AmiActionTimeoutException">No response in time (the action was sent).</exception>
    /// <exception cref="AmiConnectionLostException">The connection dropped while the action was in flight.</exception>
    /// <exception cref="AmiNotConnectedException">Not logged in; the action was not sent.</exception>
    public async Task<AmiMessage> SendAsync(AmiAction action, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (AmiMessage)await SendCoreAsync(action, null, isList: false, timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Sends an action under an ActionID the caller chose and recorded beforehand (the dialer writes its attempt with
    /// the ActionID before the Originate leaves), so the ActionID in the store is the one on the wire.
    /// The caller owns its uniqueness: one made by <see cref="AmiActionIdGenerator"/> is unique across processes.
    /// </summary>
    /// <exception cref="InvalidOperationException">An action with that ActionID is already in flight; nothing was sent.</exception>
    public async Task<AmiMessage> SendAsync(AmiAction action, string actionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(actionId);
        return (AmiMessage)await SendCoreAsync(action, actionId, isList: false, _options.ActionTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a list action (CoreShowChannels, Status, ...) and collects every item until <c>EventList: Complete</c>.</summary>
    public Task<AmiListResult> SendListAsync(AmiAction action, CancellationToken cancellationToken = default) =>
        SendListAsync(action, _options.ActionTimeout, cancellationToken);

    public async Task<AmiListResult> SendListAsync(AmiAction action, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (AmiListResult)await SendCoreAsync(action, null, isList: true, timeout, cancellationToken).ConfigureAwait(false);

    public Task<AmiMessage> PingAsync(CancellationToken cancellationToken = default) => SendAsync(new AmiAction("Ping"), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        Volatile.Read(ref _current)?.Break("the client was stopped", null);
        Task? loop;
        lock (_stateLock)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        SetState(AmiConnectionStatus.Stopped, "the client was stopped", null);
        _events.Writer.TryComplete();
        lock (_stateLock)
        {
            foreach (var watcher in _stateWatchers)
            {
                watcher.Writer.TryComplete();
            }

            _stateWatchers.Clear();
            _connected.TrySetException(new ObjectDisposedException(nameof(AmiClient)));
        }

        _actionThrottle?.Dispose();
        _originateThrottle?.Dispose();
        _stop.Dispose();
        AmiMetrics.Untrack(this);
        LogMessages.Stopped(_logger, _options.Host, _options.Port);
    }

    private async Task<object> SendCoreAsync(AmiAction action, string? chosenActionId, bool isList, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var actionId = chosenActionId ?? _ids.Next();
        var bytes = action.ToBytes(actionId); // every check happens here, before any wait or write
        var throttle = action.IsOriginate ? _originateThrottle : _actionThrottle;
        if (throttle is not null)
        {
            using var lease = await throttle.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        }

        var connection = Volatile.Read(ref _current);
        if (connection is null || !connection.IsLoggedIn || connection.IsBroken)
        {
            throw new AmiNotConnectedException($"Not connected to AMI ({State}); {action.Name} was not sent.");
        }

        return await connection.SendAsync(action, actionId, bytes, isList, timeout, cancellationToken).ConfigureAwait(false);
    }

    internal void OnActionTimedOut(string action, string actionId, TimeSpan timeout) =>
        LogMessages.ActionTimedOut(_logger, action, actionId, timeout);

    internal void OnConnectionBroken(AmiConnection connection, string reason, Exception? error, int failedActions)
    {
        if (Interlocked.CompareExchange(ref _current, null, connection) != connection)
        {
            return; // never logged in: the connect loop reports that failure itself
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            // Our own shutdown, not a fault: no warning for the operator to chase.
            LogMessages.ConnectionClosed(_logger, _options.Host, _options.Port, failedActions);
        }
        else
        {
            LogMessages.ConnectionLost(_logger, _options.Host, _options.Port, reason, failedActions, error);
            AmiMetrics.ConnectionLost(_serverTag);
        }

        SetState(AmiConnectionStatus.Disconnected, reason, error);
    }

    private void SetState(AmiConnectionStatus status, string? reason, Exception? error)
    {
        lock (_stateLock)
        {
            if (_state.Status == AmiConnectionStatus.Stopped)
            {
                return;
            }

            var from = _state.Status;
            _state = new AmiConnectionState(status, Interlocked.Read(ref _generation), reason, error, _time.GetUtcNow());
            AmiMetrics.StatusChanged(_serverTag, from, status, _state.Generation);
            if (status == AmiConnectionStatus.Connected)
            {
                _connected.TrySetResult(_state);
            }
            else if (_connected.Task.IsCompleted)
            {
                _connected = NewConnectedSignal();
            }

            foreach (var watcher in _stateWatchers)
            {
                watcher.Writer.TryWrite(_state);
            }
        }
    }

    private static TaskCompletionSource<AmiConnectionState> NewConnectedSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
