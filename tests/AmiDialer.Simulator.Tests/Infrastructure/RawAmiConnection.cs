using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using AmiDialer.Ami;

namespace AmiDialer.Simulator.Tests.Infrastructure;

/// <summary>
/// A bare loopback AMI client for tests: writes raw bytes, reads frames with the shared parser into a queue,
/// and notes EOF. Deliberately not the product's AmiClient, so the simulator is tested on its own.
/// </summary>
internal sealed class RawAmiConnection : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);
    private readonly Socket _socket;
    private readonly Channel<AmiFrame> _frames = Channel.CreateUnbounded<AmiFrame>();
    private readonly List<AmiMessage> _received = [];
    private readonly Task _reader;
    private readonly TaskCompletionSource _eof = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RawAmiConnection(Socket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadLoopAsync);
    }

    public string? Banner { get; private set; }

    /// <summary>Every message received so far (not the banner), in order.</summary>
    public IReadOnlyList<AmiMessage> Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }
    }

    public int MalformedFrames { get; private set; }

    public Task Closed => _eof.Task;

    public bool IsClosed => _eof.Task.IsCompleted;

    public static async Task<RawAmiConnection> ConnectAsync(IPEndPoint endPoint, bool readBanner = true)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(DefaultWait);
        await socket.ConnectAsync(endPoint, cts.Token);
        var connection = new RawAmiConnection(socket);
        if (readBanner)
        {
            var frame = await connection.NextFrameAsync();
            Assert.Equal(AmiFrameKind.Banner, frame.Kind);
            connection.Banner = frame.Banner;
        }

        return connection;
    }

    public static async Task<RawAmiConnection> LoginAsync(IPEndPoint endPoint, string user = "dialer", string secret = "dialerpass", string? events = null)
    {
        var c = await ConnectAsync(endPoint);
        var login = $"Action: Login\r\nUsername: {user}\r\nSecret: {secret}\r\nActionID: login-1\r\n" + (events is null ? "" : $"Events: {events}\r\n") + "\r\n";
        await c.SendRawAsync(login);
        var response = await c.ReadUntilAsync(m => m.ActionId == "login-1");
        Assert.Equal("Success", response.Response);
        return c;
    }

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendRawAsync(byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }
    }

    public Task SendActionAsync(string action, params (string Key, string Value)[] headers)
    {
        var list = new List<AmiHeader> { new("Action", action) };
        list.AddRange(headers.Select(h => new AmiHeader(h.Key, h.Value)));
        return SendRawAsync(AmiWriter.ToBytes(list.ToArray()));
    }

    public async Task<AmiFrame> NextFrameAsync(TimeSpan? wait = null)
    {
        using var cts = new CancellationTokenSource(wait ?? DefaultWait);
        return await _frames.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Next message (skipping nothing), or throws on timeout/EOF.</summary>
    public async Task<AmiMessage> NextAsync(TimeSpan? wait = null)
    {
        while (true)
        {
            var frame = await NextFrameAsync(wait);
            if (frame.Kind == AmiFrameKind.Message)
            {
                return frame.Message!;
            }
        }
    }

    public async Task<AmiMessage> ReadUntilAsync(Func<AmiMessage, bool> predicate, TimeSpan? wait = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = wait ?? DefaultWait;
        while (true)
        {
            var left = limit - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("No matching AMI message within " + limit);
            }

            var m = await NextAsync(left);
            if (predicate(m))
            {
                return m;
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> messages have been received in total.</summary>
    public async Task WaitForCountAsync(int count, TimeSpan? wait = null)
    {
        var sw = Stopwatch.StartNew();
        while (Received.Count < count)
        {
            if (sw.Elapsed > (wait ?? DefaultWait))
            {
                throw new TimeoutException($"Expected {count} messages, got {Received.Count}: " + string.Join("\n", Received.Select(r => r.ToString().Replace("\r\n", " | ", StringComparison.Ordinal))));
            }

            await Task.Delay(2);
        }
    }

    /// <summary>Waits until nothing new has arrived for <paramref name="quiet"/>.</summary>
    public async Task WaitForQuietAsync(TimeSpan quiet, TimeSpan? max = null)
    {
        var sw = Stopwatch.StartNew();
        var last = -1;
        var since = Stopwatch.StartNew();
        while (sw.Elapsed < (max ?? DefaultWait))
        {
            var n = Received.Count;
            if (n != last)
            {
                last = n;
                since.Restart();
            }
            else if (since.Elapsed >= quiet)
            {
                return;
            }

            await Task.Delay(5);
        }
    }

    public async Task<bool> WaitClosedAsync(TimeSpan? wait = null)
    {
        var done = await Task.WhenAny(_eof.Task, Task.Delay(wait ?? DefaultWait));
        return done == _eof.Task;
    }

    /// <summary>Stops reading from the socket (a client that hangs), leaving it open.</summary>
    public void ShrinkReceiveBuffer() => _socket.ReceiveBufferSize = 1024;

    private async Task ReadLoopAsync()
    {
        var reader = new AmiFrameReader(_socket, new AmiParser(), 64 * 1024);
        try
        {
            while (await reader.ReadAsync() is { } frame)
            {
                if (frame.Kind == AmiFrameKind.Message)
                {
                    lock (_received)
                    {
                        _received.Add(frame.Message!);
                    }
                }
                else if (frame.Kind == AmiFrameKind.Malformed)
                {
                    MalformedFrames++;
                }

                _frames.Writer.TryWrite(frame);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            _eof.TrySetResult();
            _frames.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _reader;
    }
}
