using System.Diagnostics;
using AmiDialer.Engine;

namespace AmiDialer.Benchmarks.Engine;

/// <summary>Counters read together at one instant, so a rate and a CPU share over a window come from the same two instants.</summary>
internal sealed record WindowMark(DateTimeOffset At, long Sent, TimeSpan Cpu, TimeSpan SimCpu, long Allocated, int Gen0, int Gen1, int Gen2)
{
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
/// Polls the dialer's Originate count (cheaply, without a snapshot) and marks the measured window: from the first
/// poll past the warm-up to the first poll at the last lead. Also keeps the peak of live calls.
/// </summary>
internal sealed class WindowProbe(DialerEngine engine, long campaignId, SimServerProcess sim, int warmup, int leads, AllocationSampler? allocations)
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
                if (engine.Progress(campaignId) is not { } progress)
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

            // Keep the peak of live calls until the campaign drains.
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (engine.Progress(campaignId) is { } progress)
                {
                    PeakActive = Math.Max(PeakActive, progress.Active);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private WindowMark Mark(long sent) => new(
        DateTimeOffset.UtcNow,
        sent,
        Process.GetCurrentProcess().TotalProcessorTime,
        sim.Cpu,
        GC.GetTotalAllocatedBytes(precise: false),
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2))
    {
        Commits = engine.StoreWrites.Commits,
        BytesWritten = ProcessCounters.BytesWritten(),
        ContextSwitches = ProcessCounters.ContextSwitches(),
        WorkItems = ThreadPool.CompletedWorkItemCount,
    };
}
