using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// The importer's side of the leads table: one prepared insert reused for every row, one transaction per batch that
/// also moves the counters and the import record, so a committed batch is complete and a crash loses only the
/// batch in flight. Duplicates (in the file or already in the campaign) are left to the unique key.
/// The insert is driven through SQLite's own API (on the same connection and transaction): ADO.NET's per-execution
/// cost (binding parameters by name) was three times SQLite's own work per row, and this is the one hot loop.
/// </summary>
internal sealed class LeadImportWriter : IAsyncDisposable
{
    private const string InsertSql = """
        INSERT INTO leads (campaign_id, phone, fields, time_zones, state, next_eligible_at, import_id, source_line)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        ON CONFLICT (campaign_id, phone) DO NOTHING
        """;

    private readonly SqliteConnection connection;
    private readonly sqlite3_stmt insert;
    private readonly long campaignId;
    private readonly long importId;
    private SqliteTransaction? transaction;
    private int pendingAdded;
    private int blockedAdded;

    private LeadImportWriter(SqliteConnection connection, long campaignId, long importId)
    {
        this.connection = connection;
        this.campaignId = campaignId;
        this.importId = importId;
        Check(raw.sqlite3_prepare_v2(connection.Handle, InsertSql, out insert));
    }

    /// <summary>Creates the import record (the first write of an import) and readies the insert.</summary>
    public static async Task<LeadImportWriter> OpenAsync(AmiDialerDatabase database, long campaignId, string fileName, string region, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT id FROM campaigns WHERE id = @campaignId", new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (exists is null)
            {
                throw new CsvImportTargetMissingException($"Campaign {campaignId} does not exist.");
            }

            // A bigger page cache for the bulk insert: the unique and due indexes take random inserts.
            // Fewer checkpoints: hot index pages are copied from the WAL once per 40 MB of import, not once per 4 MB.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 10000;", cancellationToken: cancellationToken)).ConfigureAwait(false);
            var importId = await ImportRepository.CreateAsync(connection, campaignId, fileName, region, actor, now, cancellationToken).ConfigureAwait(false);
            return new LeadImportWriter(connection, campaignId, importId);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public long ImportId => importId;

    public void BeginBatch()
    {
        transaction = connection.BeginTransaction();
        pendingAdded = 0;
        blockedAdded = 0;
    }

    /// <summary>Inserts one lead; false when the campaign already has the number (a duplicate).</summary>
    public bool Insert(string e164, string fieldsJson, string zonesJson, bool blocked, DateTimeOffset eligibleAt, long sourceLine)
    {
        if (transaction is null)
        {
            throw new InvalidOperationException("No batch open.");
        }

        var inserted = InsertRow(e164, fieldsJson, zonesJson, blocked ? null : DapperTypeHandlers.ToDb(eligibleAt), blocked, sourceLine);
        if (inserted && blocked)
        {
            blockedAdded++;
        }
        else if (inserted)
        {
            pendingAdded++;
        }

        return inserted;
    }

    /// <summary>Inserts dialable leads; returns how many were new (the others were duplicates).</summary>
    public int InsertPending(IReadOnlyList<(string E164, string FieldsJson, string ZonesJson, long Line)> rows, DateTimeOffset eligibleAt)
    {
        if (transaction is null)
        {
            throw new InvalidOperationException("No batch open.");
        }

        var next = DapperTypeHandlers.ToDb(eligibleAt);
        var inserted = 0;
        foreach (var row in rows)
        {
            if (InsertRow(row.E164, row.FieldsJson, row.ZonesJson, next, blocked: false, row.Line))
            {
                inserted++;
            }
        }

        pendingAdded += inserted;
        return inserted;
    }

    private bool InsertRow(string e164, string fieldsJson, string zonesJson, string? next, bool blocked, long sourceLine)
    {
        Check(raw.sqlite3_bind_int64(insert, 1, campaignId));
        Check(raw.sqlite3_bind_text(insert, 2, e164));
        Check(raw.sqlite3_bind_text(insert, 3, fieldsJson));
        Check(raw.sqlite3_bind_text(insert, 4, zonesJson));
        Check(raw.sqlite3_bind_text(insert, 5, blocked ? "blocked" : "pending"));
        Check(next is null ? raw.sqlite3_bind_null(insert, 6) : raw.sqlite3_bind_text(insert, 6, next));
        Check(raw.sqlite3_bind_int64(insert, 7, importId));
        Check(raw.sqlite3_bind_int64(insert, 8, sourceLine));
        var rc = raw.sqlite3_step(insert);
        raw.sqlite3_reset(insert);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }

        return raw.sqlite3_changes(connection.Handle) == 1;
    }

    public async Task CommitBatchAsync(ImportCounts counts, string? errorFile, Action? beforeCommit, CancellationToken cancellationToken)
    {
        var tx = transaction ?? throw new InvalidOperationException("No batch open.");
        await CampaignCounters.AddAsync(connection, tx, campaignId, CampaignCounters.State(LeadState.Pending), pendingAdded, cancellationToken).ConfigureAwait(false);
        await CampaignCounters.AddAsync(connection, tx, campaignId, CampaignCounters.State(LeadState.Blocked), blockedAdded, cancellationToken).ConfigureAwait(false);
        await ImportRepository.SaveProgressAsync(connection, tx, importId, counts, errorFile, cancellationToken).ConfigureAwait(false);
        beforeCommit?.Invoke();
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await tx.DisposeAsync().ConfigureAwait(false);
        transaction = null;
    }

    public async Task RollbackBatchAsync()
    {
        if (transaction is { } tx)
        {
            transaction = null;
            await tx.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            await tx.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task FinishAsync(ImportStatus status, DateTimeOffset now, string? message, CancellationToken cancellationToken) =>
        ImportRepository.FinishAsync(connection, importId, status, now, message, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await RollbackBatchAsync().ConfigureAwait(false);
        insert.Dispose();
        try
        {
            connection.Execute("PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 1000;");
        }
        catch (SqliteException)
        {
            // The connection is going back to the pool; a failed reset only costs memory.
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite error {rc} inserting leads: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}", rc);
        }
    }
}

/// <summary>The campaign to import into does not exist.</summary>
public sealed class CsvImportTargetMissingException(string message) : Exception(message);
