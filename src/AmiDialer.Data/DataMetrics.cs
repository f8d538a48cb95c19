using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Data;

/// <summary>
/// The store's instruments, on the application's meter (<see cref="MeterName"/>): how many engine writes wait for the
/// writer, and the rows imports committed. Updated where the work is done; with no listener each is a cheap no-op.
/// </summary>
public static class DataMetrics
{
    /// <summary>The application's meter name; the engine's instruments share it.</summary>
    public const string MeterName = "AmiDialer";

    private static readonly Meter Meter = new(MeterName);

    private static readonly ConcurrentDictionary<AttemptWriter, byte> Writers = new();

    private static readonly ObservableGauge<long> WriterQueue = Meter.CreateObservableGauge(
        "amidialer.writer.queue", () => Writers.Keys.Sum(w => (long)w.QueueDepth), unit: "{request}",
        description: "Engine writes (claims, live marks, endings, other writes) waiting for the writer.");

    private static readonly Counter<long> ImportRows = Meter.CreateCounter<long>(
        "amidialer.import.rows", unit: "{row}", description: "CSV rows committed by imports, by result (imported, rejected, duplicate).");

    private static readonly KeyValuePair<string, object?> Imported = new("result", "imported");
    private static readonly KeyValuePair<string, object?> Rejected = new("result", "rejected");
    private static readonly KeyValuePair<string, object?> Duplicate = new("result", "duplicate");

    internal static void Track(AttemptWriter writer) => Writers[writer] = 0;

    internal static void Untrack(AttemptWriter writer) => Writers.TryRemove(writer, out _);

    /// <summary>Counts what one commit added to an import's totals.</summary>
    internal static void ImportCommitted(ImportCounts before, ImportCounts after)
    {
        Add(after.Imported - before.Imported, Imported);
        Add(after.Rejected - before.Rejected, Rejected);
        Add(after.Duplicates - before.Duplicates, Duplicate);

        static void Add(long rows, KeyValuePair<string, object?> tag)
        {
            if (rows > 0)
            {
                ImportRows.Add(rows, tag);
            }
        }
    }
}
