using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Import;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// The importer's side of the leads table: prepared inserts reused for every row, one transaction per batch that
/// also moves the counters and the import record, so a committed batch is complete and a crash loses only the
/// batch in flight. Duplicates (in the file or already in the campaign) are left to the unique key.
/// The insert is driven through SQLite's own API (on the same connection and transaction): ADO.NET's per-execution
/// cost (binding parameters by name) was three times SQLite's own work per row, and this is the one hot loop.
/// Values arrive as UTF-8 made by the validation threads, and what is the same for every row (campaign, import,
/// state, eligibility) is bound once per statement, so a row costs four binds and a step.
/// </summary>
internal sealed class LeadImportWriter : ILeadImportWriter
{
    private const string InsertSql = """
        INSERT INTO leads (campaign_id, phone, fields, time_zones, state, next_eligible_at, import_id, source_line)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        ON CONFLICT (campaign_id, phone) DO NOTHING
        """;

    private readonly SqliteConnection connection;
    private readonly WalCheckpointer checkpointer;
    private readonly sqlite3_stmt insertPending;
    private readonly sqlite3_stmt insertBlocked;
    private readonly long campaignId;
    private readonly long importId;
    private readonly CancellationTokenSource heartbeatStop;
    private readonly Task heartbeat;
    private SqliteTransaction? transaction;
    private int pendingAdded;
    private int blockedAdded;

    private LeadImportWriter(SqliteConnection connection, WalCheckpointer checkpointer, long campaignId, long importId, DateTimeOffset eligibleAt, Task heartbeat, CancellationTokenSource heartbeatStop)
    {
        this.heartbeat = heartbeat;
        this.heartbeatStop = heartbeatStop;
        this.connection = connection;
        this.checkpointer = checkpointer;
        this.campaignId = campaignId;
        this.importId = importId;
        insertPending = Prepare(DbNames.Of(LeadState.Pending), DapperTypeHandlers.ToDb(eligibleAt));
        insertBlocked = Prepare(DbNames.Of(LeadState.Blocked), null);
    }

    /// <summary>Creates the import record (the first write of an import) and readies the inserts.</summary>
    /// <param name="eligibleAt">When the imported dialable leads become due (blocked ones never are).</param>
    /// <param name="walSettleRows">Rows after which a batch first lets the checkpoints catch up, so the WAL starts over.</param>
    /// <param name="time">The clock of the import record's heartbeat.</param>
    public static async Task<LeadImportWriter> OpenAsync(AmiDialerDatabase database, long campaignId, string fileName, string region, string actor, DateTimeOffset eligibleAt, int walSettleRows, TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = await database.OpenSqliteConnectionAsync(cancellationToken).ConfigureAwait(false);
        var stop = new CancellationTokenSource();
        try
        {
            var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT id FROM campaigns WHERE id = @campaignId", new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (exists is null)
            {
                throw new CsvImportTargetMissingException($"Campaign {campaignId} does not exist.");
            }

            // A bigger page cache for the bulk insert: the unique index takes random inserts all over its pages.
            // No automatic checkpoint on this connection: a checkpointer of its own copies the WAL beside the inserts.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0;", cancellationToken: cancellationToken)).ConfigureAwait(false);
            var importId = await ImportRepository.CreateAsync(connection, campaignId, fileName, region, actor, eligibleAt, cancellationToken).ConfigureAwait(false);

            // Every lead of the import references the one campaign, and each batch checks it inside its own write
            // transaction (see BeginBatchAsync): the per-row foreign-key lookup (a tenth of SQLite's insert work) adds nothing.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA foreign_keys = OFF;", cancellationToken: cancellationToken)).ConfigureAwait(false);
            var checkpointer = await WalCheckpointer.OpenAsync(database, walSettleRows, cancellationToken).ConfigureAwait(false);
            return new LeadImportWriter(connection, checkpointer, campaignId, importId, eligibleAt, ImportRepository.KeepAliveAsync(database, importId, time, stop.Token), stop);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            stop.Dispose();
            // Pooled handles keep their settings, and this one may have the import's: close it rather than pool it.
            SqliteConnection.ClearPool(connection);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public long ImportId => importId;

    /// <summary>Rows inserted in the open batch so far (both states).</summary>
    public int AddedInBatch => pendingAdded + blockedAdded;

    /// <param name="rowsSoFar">Rows of the file handled before this batch (the WAL is bounded by rows).</param>
    public async Task BeginBatchAsync(long rowsSoFar)
    {
        await checkpointer.SettleAsync(rowsSoFar).ConfigureAwait(false);

        // IMMEDIATE (the default): the write lock is held from here, so a campaign found now is still there at commit.
        transaction = connection.BeginTransaction();
        if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM campaigns WHERE id = @campaignId", new { campaignId }, transaction)).ConfigureAwait(false) is null)
        {
            throw new CsvImportTargetMissingException($"Campaign {campaignId} was deleted during the import.");
        }

        pendingAdded = 0;
        blockedAdded = 0;
    }

    /// <summary>Inserts one lead from its UTF-8 values; false when the campaign already has the number (a duplicate).</summary>
    public bool? Add(ReadOnlySpan<byte> e164, ReadOnlySpan<byte> fieldsJson, ReadOnlySpan<byte> zonesJson, bool blocked, long sourceLine) =>
        Insert(e164, fieldsJson, zonesJson, blocked, sourceLine);

    /// <summary>Every row is inserted as it is added: nothing waits.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Inserts one lead from its UTF-8 values; false when the campaign already has the number (a duplicate).</summary>
    public bool Insert(ReadOnlySpan<byte> e164, ReadOnlySpan<byte> fieldsJson, ReadOnlySpan<byte> zonesJson, bool blocked, long sourceLine)
    {
        if (transaction is null)
        {
            throw new InvalidOperationException("No batch open.");
        }

        var insert = blocked ? insertBlocked : insertPending;
        Check(raw.sqlite3_bind_text(insert, 2, e164));
        Check(raw.sqlite3_bind_text(insert, 3, fieldsJson));
        Check(raw.sqlite3_bind_text(insert, 4, zonesJson));
        Check(raw.sqlite3_bind_int64(insert, 8, sourceLine));
        var rc = raw.sqlite3_step(insert);
        raw.sqlite3_reset(insert);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }

        if (raw.sqlite3_changes(connection.Handle) != 1)
        {
            return false;
        }

        if (blocked)
        {
            blockedAdded++;
        }
        else
        {
            pendingAdded++;
        }

        return true;
    }

    public async Task<BatchWritten> CommitBatchAsync(Func<BatchWritten, ImportCounts> totals, string? errorFile, Action? beforeCommit, CancellationToken cancellationToken)
    {
        var tx = transaction ?? throw new InvalidOperationException("No batch open.");
        var written = new BatchWritten(pendingAdded + blockedAdded, blockedAdded);
        var counts = totals(written);
        await CampaignCounters.AddAsync(connection, tx, campaignId, CampaignCounters.State(LeadState.Pending), pendingAdded, cancellationToken).ConfigureAwait(false);
        await CampaignCounters.AddAsync(connection, tx, campaignId, CampaignCounters.State(LeadState.Blocked), blockedAdded, cancellationToken).ConfigureAwait(false);
        await ImportRepository.SaveProgressAsync(connection, tx, importId, counts, errorFile, cancellationToken).ConfigureAwait(false);
        beforeCommit?.Invoke();
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await tx.DisposeAsync().ConfigureAwait(false);
        transaction = null;
        checkpointer.Request();
        return written;
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
        await heartbeatStop.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
        heartbeatStop.Dispose();
        await RollbackBatchAsync().ConfigureAwait(false);
        insertPending.Dispose();
        insertBlocked.Dispose();
        await checkpointer.DisposeAsync().ConfigureAwait(false);
        try
        {
            connection.Execute("PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 1000; PRAGMA foreign_keys = ON;");
        }
        catch (SqliteException)
        {
            // Pooled handles keep their settings, and this one has foreign keys off: close it rather than pool it.
            SqliteConnection.ClearPool(connection);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private sqlite3_stmt Prepare(string state, string? eligibleAt)
    {
        Check(raw.sqlite3_prepare_v2(connection.Handle, InsertSql, out var statement));
        Check(raw.sqlite3_bind_int64(statement, 1, campaignId));
        Check(raw.sqlite3_bind_text(statement, 5, state));
        Check(eligibleAt is null ? raw.sqlite3_bind_null(statement, 6) : raw.sqlite3_bind_text(statement, 6, eligibleAt));
        Check(raw.sqlite3_bind_int64(statement, 7, importId));
        return statement;
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
