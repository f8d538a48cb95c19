using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Client;

/// <summary>
/// A scripted AMI server on a real loopback socket. It answers Challenge, Login and Ping like Asterisk does
/// (captures a1, a2, b1, b2); every other action goes to the test's handler. It uses our own parser and writer,
/// as the simulator will.
/// </summary>
internal sealed class FakeAmiServer : IAsyncDisposable
{
    public const string User = "dialer";
    public const string Secret = "dialerpass";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public FakeAmiServer(Func<FakeAmiSession, AmiMessage, Task>? handler = null)
    {
        Handler = handler ?? ((_, _) => Task.CompletedTask);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Func<FakeAmiSession, AmiMessage, Task> Handler { get; set; }

    /// <summary>Delay before answering a refused login (Asterisk waits ~1 s).</summary>
    public TimeSpan FailedLoginDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    public bool AnswerPings { get; set; } = true;

    /// <summary>When set, sessions speak TLS with this certificate (AMI over TLS).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate { get; set; }

    /// <summary>Sent right after a successful login, like Asterisk's FullyBooted.</summary>
    public bool SendFullyBooted { get; set; } = true;

    public Channel<FakeAmiSession> Sessions { get; } = Channel.CreateUnbounded<FakeAmiSession>();

    public ConcurrentQueue<FakeAmiSession> AllSessions { get; } = new();

    public AmiClientOptions Options(Action<AmiClientOptions>? configure = null)
    {
        var options = new AmiClientOptions
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = User,
            Secret = Secret,
            ActionsPerSecond = 0,
            OriginatesPerSecond = 0,
            ActionTimeout = TimeSpan.FromSeconds(5),
            AuthenticationRetryDelay = TimeSpan.FromMilliseconds(500),
        };
        configure?.Invoke(options);
        return options;
    }

    public async Task<FakeAmiSession> NextSessionAsync(TimeSpan? timeout = null) =>
        await Sessions.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(5));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var session in AllSessions)
        {
            session.Abort();
        }

        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            socket.NoDelay = true;
            var session = new FakeAmiSession(this, socket);
            AllSessions.Enqueue(session);
            Sessions.Writer.TryWrite(session);
            session.Start();
        }
    }
}

internal sealed class FakeAmiSession
{
    private readonly FakeAmiServer _server;
    private readonly Socket _socket;
    private Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private string? _challenge;

    public FakeAmiSession(FakeAmiServer server, Socket socket)
    {
        _server = server;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>When the server accepted this connection (a Stopwatch timestamp): taken before anything is said on it.</summary>
    public long AcceptedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Every action received, in order (login included).</summary>
    public ConcurrentQueue<AmiMessage> Received { get; } = new();

    /// <summary>Actions other than Challenge/Login/Ping, as they arrive.</summary>
    public Channel<AmiMessage> Actions { get; } = Channel.CreateUnbounded<AmiMessage>();

    public TaskCompletionSource<AmiMessage> LoggedIn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<string> ParseErrors { get; } = [];

    public void Start() => _ = Task.Run(ReadLoopAsync);

    public Task SendAsync(params AmiHeader[] headers) => SendRawAsync(AmiWriter.ToBytes(headers));

    public Task SendAsync(AmiMessage message) => SendRawAsync(message.ToBytes());

    public async Task SendRawAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task RespondAsync(AmiMessage action, params AmiHeader[] headers) =>
        SendAsync([new AmiHeader("Response", "Success"), new AmiHeader("ActionID", action.ActionId!), .. headers]);

    public Task RespondErrorAsync(AmiMessage action, string message) =>
        SendAsync(new AmiHeader("Response", "Error"), new AmiHeader("ActionID", action.ActionId!), new AmiHeader("Message", message));

    /// <summary>Drops the connection at once (RST), like a crashed Asterisk.</summary>
    public void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (ObjectDisposedException)
        {
        }

        _stream.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var parser = new AmiParser(AmiParserLimits.FromClient);
        var buffer = new byte[64 * 1024];
        var pending = new ArrayBufferWriter<byte>();
        try
        {
            if (_server.TlsCertificate is { } certificate)
            {
                var tls = new SslStream(_stream);
                await tls.AuthenticateAsServerAsync(certificate);
                _stream = tls;
            }

            await SendRawAsync("Asterisk Call Manager/13.0.0\r\n"u8.ToArray());
            while (true)
            {
                var n = await _stream.ReadAsync(buffer);
                if (n == 0)
                {
                    break;
                }

                pending.Write(buffer.AsSpan(0, n));
                var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(pending.WrittenMemory));
                var frames = new List<AmiFrame>();
                while (parser.TryParse(ref reader, out var frame))
                {
                    frames.Add(frame);
                }

                var rest = pending.WrittenSpan[(int)reader.Consumed..].ToArray();
                pending.Clear();
                pending.Write(rest);
                foreach (var frame in frames)
                {
                    if (frame.Kind == AmiFrameKind.Malformed)
                    {
                        ParseErrors.Add(frame.Error!);
                    }
                    else if (frame.Kind == AmiFrameKind.Message && frame.Message!.Count > 0)
                    {
                        Received.Enqueue(frame.Message);
                        await HandleAsync(frame.Message);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
        }
        finally
        {
            Actions.Writer.TryComplete();
            Closed.TrySetResult();
        }
    }

    private async Task HandleAsync(AmiMessage action)
    {
        switch (action.ActionName?.ToUpperInvariant())
        {
            case "CHALLENGE":
                _challenge = Random.Shared.Next(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await RespondAsync(action, new AmiHeader("Challenge", _challenge));
                break;
            case "LOGIN":
                await LoginAsync(action);
                break;
            case "PING" when _server.AnswerPings:
                await RespondAsync(action, new AmiHeader("Ping", "Pong"), new AmiHeader("Timestamp", "1795694575.000000"));
                break;
            case "PING":
                break;
            default:
                await Actions.Writer.WriteAsync(action);
                await _server.Handler(this, action);
                break;
        }
    }

    private async Task LoginAsync(AmiMessage action)
    {
        var ok = action["Username"] == FakeAmiServer.User && (string.Equals(action["AuthType"], "MD5", StringComparison.OrdinalIgnoreCase)
            ? _challenge is not null && action["Key"] == Md5(_challenge + FakeAmiServer.Secret)
            : action["Secret"] == FakeAmiServer.Secret);
        if (!ok)
        {
            await Task.Delay(_server.FailedLoginDelay);
            await RespondErrorAsync(action, "Authentication failed");
            Abort();
            return;
        }

        await RespondAsync(action, new AmiHeader("Message", "Authentication accepted"));
        if (_server.SendFullyBooted)
        {
            await SendAsync(new AmiHeader("Event", "FullyBooted"), new AmiHeader("Privilege", "system,all"), new AmiHeader("Uptime", "183"), new AmiHeader("Status", "Fully Booted"));
        }

        LoggedIn.TrySetResult(action);
    }

    private static string Md5(string text) =>
#pragma warning disable CA5351 // the protocol's own hash
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
