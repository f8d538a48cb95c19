using System.Diagnostics;
using AmiDialer.Core.Pacing;
using Xunit.Abstractions;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// Predictive pacing end to end (issue #26): the real engine, a SQLite store and the simulator's queue over a socket,
/// PBX time x20. Progressive and predictive dial the same call centre side by side; once predictive has measured its
/// 50 answers, a window of each is sampled. Then every agent goes to lunch while a few who never pick up log in: the
/// answers go late, and predictive must fall back to progressive and say so in the live state.
/// </summary>
public sealed class PredictivePacingEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Predictive_leaves_its_warm_up_keeps_agents_busier_than_progressive_under_the_abandon_limit_and_falls_back_when_abandons_near_it()
    {
        var clock = Stopwatch.StartNew();
        var settings = new CallCentreSettings();
        await using var progressive = await CallCentreRun.StartAsync(settings, PacingMode.Progressive);
        await using var predictive = await CallCentreRun.StartAsync(settings, PacingMode.Predictive);

        // Warm-up: progressive until 50 answers are measured, and the live state says so.
        // (Before the queue's first QueueStatus is read, it waits for agents.)
        Assert.True(await predictive.WaitForAsync(s => s.Pacing?.StartsWith("predictive", StringComparison.Ordinal) == true, Generous), $"predictive never decided: {predictive.Live().Pacing}");
        var first = predictive.Live();
        Assert.StartsWith("predictive warming up", first.Pacing, StringComparison.Ordinal);
        Assert.True(first.PacingFallback);
        Assert.True(await predictive.WaitForAsync(s => s.Pacing?.StartsWith("predictive:", StringComparison.Ordinal) == true, Generous),
            $"predictive never left its warm-up: {predictive.Live().Pacing}");
        Assert.False(predictive.Live().PacingFallback);
        var warmedAt = clock.Elapsed;

        var window = TimeSpan.FromSeconds(10);
        var measured = await Task.WhenAll(progressive.MeasureAsync(window, "progressive"), predictive.MeasureAsync(window, "predictive"));
        var (slow, fast) = (measured[0], measured[1]);
        output.WriteLine(settings.Describe());
        output.WriteLine(slow.ToString());
        output.WriteLine(fast.ToString());
        output.WriteLine($"predictive decided as predictive in {fast.PredictiveShare:0%} of the samples; warm-up done at {warmedAt.TotalSeconds:0.0} s");

        Assert.True(fast.PredictiveShare > 0.5, $"predictive ran as predictive in only {fast.PredictiveShare:0%} of the window");
        Assert.True(fast.Answered >= 30, $"too few answers in the window to judge: {fast}");
        Assert.True(fast.AbandonRate < 0.03, $"over the 3% limit: {fast}");
        Assert.True(fast.Utilisation > slow.Utilisation * 1.1, $"predictive not busier than progressive: {fast} against {slow}");
        Assert.True(fast.Placed > slow.Placed, $"predictive placed no more calls than progressive: {fast} against {slow}");
        Assert.True(predictive.Live().AbandonRate < 0.03, $"the campaign's own rate: {predictive.Live().AbandonRate:0.0%}");

        // Every agent goes to lunch; three who never pick up log in. Predictive still counts them free, so its answers ring
        // them and go late (abandoned) until the rate reaches 80% of the limit: then progressive, said on the live state.
        var sim = predictive.Simulator;
        foreach (var member in sim.QueueMembers("sales"))
        {
            sim.PauseQueueMember("sales", member.Interface, paused: true, "lunch");
        }

        for (var i = 0; i < 3; i++)
        {
            sim.AddQueueMember("sales", $"Local/{2901 + i}@agentphone", $"Ghost {2901 + i}", answers: false);
        }

        Assert.True(await predictive.WaitForAsync(s => s.Pacing?.StartsWith("predictive throttled", StringComparison.Ordinal) == true, Generous),
            $"predictive never fell back: {predictive.Live().Pacing}, abandon rate {predictive.Live().AbandonRate:0.0%}");
        var fallback = predictive.Live();
        output.WriteLine($"fell back at {clock.Elapsed.TotalSeconds:0.0} s: {fallback.Pacing}");
        Assert.True(fallback.PacingFallback);
        Assert.Contains("progressive", fallback.Pacing, StringComparison.Ordinal);
        Assert.InRange(fallback.AbandonRate!.Value, 0.8 * 0.03, 1);
    }
}
