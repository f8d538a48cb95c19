using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using AmiDialer.Ami;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Simulator;

/// <summary>
/// One AMI connection: reads actions with the shared <see cref="AmiParser"/>, handles them one at a time (like
/// Asterisk's session thread, so a sync Originate blocks the session), and writes responses and events through
/// one ordered outbox guarded by the write timeout.
/// </summary>
internal sealed partial class SimulatorSession
{
    private readonly AmiSimulator _server;
    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly Channel<OutItem> _outbox = Channel.CreateUnbounded<OutItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _holdGate = new();
    private readonly List<EventBatch> _held = [];
    private readonly CancellationTokenSource _closed = new();
    private long _queuedBytes;
    private bool _holding;
    private volatile bool _loggedIn;
    private AmiPrivilege _eventMask = AmiPrivilege.All;
    private int _closing;
    private volatile bool _eventsStopped;

    public SimulatorSession(AmiSimulator server, Socket socket, int id, ILogger logger)
    {
        _server = server;
        _socket = socket;
        Id = id;
        _logger = logger;
        SessionId = "0x" + (0x7f0e54000000L + (id * 0x1000)).ToString("x", CultureInfo.InvariantCulture);
        SessionStart = server.Pbx.Time.GetUtcNow();
    }

    private readonly record struct OutItem(byte[]? Bytes, EventBatch? Batch, AmiPrivilege Mask, bool CloseAfter);

    public int Id { get; }

    public SimulatorUser? User { get; private set; }

    public string SessionId { get; }

    public DateTimeOffset SessionStart { get; private set; }

    public IPEndPoint? Remote => _socket.RemoteEndPoint as IPEndPoint;

    public IPEndPoint? Local => _socket.LocalEndPoint as IPEndPoint;

    public bool IsClosed => _closing != 0;

    private SimulatorOptions Options => _server.Options;

    public async Task RunAsync()
    {
        var writer = Task.Run(WriteLoopAsync);
        try
        {
            await _server.WaitWhileFrozenAsync(_closed.Token).ConfigureAwait(false);
            Send(System.Text.Encoding.UTF8.GetBytes(Options.Banner + "\r\n"));
            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            Close("read side ended", flush: true);
            await writer.ConfigureAwait(false);
            _socket.Dispose();
        }
    }

    private async Task ReadLoopAsync()
    {
        // Headers beyond MaxHeaders are dropped here like Asterisk does, so the parser itself is generous on count.
        var reader = new AmiFrameReader(_socket, new AmiParser(new AmiParserLimits { MaxLineBytes = Options.MaxLineLength, MaxHeaders = 16 * 1024, MaxFrameBytes = 4 * 1024 * 1024 }));
        while (!_closed.IsCancellationRequested && await reader.ReadAsync(_closed.Token).ConfigureAwait(false) is { } frame)
        {
            if (frame.Kind == AmiFrameKind.Malformed)
            {
                // Asterisk dumps an over-long line; the action it belonged to is lost without a reply.
                _logger.MalformedAction(Id, frame.Error ?? "malformed");
                continue;
            }

            if (frame.Kind != AmiFrameKind.Message || frame.Message is null)
            {
                continue;
            }

            var message = frame.Message;
            if (message.Count > Options.MaxHeaders)
            {
                message = new AmiMessage(message.AsSpan()[..Options.MaxHeaders].ToArray());
            }

            if (!await HandleFrameAsync(message).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>False when the connection must end.</summary>
    private async Task<bool> HandleFrameAsync(AmiMessage message)
    {
        var record = _server.Record(this, message);
        if (_server.ShouldCloseAfter(record))
        {
            return false;
        }

        await _server.WaitWhileFrozenAsync(_closed.Token).ConfigureAwait(false);
        try
        {
            return await DispatchAsync(message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.ActionFailed(ex, Id, message.ActionName);
            await RespondAsync(message, "Error", ("Message", "Internal simulator error")).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>Queues raw bytes (a response or an event for this session only).</summary>
    public void Send(byte[] bytes, bool closeAfter = false) => Enqueue(new OutItem(bytes, null, AmiPrivilege.All, closeAfter));

    /// <summary>Delivers a shared event batch if this session may see any of it (read rights, event mask, login).</summary>
    /// <summary>
    /// The session that typed "core restart now" waits inside the command until Asterisk goes down: it gets no event
    /// after it (i1, i3, i4 'admin': no reply, no hangups, only EOF).
    /// </summary>
    public void StopEvents() => _eventsStopped = true;

    public void Deliver(EventBatch batch)
    {
        if (!_loggedIn || User is null || _eventsStopped)
        {
            return;
        }

        var mask = User.Read & _eventMask;
        if ((batch.Classes & mask) == 0)
        {
            return;
        }

        lock (_holdGate)
        {
            if (_holding)
            {
                _held.Add(batch);
                return;
            }

            Enqueue(new OutItem(null, batch, mask, false));
        }
    }

    private void Enqueue(OutItem item)
    {
        if (_closing != 0)
        {
            return;
        }

        var size = item.Bytes?.Length ?? item.Batch!.Length;
        if (Interlocked.Add(ref _queuedBytes, size) > Options.MaxQueuedBytes)
        {
            _logger.QueueOverflow(Id, Options.MaxQueuedBytes);
            Close("outbox overflow", flush: false);
            return;
        }

        _outbox.Writer.TryWrite(item);
    }

    /// <summary>Holds this session's events until <see cref="ReleaseHeld"/> (sync Originate, f1-f3).</summary>
    private void Hold()
    {
        lock (_holdGate)
        {
            _holding = true;
        }
    }

    /// <summary>Writes the response, then every event held meanwhile, in order.</summary>
    private void ReleaseHeld(byte[] response)
    {
        lock (_holdGate)
        {
            Send(response);
            var mask = (User?.Read ?? AmiPrivilege.None) & _eventMask;
            foreach (var batch in _held)
            {
                if ((batch.Classes & mask) != 0)
                {
                    Enqueue(new OutItem(null, batch, mask, false));
                }
            }

            _held.Clear();
            _holding = false;
        }
    }

    public void Close(string reason, bool flush)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _logger.Closed(Id, reason);
        if (flush)
        {
            _outbox.Writer.TryComplete();
        }
        else
        {
            _outbox.Writer.TryComplete();
            _closed.Cancel();
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            _socket.Close();
        }

        _server.Forget(this);
    }

    private async Task WriteLoopAsync()
    {
        var timeout = Options.WriteTimeout;
        var writeCts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _server.Pbx.Time);
        var scratch = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            while (await _outbox.Reader.WaitToReadAsync(_closed.Token).ConfigureAwait(false))
            {
                while (_outbox.Reader.TryRead(out var item))
                {
                    await _server.WaitWhileFrozenAsync(_closed.Token).ConfigureAwait(false);
                    ReadOnlyMemory<byte> data;
                    if (item.Bytes is not null)
                    {
                        data = item.Bytes;
                    }
                    else
                    {
                        var batch = item.Batch!;
                        if ((batch.Classes & ~item.Mask) == 0)
                        {
                            data = batch.Buffer.AsMemory(0, batch.Length);
                        }
                        else
                        {
                            scratch.ResetWrittenCount();
                            foreach (var slice in batch.Slices)
                            {
                                if ((slice.Class & item.Mask) != 0)
                                {
                                    scratch.Write(batch.Buffer.AsSpan(slice.Offset, slice.Length));
                                }
                            }

                            data = scratch.WrittenMemory;
                        }
                    }

                    var size = item.Bytes?.Length ?? item.Batch!.Length;
                    if (_server.TakeGarble())
                    {
                        // A line with no colon and stray bytes in front of the next message: the client must skip the frame.
                        data = (byte[])[.. "\u0001GARBLED\u00ff frame from simulator\r\n"u8, .. data.Span];
                    }

                    writeCts.CancelAfter(timeout);
                    try
                    {
                        if (_server.SplitFramesAtEveryByte)
                        {
                            for (var i = 0; i < data.Length; i++)
                            {
                                writeCts.CancelAfter(timeout);
                                await _socket.SendAsync(data.Slice(i, 1), SocketFlags.None, writeCts.Token).ConfigureAwait(false);
                            }
                        }
                        else
                        {
                            while (!data.IsEmpty)
                            {
                                var sent = await _socket.SendAsync(data, SocketFlags.None, writeCts.Token).ConfigureAwait(false);
                                data = data[sent..];
                            }
                        }
                    }
                    catch (OperationCanceledException) when (!_closed.IsCancellationRequested)
                    {
                        _logger.WriteTimedOut(Id, timeout);
                        Close("write timeout", flush: false);
                        return;
                    }

                    writeCts.CancelAfter(Timeout.InfiniteTimeSpan);
                    if (writeCts.IsCancellationRequested)
                    {
                        // The timer fired just as the write completed: the write made it, so start afresh.
                        writeCts.Dispose();
                        writeCts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _server.Pbx.Time);
                    }

                    Interlocked.Add(ref _queuedBytes, -size);
                    if (item.CloseAfter)
                    {
                        Close("closed after reply", flush: false);
                        return;
                    }
                }
            }

            // Outbox completed (Logoff, shutdown, peer gone): everything queued is out; now close the socket.
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            _socket.Close();
            _closed.Cancel();
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            Close("write failed", flush: false);
        }
        finally
        {
            writeCts.Dispose();
        }
    }
}
