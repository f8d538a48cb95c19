using System.Text;
using AmiDialer.Data.Repositories;
using Npgsql;
using NpgsqlTypes;

namespace AmiDialer.Data.Import;

/// <summary>
/// The importer's side of the leads table on PostgreSQL: each batch streams its rows with binary <c>COPY</c> into a
/// temporary staging table, then one <c>INSERT ... SELECT ... ON CONFLICT (campaign_id, phone) DO NOTHING</c> moves
/// them into <c>leads</c> in file order (so of two rows with one number the first is kept, as on SQLite) and counts
/// what it added; the counters and the import record's progress follow in the same transaction, so a committed batch
/// is complete and a crash loses only the batch in flight. A batch's duplicates are known at its commit.
/// </summary>
internal sealed class PostgresLeadImportWriter : ILeadImportWriter
{
    // Temporary: no WAL, gone with the session; emptied by every commit (and by a rollback).
    private const string StagingSql = """
        CREATE TEMP TABLE IF NOT EXISTS import_rows (
            phone text NOT NULL,
            fields text NOT NULL,
            time_zones text NOT NULL,
            is_blocked boolean NOT NULL,
            source_line bigint NOT NULL
        ) ON COMMIT DELETE ROWS
        """;

    private const string CopySql = "COPY import_rows (phone, fields, time_zones, is_blocked, source_line) FROM STDIN (FORMAT BINARY)";

    // The rows it inserts are the batch's new leads (a RETURNING counted in a CTE cost more than the insert's own
    // conflict handling: every row materialised once more).
    private const string MoveSql = """
        INSERT INTO leads (campaign_id, phone, fields, time_zones, state, next_eligible_at, import_id, source_line)
        SELECT $1, phone, fields, time_zones, CASE WHEN is_blocked THEN 'blocked' ELSE 'pending' END,
            CASE WHEN is_blocked THEN NULL ELSE $2 END, $3, source_line
        FROM import_rows ORDER BY source_line
        ON CONFLICT (campaign_id, phone) DO NOTHING
        """;

    // Of the batch's blocked rows (few: numbers on the do-not-call list), those that became leads of this import: a row
    // of a number the campaign already had left no lead with this import and line.
    private const string BlockedAddedSql = """
        SELECT count(*) FROM leads l JOIN unnest($3::text[], $4::bigint[]) AS b(phone, line) ON l.phone = b.phone
        WHERE l.campaign_id = $1 AND l.import_id = $2 AND l.source_line = b.line
        """;

    private readonly NpgsqlConnection connection;
    private readonly long campaignId;
    private readonly DateTime eligibleAt;
    private readonly CancellationTokenSource heartbeatStop;
    private readonly Task heartbeat;
    private readonly List<(string Phone, string Fields, string Zones, bool Blocked, long Line)> pending = new(1024);
    private readonly List<string> blockedPhones = [];
    private readonly List<long> blockedLines = [];
    private NpgsqlTransaction? transaction;
    private NpgsqlBinaryImporter? copy;

    private PostgresLeadImportWriter(NpgsqlConnection connection, long campaignId, long importId, DateTimeOffset eligibleAt, Task heartbeat, CancellationTokenSource heartbeatStop)
    {
        this.connection = connection;
        this.campaignId = campaignId;
        ImportId = importId;
        this.eligibleAt = eligibleAt.UtcDateTime;
        this.heartbeat = heartbeat;
        this.heartbeatStop = heartbeatStop;
    }

    public long ImportId { get; }

    public static async Task<PostgresLeadImportWriter> OpenAsync(NpgsqlDataSource dataSource, LeadImportTarget target, TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var stop = new CancellationTokenSource();
        try
        {
            await using (var exists = new NpgsqlCommand("SELECT 1 FROM campaigns WHERE id = $1", connection))
            {
                exists.Parameters.Add(new NpgsqlParameter<long> { TypedValue = target.CampaignId });
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    throw new CsvImportTargetMissingException($"Campaign {target.CampaignId} does not exist.");
                }
            }

            long importId;
            await using (var create = new NpgsqlCommand("""
                INSERT INTO imports (campaign_id, file_name, region, status, started_at, actor, process, heartbeat_at)
                VALUES ($1, $2, $3, 'running', $4, $5, $6, $4) RETURNING id
                """, connection))
            {
                create.Parameters.Add(new NpgsqlParameter<long> { TypedValue = target.CampaignId });
                create.Parameters.Add(new NpgsqlParameter<string> { TypedValue = target.FileName });
                create.Parameters.Add(new NpgsqlParameter<string> { TypedValue = target.Region });
                create.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = target.EligibleAt.UtcDateTime });
                create.Parameters.Add(new NpgsqlParameter<string> { TypedValue = target.Actor });
                create.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ProcessIdentity.Current });
                importId = (long)(await create.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            try
            {
                // The staging table in memory: a batch's rows (about 50 MB at 250,000) written to temporary files and
                // read back otherwise. Only possible before the session's first temporary table: a pooled session that
                // had one keeps its setting.
                await using var buffers = new NpgsqlCommand("SET temp_buffers = '128MB'", connection);
                await buffers.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException)
            {
            }

            await using (var staging = new NpgsqlCommand(StagingSql, connection))
            {
                await staging.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new PostgresLeadImportWriter(connection, target.CampaignId, importId, target.EligibleAt, KeepAliveAsync(dataSource, importId, time, stop.Token), stop);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            stop.Dispose();
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task BeginBatchAsync(long rowsSoFar)
    {
        transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        // Share-locked to the commit: the campaign found now cannot be deleted before the batch is in.
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM campaigns WHERE id = $1 FOR SHARE", connection, transaction))
        {
            exists.Parameters.Add(new NpgsqlParameter<long> { TypedValue = campaignId });
            if (await exists.ExecuteScalarAsync().ConfigureAwait(false) is null)
            {
                throw new CsvImportTargetMissingException($"Campaign {campaignId} was deleted during the import.");
            }
        }

        // The insert sorts the batch by line: in memory rather than in temporary files (250,000 rows take about 70 MB).
        await using (var memory = new NpgsqlCommand("SET LOCAL work_mem = '128MB'", connection, transaction))
        {
            await memory.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        blockedPhones.Clear();
        blockedLines.Clear();
        copy = await connection.BeginBinaryImportAsync(CopySql).ConfigureAwait(false);
    }

    public bool? Add(ReadOnlySpan<byte> e164, ReadOnlySpan<byte> fieldsJson, ReadOnlySpan<byte> zonesJson, bool blocked, long sourceLine)
    {
        if (copy is null)
        {
            throw new InvalidOperationException("No batch open.");
        }

        var phone = Encoding.UTF8.GetString(e164);
        pending.Add((phone, Encoding.UTF8.GetString(fieldsJson), Encoding.UTF8.GetString(zonesJson), blocked, sourceLine));
        if (blocked)
        {
            blockedPhones.Add(phone);
            blockedLines.Add(sourceLine);
        }

        return null;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            // Nothing added since the last flush (a chunk that ended with its batch's commit).
            return;
        }

        var importer = copy ?? throw new InvalidOperationException("No batch open.");
        foreach (var (phone, fields, zoneList, blocked, line) in pending)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(phone, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(fields, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(zoneList, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(blocked, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(line, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        }

        pending.Clear();
    }

    public async Task<BatchWritten> CommitBatchAsync(Func<BatchWritten, ImportCounts> totals, string? errorFile, Action? beforeCommit, CancellationToken cancellationToken)
    {
        var tx = transaction ?? throw new InvalidOperationException("No batch open.");
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var importer = copy!;
        copy = null;
        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await importer.DisposeAsync().ConfigureAwait(false);

        BatchWritten written;
        await using (var move = new NpgsqlBatch(connection, tx))
        {
            move.BatchCommands.Add(PostgresAttemptWriter.Command(MoveSql,
                PostgresAttemptWriter.Param(campaignId), PostgresAttemptWriter.Param(eligibleAt), PostgresAttemptWriter.Param(ImportId)));
            move.BatchCommands.Add(PostgresAttemptWriter.Command(BlockedAddedSql,
                PostgresAttemptWriter.Param(campaignId), PostgresAttemptWriter.Param(ImportId),
                PostgresAttemptWriter.Param(blockedPhones.ToArray()), PostgresAttemptWriter.Param(blockedLines.ToArray())));
            var blocked = 0L;
            await using var reader = await move.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            do
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    blocked = reader.GetInt64(0);
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));

            await reader.CloseAsync().ConfigureAwait(false);
            written = new BatchWritten(move.BatchCommands[0].RecordsAffected, blocked);
        }

        var counts = totals(written);
        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            PostgresCounterSink.AddCounters(batch,
            [
                (campaignId, CampaignCounters.State(Core.Model.LeadState.Pending), written.Imported - written.Blocked),
                (campaignId, CampaignCounters.State(Core.Model.LeadState.Blocked), written.Blocked),
            ]);
            batch.BatchCommands.Add(PostgresAttemptWriter.Command("""
                UPDATE imports SET rows_read = $2, rows_imported = $3, rows_rejected = $4, rows_duplicate = $5,
                    rows_blocked = $6, last_committed_line = $7, error_file = $8
                WHERE id = $1
                """,
                PostgresAttemptWriter.Param(ImportId), PostgresAttemptWriter.Param(counts.RowsRead), PostgresAttemptWriter.Param(counts.Imported),
                PostgresAttemptWriter.Param(counts.Rejected), PostgresAttemptWriter.Param(counts.Duplicates), PostgresAttemptWriter.Param(counts.Blocked),
                PostgresAttemptWriter.Param(counts.LastCommittedLine), new NpgsqlParameter { Value = (object?)errorFile ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text }));
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        beforeCommit?.Invoke();
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await tx.DisposeAsync().ConfigureAwait(false);
        transaction = null;
        return written;
    }

    public async Task RollbackBatchAsync()
    {
        pending.Clear();
        if (copy is { } importer)
        {
            copy = null;
            // Disposed without Complete: the COPY is cancelled.
            try
            {
                await importer.DisposeAsync().ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // The connection is broken: the rollback below says so, or the server rolled back already.
            }
        }

        if (transaction is { } tx)
        {
            transaction = null;
            try
            {
                await tx.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // A broken connection has nothing to roll back: the server did when it lost it.
            }

            await tx.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task FinishAsync(ImportStatus status, DateTimeOffset now, string? message, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UPDATE imports SET status = $2, finished_at = $3, message = $4 WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ImportId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ImportRepository.StatusName(status) });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)message ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await heartbeatStop.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
        heartbeatStop.Dispose();
        await RollbackBatchAsync().ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Renews the import's heartbeat on a connection of its own, as on SQLite (<see cref="ImportRepository.HeartbeatInterval"/>).</summary>
    private static async Task KeepAliveAsync(NpgsqlDataSource dataSource, long importId, TimeProvider time, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ImportRepository.HeartbeatInterval, time, cancellationToken).ConfigureAwait(false);
                await using var command = dataSource.CreateCommand("UPDATE imports SET heartbeat_at = $2 WHERE id = $1 AND status = 'running'");
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = importId });
                command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = time.GetUtcNow().UtcDateTime });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException)
            {
                // The server away for a moment: the next beat tries again, well within the heartbeat timeout.
            }
        }
    }
}
