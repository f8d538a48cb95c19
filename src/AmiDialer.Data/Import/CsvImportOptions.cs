namespace AmiDialer.Data.Import;

/// <summary>How to read one CSV into one campaign.</summary>
public sealed record CsvImportOptions
{
    public required long CampaignId { get; init; }

    /// <summary>ISO 3166 region for numbers written without a country code.</summary>
    public string DefaultRegion { get; init; } = "US";

    /// <summary>The phone column's header; null to find it by name (phone, number, mobile, tel, ...).</summary>
    public string? PhoneColumn { get; init; }

    /// <summary>One of , ; TAB |; null to sniff it from the header line.</summary>
    public char? Delimiter { get; init; }

    /// <summary>Where rejected rows go; null for <c>imports/import-{id}-errors.csv</c> beside the database.</summary>
    public string? ErrorCsvPath { get; init; }

    /// <summary>
    /// Rows per transaction. A crash loses at most the batch being written, never part of one. Large by default: every
    /// commit rewrites the unique index's pages that the batch touched, and random numbers touch nearly all of them
    /// (a million rows: 250,000 per batch took 7.7-8.7 s against 9.2-9.4 s with 100,000, same peak memory).
    /// </summary>
    public int BatchSize { get; init; } = 250_000;

    /// <summary>Who imports, for the audit log and the import record.</summary>
    public string Actor { get; init; } = "system";

    /// <summary>The upload's size when the stream cannot tell (web upload), for the percentage.</summary>
    public long? TotalBytes { get; init; }

    /// <summary>Longest field accepted; beyond it the file is taken as broken (typically an unclosed quote).</summary>
    public int MaxFieldLength { get; init; } = 1_000_000;

    /// <summary>Threads that validate numbers beside the reader and the writer.</summary>
    public int ValidationWorkers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Rows after which a batch first lets the checkpoints catch up, so the WAL starts over: bounds it to about 200 MB.</summary>
    internal int WalSettleRows { get; init; } = 400_000;

    /// <summary>Test hook: runs inside batch n's transaction just before commit (throw to simulate a crash mid-batch).</summary>
    internal Action<int>? BeforeCommit { get; init; }

    /// <summary>Test hook: runs after batch n committed (throw to simulate a crash between batches).</summary>
    internal Action<int>? AfterCommit { get; init; }

    /// <summary>
    /// Test hook: awaited after batch n committed, for a hook that does I/O (it may run on the socket engine's thread,
    /// where blocking on I/O stalls every socket of that thread).
    /// </summary>
    internal Func<int, Task>? AfterCommitAsync { get; init; }
}
