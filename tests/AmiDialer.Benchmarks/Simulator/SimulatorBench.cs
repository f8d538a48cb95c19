using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using AmiDialer.Ami;
using AmiDialer.Simulator;

namespace AmiDialer.Benchmarks.Simulator;

/// <summary>
/// "sim" bench mode: how many Originates per second the simulator turns into complete event streams.
/// One loopback client logs in, writes N async Originates (numbers cycling through the ten test-PBX digits)
/// in batches, and reads every byte until each call's last Hangup has arrived. Time scale 1000 so durations
/// do not dominate. Pin to one core to check the "2,000 originates/s on one core" target:
///   taskset -c 0 dotnet run -c Release --project tests/AmiDialer.Benchmarks -- sim [calls=20000] [timeScale=1000]
/// </summary>
public static class SimulatorBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20000;
        var scale = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        Console.WriteLine($"sim bench: {calls} async Originates, time scale {scale}, processors visible: {Environment.ProcessorCount}");

        // Warm-up run (JIT), then the measured run.
        await RunOnceAsync(Math.Min(2000, calls), scale, print: false);
        var result = await RunOnceAsync(calls, scale, print: true);
        return result ? 0 : 1;
    }

    private static async Task<bool> RunOnceAsync(int calls, double scale, bool print)
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = scale, WriteTimeout = TimeSpan.FromSeconds(30) });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(sim.EndPoint);
        await SendAsync(socket, "Action: Login\r\nUsername: dialer\r\nSecret: dialerpass\r\nActionID: l\r\n\r\n");

        // Hangups expected: every call of the test PBX ends with two (one per Local half).
        var expectedHangups = calls * 2;
        var hangups = 0;
        var frames = 0L;
        var bytes = 0L;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[1 << 20];
            var filled = 0;
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (n == 0)
                {
                    break;
                }

                bytes += n;
                filled += n;
                var seq = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer, 0, filled));
                while (AmiParser.TryReadFrame(ref seq, out var frame))
                {
                    frames++;
                    if (frame.FirstSpan.StartsWith("Event: Hangup\r"u8) && ++hangups == expectedHangups)
                    {
                        done.TrySetResult();
                    }
                }

                var consumed = (int)seq.Consumed;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
        });

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        const int batch = 200;
        var sb = new StringBuilder();
        for (var i = 0; i < calls; i += batch)
        {
            sb.Clear();
            for (var j = i; j < Math.Min(calls, i + batch); j++)
            {
                sb.Append("Action: Originate\r\nAsync: true\r\nActionID: o").Append(j).Append("\r\nChannel: Local/555")
                    .Append((j / 10 % 10000).ToString("D4", CultureInfo.InvariantCulture)).Append(j % 10)
                    .Append("@pstn\r\nContext: agents\r\nExten: 100\r\nPriority: 1\r\nTimeout: 15000\r\nCallerID: \"Campaign 7\" <5551234>\r\nVariable: CAMPAIGN=7\r\nVariable: LEADID=L-")
                    .Append(j).Append("\r\n\r\n");
            }

            await SendAsync(socket, sb.ToString());
        }

        var finished = await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(120))) == done.Task;
        stopwatch.Stop();
        socket.Shutdown(SocketShutdown.Both);
        await reader.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (print)
        {
            var seconds = stopwatch.Elapsed.TotalSeconds;
            Console.WriteLine(finished ? "all calls completed" : $"TIMEOUT: only {hangups}/{expectedHangups} hangups");
            Console.WriteLine($"  {calls} originates in {seconds:F2} s = {calls / seconds:F0} originates/s");
            Console.WriteLine($"  {frames} messages ({frames / (double)calls:F1} per call) = {frames / seconds:F0} messages/s, {bytes / seconds / 1e6:F1} MB/s");
            // The machine may be shared: CPU time is the fair measure of "on one core" (client and server both counted).
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            Console.WriteLine($"  CPU {cpu:F2} s for client+server = {calls / cpu:F0} originates per CPU-second (one core busy for one second)");
        }

        return finished;
    }

    private static async Task SendAsync(Socket socket, string text)
    {
        var data = Encoding.ASCII.GetBytes(text);
        var sent = 0;
        while (sent < data.Length)
        {
            sent += await socket.SendAsync(data.AsMemory(sent), SocketFlags.None);
        }
    }
}
