using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace AmiDialer.Benchmarks.Engine;

/// <summary>
/// Samples the runtime's AllocationTick events (one per ~100 KB allocated, naming the type that crossed the line), so
/// the engine bench can say which types make up its allocation per call. Enabled with <c>allocs=on</c>.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, int> _ticks = new(StringComparer.Ordinal);

    public bool Recording { get; set; }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Recording || eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var index = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        if (index >= 0 && eventData.Payload[index] is string type)
        {
            _ticks.AddOrUpdate(type, 1, (_, n) => n + 1);
        }
    }

    public void Print(int top)
    {
        var total = _ticks.Values.Sum();
        Console.WriteLine($"  allocation samples   {total} (~100 KB each), top types:");
        foreach (var (type, count) in _ticks.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine($"    {count * 100.0 / Math.Max(1, total),5:F1}%  {type}");
        }
    }
}
