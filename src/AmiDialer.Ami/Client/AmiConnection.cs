using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;

namespace AmiDialer.Ami;

/// <summary>
/// One TCP (or TLS) session: its reader loop, its in-flight actions and its write lock. Every way it can end goes
/// through <see cref="Break"/>, which fails every in-flight action at once and is idempotent.
/// </summary>
internal sealed partial class AmiConnection
{
    private readonly AmiClient _client;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _cts = new();
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, PendingAction> _pending = new(StringComparer.Ordinal);
    private int _broken;
    private int _blockingActions;
    private long _lastReceived;

    public AmiConnection(AmiClient client, Stream stream, long generation, TimeProvider time)
    {
        _client = client;
        _stream = stream;
        _time = time;
        Generation = generation;
        _lastReceived = time.GetTimestamp();
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
    }

    public long Generation { get; }

    public bool IsLoggedIn { get; set; }

    public bool IsBroken => Volatile.Read(ref _broken) != 0;

    public string? Banner { get; set; }

    public string? BreakReason { get; private set; }

    /// <summary>Events parsed from the current read, not yet in the client's channel (the reader's own list).</summary>
    public List<AmiEvent> QueuedEvents { get; } = [];

    /// <summary>Completes with the reason when the connection ends.</summary>
    public Task<string> Closed => _closed.Task;

    public CancellationToken Token => _cts.Token;

    /// <summary>True while a sync Originate holds the session: Asterisk answers nothing else meanwhile (captures f1-f3).</summary>
    public bool HasBlockingAction => Volatile.Read(ref _blockingActions) > 0;

    public TimeSpan IdleFor => _time.GetElapsedTime(Volatile.Read(ref _lastReceived));

    public int InFlight => _pending.Count;

    public void StartReading(AmiParserLimits limits, AmiEventFilter? eventFilter) => _ = Task.Run(() => ReadLoopAsync(limits, eventFilter));

    public bool TryGetPending(string actionId, out PendingAction pending) => _pending.TryGetValue(actionId, out pending!);

    public bool TryRemovePending(string actionId, out PendingAction pending) => _pending.TryRemove(actionId, out pending!);

    /// <summary>Writes one action and waits for its response; never re-sends.</summary>
    public async Task<object> SendAsync(AmiAction action, string actionId, byte[] bytes, bool isList, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = new PendingAction(action.Name, actionId, isList);
        if (!_pending.TryAdd(actionId, pending))
        {
            // Two actions under one ActionID could not be told apart; refuse before writing a byte.
            throw new InvalidOperationException($"An action with ActionID {actionId} is already in flight; {action.Name} was not sent.");
        }

        if (IsBroken && _pending.TryRemove(actionId, out _))
        {
            throw new AmiNotConnectedException($"AMI connection is down ({BreakReason}); {action.Name} was not sent.");
        }

        var blocking = IsBlocking(action);
        if (blocking)
        {
            Interlocked.Increment(ref _blockingActions);
        }

        try
        {
            bool written;
            try
            {
                written = await WriteLockedAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _pending.TryRemove(actionId, out _);
                throw;
            }

            if (!written)
            {
                _pending.TryRemove(actionId, out _);
                throw new AmiNotConnectedException($"AMI connection is down ({BreakReason}); {action.Name} was not sent.");
            }

            try
            {
                return await pending.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _pending.TryRemove(actionId, out _);
                _client.OnActionTimedOut(action.Name, actionId, timeout);
                throw new AmiActionTimeoutException($"AMI action {action.Name} ({actionId}) got no response within {timeout}; it was sent and may still take effect.");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _pending.TryRemove(actionId, out _);
                throw;
            }
        }
        finally
        {
            if (blocking)
            {
                Interlocked.Decrement(ref _blockingActions);
            }
        }
    }

    /// <summary>
    /// Writes under the write lock; false, writing nothing, when the connection is already down. A failed write breaks
    /// the connection, which fails every pending action (the caller's included), so it returns true: it was attempted.
    /// Throws <see cref="OperationCanceledException"/> only when the caller cancels while waiting for the lock.
    /// </summary>
    private async Task<bool> WriteLockedAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsBroken)
            {
                return false;
            }

            await _stream.WriteAsync(bytes, _cts.Token).ConfigureAwait(false);
            await _stream.FlushAsync(_cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Break("write failed: " + ex.Message, ex);
        }
        finally
        {
            _writeLock.Release();
        }

        return true;
    }

    /// <summary>The one way a connection ends: fails every in-flight action with a connection-lost error, once.</summary>
    public void Break(string reason, Exception? error)
    {
        if (Interlocked.Exchange(ref _broken, 1) != 0)
        {
            return;
        }

        BreakReason = reason;
        try
        {
            _cts.Cancel();
        }
        catch (AggregateException)
        {
            // A registration threw; the connection is going away regardless.
        }

        _stream.Dispose();
        var failed = 0;
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var pending))
            {
                pending.Fail(new AmiConnectionLostException(
                    $"AMI connection lost while {pending.Name} ({pending.ActionId}) was in flight: {reason}. It was not re-sent and may or may not have taken effect.", error));
                failed++;
            }
        }

        _client.OnConnectionBroken(this, reason, error, failed);
        _closed.TrySetResult(reason);
    }

    private static bool IsBlocking(AmiAction action)
    {
        if (!action.IsOriginate)
        {
            return false;
        }

        foreach (var header in action.Headers)
        {
            if (string.Equals(header.Key, "Async", StringComparison.OrdinalIgnoreCase))
            {
                return !(header.Value.Equals("true", StringComparison.OrdinalIgnoreCase) || header.Value.Equals("yes", StringComparison.OrdinalIgnoreCase) || header.Value == "1");
            }
        }

        return true;
    }

    private async Task ReadLoopAsync(AmiParserLimits limits, AmiEventFilter? eventFilter)
    {
        var parser = new AmiParser(limits, eventFilter);
        var reason = "Asterisk closed the connection";
        Exception? error = null;
        try
        {
            while (!IsBroken)
            {
                var result = await _reader.ReadAsync(_cts.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastReceived, _time.GetTimestamp());
                var buffer = result.Buffer;
                var consumed = Dispatch(parser, buffer);
                _reader.AdvanceTo(consumed, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (IsBroken)
        {
            return;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            reason = "read failed: " + ex.Message;
            error = ex;
        }
        catch (Exception ex)
        {
            // A bug here must not leave a reader-less connection that looks alive: end it like any other failure,
            // so in-flight actions fail and the client reconnects.
            reason = $"reader failed: {ex.GetType().Name}: {ex.Message}";
            error = ex;
        }
        finally
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
        }

        Break(reason, error);
    }

    private SequencePosition Dispatch(AmiParser parser, ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (!IsBroken && parser.TryParse(ref reader, out var frame))
        {
            _client.Dispatch(this, frame);
        }

        _client.PublishEvents(this);
        return reader.Position;
    }
}
