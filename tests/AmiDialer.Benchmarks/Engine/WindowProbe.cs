using System.Diagnostics;
using AmiDialer.Engine;

namespace AmiDialer.Benchmarks.Engine;

/// <summary>Counters read together at one instant, so a rate and a CPU share over a window come from the same two instants.</summary>
internal sealed record WindowMark(DateTimeOffset At, long Sent, TimeSpan Cpu, TimeSpan SimCpu, long Allocated, int Gen0, int Gen1, int Gen2)
{
    /// <summary>CPU seconds of the PostgreSQL cluster's processes (0 on SQLite, whose work is in this process).</summary>
    public double ServerCpu { get; init; }

    /// <summary>Store transactions committed by the engine's writer.</summary>
    public long Commits { get; init; }

    /// <summary>Bytes this process wrote to files and sockets (<c>/proc/self/io</c> wchar): mostly the WAL and its checkpoints.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Context switches of all this process's threads, voluntary and not (getrusage).</summary>
    public long ContextSwitches { get; init; }

    /// <summary>Work items the thread pool ran: each is a hand-over from one thread to another, often a wake-up.</summary>
    public long WorkItems { get; init; }
}

/// <summary>
/// Polls the dialers' Originate counts (cheaply, without a snapshot) and marks the measured window: from the first
/// poll past the warm-up to the first poll at the last lead, all campaigns of all nodes together. Also keeps the peak
/// of live calls.
/// </summary>
internal sealed class WindowProbe(IReadOnlyList<(DialerEngine Engine, long CampaignId)> dialed, IReadOnlyList<SimServerProcess> sims, int warmup, int leads,
    AllocationSampler? allocations, Func<double>? serverCpu = null)
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(20);

    public WindowMark? Start { get; private set; }

    public WindowMark? End { get; private set; }

    public int PeakActive { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (End is null && await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (Progress() is not { } progress)
                {
                    continue;
                }

                PeakActive = Math.Max(PeakActive, progress.Active);
                if (Start is null && progress.Sent >= warmup)
                {
                    Start = Mark(progress.Sent);
                    allocations?.Recording = true;
                }
                else if (Start is not null && progress.Sent >= leads)
                {
                    End = Mark(progress.Sent);
                    allocations?.Recording = false;
                }
            }

            // Keep the peak of live calls until the campaigns drain.
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (Progress() is { } progress)
                {
                    PeakActive = Math.Max(PeakActive, progress.Active);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Summed over the campaigns; null until every one of them is dialing.</summary>
    private (long Sent, int Active)? Progress()
    {
        var (sent, active) = (0L, 0);
        foreach (var (engine, campaignId) in dialed)
        {
            if (engine.Progress(campaignId) is not { } one)
            {
                return null;
            }

            (sent, active) = (sent + one.Sent, active + one.Active);
        }

        return (sent, active);
    }

    private WindowMark Mark(long sent) => new(
        DateTimeOffset.UtcNow,
        sent,
        Process.GetCurrentProcess().TotalProcessorTime,
        sims.Aggregate(TimeSpan.Zero, (sum, sim) => sum + sim.Cpu),
        GC.GetTotalAllocatedBytes(precise: false),
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2))
    {
        Commits = dialed.Select(d => d.Engine).Distinct().Sum(e => e.StoreWrites.Commits),
        BytesWritten = ProcessCounters.BytesWritten(),
        ContextSwitches = ProcessCounters.ContextSwitches(),
        WorkItems = ThreadPool.CompletedWorkItemCount,
        ServerCpu = serverCpu?.Invoke() ?? 0,
    };
}
