using AmiDialer.Data.Repositories;

namespace AmiDialer.Data.Import;

/// <summary>
/// The importer's store side: the import record, and the leads written in batches, each batch one transaction with the
/// record's progress and the counters. SQLite: <see cref="LeadImportWriter"/> (a prepared insert per row through
/// SQLite's own API); PostgreSQL: <see cref="PostgresLeadImportWriter"/> (binary COPY straight into leads, the duplicates
/// dropped by the writer; a staging table and INSERT ... ON CONFLICT DO NOTHING for a batch that races another writer).
/// </summary>
internal interface ILeadImportWriter : IAsyncDisposable
{
    long ImportId { get; }

    /// <param name="rowsSoFar">Rows of the file handled before this batch.</param>
    Task BeginBatchAsync(long rowsSoFar);

    /// <summary>
    /// Adds one lead from its UTF-8 values to the open batch: true when it is new, false when the campaign already has
    /// the number (a duplicate), null when the store knows that only at the batch's commit (then counted there).
    /// </summary>
    bool? Add(ReadOnlySpan<byte> e164, ReadOnlySpan<byte> fieldsJson, ReadOnlySpan<byte> zonesJson, bool blocked, long sourceLine);

    /// <summary>Hands what <see cref="Add"/> buffered to the store (called once per chunk of rows); no-op where Add writes at once.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Commits the open batch with the import record's totals, which <paramref name="totals"/> makes from what the batch
    /// really added (new leads, of which blocked), inside the transaction. Returns what it added.
    /// </summary>
    Task<BatchWritten> CommitBatchAsync(Func<BatchWritten, ImportCounts> totals, string? errorFile, Action? beforeCommit, CancellationToken cancellationToken);

    Task RollbackBatchAsync();

    Task FinishAsync(ImportStatus status, DateTimeOffset now, string? message, CancellationToken cancellationToken);
}

/// <summary>What a committed batch added: new leads, and how many of them are blocked (on the do-not-call list).</summary>
internal readonly record struct BatchWritten(long Imported, long Blocked);

/// <summary>Where an import reads the do-not-call list, opens its writer, and puts its error CSV.</summary>
internal interface ILeadImportStore
{
    /// <summary>The folder of <c>imports/import-&lt;id&gt;-errors.csv</c> (beside the SQLite file; configured on PostgreSQL).</summary>
    string ErrorFolder { get; }

    /// <summary>The numbers blocked for the campaign: its own do-not-call entries and the global ones.</summary>
    Task<HashSet<string>> LoadBlockedSetAsync(long campaignId, CancellationToken cancellationToken);

    /// <summary>Checks the campaign, creates the import record (the import's first write) and readies the batches.</summary>
    Task<ILeadImportWriter> OpenWriterAsync(LeadImportTarget target, CancellationToken cancellationToken);

    /// <summary>Whether a store error is one the import record's final update may fail with (it then keeps status running).</summary>
    bool IsStoreError(Exception e);
}

/// <summary>An import about to start: where, from what, by whom, and when its dialable leads become due.</summary>
internal sealed record LeadImportTarget(long CampaignId, string FileName, string Region, string Actor, DateTimeOffset EligibleAt, int WalSettleRows)
{
    /// <summary>About how many rows the file has (0 when it cannot tell): a writer may size what it keeps per row once.</summary>
    public int ExpectedRows { get; init; }
}
