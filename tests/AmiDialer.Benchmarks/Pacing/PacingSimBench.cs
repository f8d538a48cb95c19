using System.Globalization;
using AmiDialer.Core.Pacing;
using AmiDialer.Engine.Tests.Dialing;

namespace AmiDialer.Benchmarks.Pacing;

/// <summary>
/// <c>pacing-sim [windowSeconds] [timeScale] [fixedFrom:fixedTo:step]</c>: the pacing modes end to end, the real engine
/// (SQLite store, AMI over a socket, its queue follower) dialing into the simulator's queue (<see cref="CallCentreRun"/>):
/// 50 agents, 35% answered, talk 60-180 s, PBX time scaled. Each run warms up (predictive: until it leaves its 50-answer
/// warm-up; the others: 60 answers), then a window is measured: agents' time talking (sampled from the simulator),
/// answers, abandons (the engine's 2 s rule as stored on the attempts) and calls placed. Fixed pacing is swept over the
/// concurrencies given; the best (most connected per agent-hour under 3% abandoned) is compared. Runs one after another in
/// this process, so the figures depend on the machine's load (the time scale multiplies every real delay).
/// </summary>
internal static class PacingSimBench
{
    private const double AbandonLimit = 0.03;

    public static async Task<int> RunAsync(string[] args)
    {
        var window = TimeSpan.FromSeconds(args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 60);
        var scale = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var sweep = (args.Length > 2 ? args[2] : "48:80:8").Split(':').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        var settings = new CallCentreSettings(
            Agents: 50,
            AnswerRate: 0.35,
            TalkMinSeconds: 60,
            TalkMaxSeconds: 180,
            AnswerRingMinSeconds: 2,
            AnswerRingMaxSeconds: 14,
            NoAnswerSeconds: 30,
            WrapUpSeconds: 0,
            TimeScale: scale,
            Leads: 8000);
        Console.WriteLine("pacing-sim: " + settings.Describe());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  window {window.TotalSeconds:0} s real ({window.TotalSeconds * scale / 60:0} PBX minutes) per run; fixed swept {sweep[0]}-{sweep[1]} step {sweep[2]}; {Environment.ProcessorCount} cores, load average {LoadAverage()}"));

        var rows = new List<(string Name, CallCentreResult Result)>();
        (int Cap, CallCentreResult? Result) best = (0, null);
        for (var cap = sweep[0]; cap <= sweep[1]; cap += sweep[2])
        {
            var result = await MeasureAsync(settings, PacingMode.Fixed, cap, window);
            Console.WriteLine($"  {result}");
            if (result.AbandonRate < AbandonLimit && (best.Result is null || result.ConnectedPerAgentHour > best.Result.ConnectedPerAgentHour))
            {
                best = (cap, result);
            }
        }

        var progressive = await MeasureAsync(settings, PacingMode.Progressive, 500, window);
        Console.WriteLine($"  {progressive}");
        var predictive = await MeasureAsync(settings, PacingMode.Predictive, 500, window);
        Console.WriteLine($"  {predictive}");

        Console.WriteLine();
        Console.WriteLine("| pacing | agents busy | abandoned | connected per agent-hour | calls placed |");
        Console.WriteLine("|---|---|---|---|---|");
        if (best.Result is { } fixedBest)
        {
            Row($"fixed, best concurrency {best.Cap}", fixedBest);
        }
        else
        {
            Console.WriteLine("| fixed | no concurrency of the sweep kept the abandon rate under 3% | | | |");
        }

        Row("progressive (ratio 1)", progressive);
        Row("predictive", predictive);
        var gain = progressive.ConnectedPerAgentHour > 0 ? predictive.ConnectedPerAgentHour / progressive.ConnectedPerAgentHour : double.PositiveInfinity;
        var versusFixed = best.Result is { } b ? string.Create(CultureInfo.InvariantCulture, $"; vs best fixed: {predictive.ConnectedPerAgentHour / b.ConnectedPerAgentHour:0.00}x") : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"predictive vs progressive: {gain:0.00}x") + versusFixed);
        var met = predictive.Utilisation >= 0.85 && predictive.AbandonRate < AbandonLimit && gain >= 1.2;
        Console.WriteLine(met ? "targets met (85% busy, under 3% abandoned, 1.2x progressive)" : "TARGETS NOT MET (85% busy, under 3% abandoned, 1.2x progressive)");
        return met ? 0 : 1;
    }

    private static async Task<CallCentreResult> MeasureAsync(CallCentreSettings settings, PacingMode mode, int cap, TimeSpan window)
    {
        var warmUp = TimeSpan.FromMinutes(3);
        await using var run = await CallCentreRun.StartAsync(settings, mode, cap);
        var warmed = mode == PacingMode.Predictive
            ? await run.WaitForAsync(s => s.Pacing?.StartsWith("predictive:", StringComparison.Ordinal) == true, warmUp)
            : await WaitForAnswersAsync(run, 60, warmUp);
        if (!warmed)
        {
            throw new InvalidOperationException($"{mode.ToWireName()} never warmed up in {warmUp.TotalMinutes} minutes: {run.Live().Pacing}");
        }

        return await run.MeasureAsync(window, mode == PacingMode.Fixed ? $"fixed {cap}" : mode.ToWireName());
    }

    private static async Task<bool> WaitForAnswersAsync(CallCentreRun run, int answers, TimeSpan timeout)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < until)
        {
            if (await run.AnsweredAsync() >= answers)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static void Row(string name, CallCentreResult r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {r.Utilisation:0.0%} | {r.AbandonRate:0.00%} ({r.Abandoned} of {r.Answered}) | {r.ConnectedPerAgentHour:0.0} | {r.Placed} |"));

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
