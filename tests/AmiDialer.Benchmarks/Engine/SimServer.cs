using System.Diagnostics;
using System.Globalization;
using AmiDialer.Engine;
using AmiDialer.Simulator;

namespace AmiDialer.Benchmarks.Engine;

/// <summary>
/// The hidden <c>sim-server [timeScale] [seed]</c> mode: the AMI simulator alone in this process, so the engine bench
/// measures the dialer's CPU without the simulated PBX's. Prints <c>port=N</c> once listening, then obeys one
/// command per stdin line: <c>cpu</c> (prints its own CPU seconds), <c>originates FILE</c> (writes every Originate it
/// received as <c>channelId TAB number TAB receivedAtTicksUtc</c>, then prints the count), <c>exit</c>. End of stdin
/// (the bench died) ends it too.
/// </summary>
internal static class SimServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scale = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            TimeScale = scale,
            Outcomes = OutcomeRules.RealisticMix(seed),
            // A bench hiccup (GC, a busy core) must not cost the dialer its connection.
            WriteTimeout = TimeSpan.FromSeconds(30),
        });
        Console.WriteLine($"port={sim.Port}");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            switch (parts[0])
            {
                case "cpu":
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu={Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F3}"));
                    break;
                case "originates" when parts.Length == 2:
                    var originates = sim.ActionsNamed("Originate");
                    await using (var writer = new StreamWriter(parts[1]))
                    {
                        foreach (var a in originates)
                        {
                            var channel = a["Channel"] ?? "";
                            var number = channel.Split('/', '@') is { Length: >= 2 } p ? p[1] : "";
                            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{a["ChannelId"]}\t{number}\t{a.ReceivedAt.UtcTicks}"));
                        }
                    }

                    Console.WriteLine($"originates={originates.Count}");
                    break;
                case "exit":
                    return 0;
                default:
                    Console.WriteLine($"error=unknown command '{line}'");
                    break;
            }
        }

        return 0;
    }
}

/// <summary>The bench's handle on a <c>sim-server</c> child process: started with this very executable, killed on dispose.</summary>
internal sealed class SimServerProcess : IDisposable
{
    private readonly Process _process;

    private SimServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>CPU time of the simulator process so far (read by the OS, not by asking it).</summary>
    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<SimServerProcess> StartAsync(double timeScale, int seed)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable this is.");
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Run as `dotnet AmiDialer.Benchmarks.dll`: the child needs the dll too.
            info.FileName = self;
            info.ArgumentList.Add(typeof(SimServer).Assembly.Location);
        }
        else
        {
            info.FileName = self;
        }

        // The simulator stands in for Asterisk: it keeps the runtime's defaults whatever the dialer's process runs with.
        info.Environment.Remove(InlineSocketCompletions.Variable);
        info.ArgumentList.Add("sim-server");
        info.ArgumentList.Add(timeScale.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(info) ?? throw new InvalidOperationException("The simulator process did not start.");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line is null || !line.StartsWith("port=", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The simulator process said '{line}' instead of its port.");
            }

            return new SimServerProcess(process, int.Parse(line.AsSpan(5), CultureInfo.InvariantCulture));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Every Originate the simulator received: ChannelId, dialled number, when it arrived.</summary>
    public async Task<IReadOnlyList<(string ChannelId, string Number, DateTimeOffset ReceivedAt)>> OriginatesAsync(string scratchFile)
    {
        await _process.StandardInput.WriteLineAsync("originates " + scratchFile);
        await _process.StandardInput.FlushAsync();
        var answer = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (answer is null || !answer.StartsWith("originates=", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The simulator process said '{answer}' instead of its originates.");
        }

        var list = new List<(string, string, DateTimeOffset)>();
        foreach (var line in await File.ReadAllLinesAsync(scratchFile))
        {
            var f = line.Split('\t');
            list.Add((f[0], f[1], new DateTimeOffset(long.Parse(f[2], CultureInfo.InvariantCulture), TimeSpan.Zero)));
        }

        File.Delete(scratchFile);
        return list;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("exit");
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
