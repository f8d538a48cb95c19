using System.Buffers;
using System.Net;
using System.Net.Sockets;
using AmiDialer.Ami;

namespace AmiDialer.Benchmarks.Ami;

/// <summary>Accepts one client, lets it log in (any secret), then writes the whole stream as fast as the socket takes it.</summary>
internal sealed class FloodServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ReadOnlyMemory<byte> _data;
    private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _run;
    private Socket? _socket;

    public FloodServer(ReadOnlyMemory<byte> data)
    {
        _data = data;
        _listener.Start();
        _run = RunAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Flood() => _go.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        _go.TrySetResult();
        _socket?.Dispose();
        _listener.Stop();
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
        }
    }

    private async Task RunAsync()
    {
        _socket = await _listener.AcceptSocketAsync().ConfigureAwait(false);
        _socket.NoDelay = true;
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        await stream.WriteAsync("Asterisk Call Manager/13.0.0\r\n"u8.ToArray()).ConfigureAwait(false);
        var parser = new AmiParser(AmiParserLimits.FromClient);
        var buffer = new byte[4096];
        var pending = new ArrayBufferWriter<byte>();
        var loggedIn = false;
        while (!loggedIn)
        {
            var n = await stream.ReadAsync(buffer).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }

            pending.Write(buffer.AsSpan(0, n));
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(pending.WrittenMemory));
            var replies = new List<byte[]>();
            while (parser.TryParse(ref reader, out var frame))
            {
                var action = frame.Message;
                if (action is null || action.Count == 0)
                {
                    continue;
                }

                var reply = new List<AmiHeader> { new("Response", "Success"), new("ActionID", action.ActionId ?? "") };
                if (string.Equals(action.ActionName, "Challenge", StringComparison.OrdinalIgnoreCase))
                {
                    reply.Add(new("Challenge", "123456789"));
                }
                else if (string.Equals(action.ActionName, "Login", StringComparison.OrdinalIgnoreCase))
                {
                    reply.Add(new("Message", "Authentication accepted"));
                    loggedIn = true;
                }

                replies.Add(AmiWriter.ToBytes(reply.ToArray()));
            }

            var rest = pending.WrittenSpan[(int)reader.Consumed..].ToArray();
            pending.Clear();
            pending.Write(rest);
            foreach (var reply in replies)
            {
                await stream.WriteAsync(reply).ConfigureAwait(false);
            }
        }

        await _go.Task.ConfigureAwait(false);
        const int chunk = 256 * 1024;
        for (var offset = 0; offset < _data.Length; offset += chunk)
        {
            await stream.WriteAsync(_data.Slice(offset, Math.Min(chunk, _data.Length - offset))).ConfigureAwait(false);
        }

        // Keep the connection open until the client has read everything and the bench disposes us.
        while (await stream.ReadAsync(buffer).ConfigureAwait(false) > 0)
        {
        }
    }
}
