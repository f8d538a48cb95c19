using System.Text;
using AmiDialer.Data.Repositories;
using Npgsql;
using NpgsqlTypes;

namespace AmiDialer.Data.Import;

/// <summary>
/// The importer's side of the leads table on PostgreSQL. Each batch is one transaction: the campaign row share-locked,
/// the batch's rows streamed with binary <c>COPY</c> straight into <c>leads</c> as they arrive, then the counters and the
/// import record's progress, so a committed batch is complete and a crash loses only the batch in flight.
/// <para>
/// COPY cannot skip a number the campaign has, so the writer drops those rows itself: it loads the campaign's numbers
/// when it opens and adds each row's as it goes (<see cref="ImportPhoneSet"/>), so of two rows with one number the first
/// is kept, as on SQLite, and a number the campaign had is a duplicate. Someone else may add one of the batch's numbers
/// meanwhile (another import, a click-to-call): the unique index refuses the COPY, and the batch is sent again, from the
/// rows it kept, the slow way: into a temporary staging table and one <c>INSERT ... SELECT ... ON CONFLICT DO
/// NOTHING</c> in file order.
/// </para>
/// <para>
/// The foreign key to <c>campaigns</c> is checked by PostgreSQL row by row (a third of the server's work in a COPY into
/// <c>leads</c>), and here proves nothing the batch does not hold already: every row carries the campaign the batch
/// share-locked, which cannot be deleted before the commit. So where the role may set <c>session_replication_role</c>
/// (a superuser, or one granted <c>SET ON PARAMETER session_replication_role</c>) and <c>leads</c> has no trigger of
/// its own that the setting would silence, each batch sets it to <c>replica</c> for its transaction, which skips that
/// check and nothing else on this table. Otherwise the check runs.
/// </para>
/// </summary>
internal sealed class PostgresLeadImportWriter : ILeadImportWriter
{
    private const string CopySql = $"COPY leads ({PostgresCopyRows.Columns}) FROM STDIN (FORMAT BINARY)";

    // The slow way (the batch hit a number added since the import began). Temporary: no WAL, gone with the session,
    // emptied by every commit and rollback.
    private const string StagingSql = """
        CREATE TEMP TABLE IF NOT EXISTS import_rows (
            campaign_id bigint NOT NULL,
            phone text NOT NULL,
            fields text NOT NULL,
            time_zones text NOT NULL,
            state text NOT NULL,
            next_eligible_at timestamptz NULL,
            import_id bigint NOT NULL,
            source_line bigint NOT NULL
        ) ON COMMIT DELETE ROWS
        """;

    private const string StagingCopySql = $"COPY import_rows ({PostgresCopyRows.Columns}) FROM STDIN (FORMAT BINARY)";

    private const string MoveSql = $"""
        INSERT INTO leads ({PostgresCopyRows.Columns})
        SELECT {PostgresCopyRows.Columns} FROM import_rows ORDER BY source_line
        ON CONFLICT (campaign_id, phone) DO NOTHING
        """;

    // Of the batch's blocked rows (few: numbers on the do-not-call list), those that became leads of this import: a row
    // of a number someone else added first left no lead with this import and line.
    private const string BlockedAddedSql = """
        SELECT count(*) FROM leads l JOIN unnest($3::text[], $4::bigint[]) AS b(phone, line) ON l.phone = b.phone
        WHERE l.campaign_id = $1 AND l.import_id = $2 AND l.source_line = b.line
        """;

    private readonly NpgsqlConnection connection;
    private readonly long campaignId;
    private ImportPhoneSet phones;
    // After a rollback the set holds numbers of rows that are not in: read again from the store before another batch.
    private bool phonesStale;
    private readonly int expectedRows;
    private readonly bool skipForeignKeyCheck;
    private readonly CancellationTokenSource heartbeatStop;
    private readonly Task heartbeat;
    private readonly PostgresCopyRows rows;
    private readonly List<string> blockedPhones = [];
    private readonly List<long> blockedLines = [];
    private NpgsqlTransaction? transaction;
    private NpgsqlRawCopyStream? copy;

    private PostgresLeadImportWriter(NpgsqlConnection connection, long campaignId, long importId, DateTimeOffset eligibleAt, ImportPhoneSet phones, int expectedRows, bool skipForeignKeyCheck, Task heartbeat, CancellationTokenSource heartbeatStop)
    {
        this.expectedRows = expectedRows;
        this.connection = connection;
        this.campaignId = campaignId;
        ImportId = importId;
        this.phones = phones;
        this.skipForeignKeyCheck = skipForeignKeyCheck;
        rows = new PostgresCopyRows(campaignId, importId, eligibleAt.UtcDateTime);
        this.heartbeat = heartbeat;
        this.heartbeatStop = heartbeatStop;
    }

    public long ImportId { get; }

    /// <summary>Whether the batches skip the row-by-row foreign-key check (see the class's remarks).</summary>
    internal bool SkipsForeignKeyCheck => skipForeignKeyCheck;

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

            var phones = await CampaignPhonesAsync(connection, target.CampaignId, target.ExpectedRows, cancellationToken).ConfigureAwait(false);
            var skipForeignKeyCheck = await MaySkipForeignKeyCheckAsync(connection, cancellationToken).ConfigureAwait(false);

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
                // Should a batch go the slow way, its staging table in memory (a batch's rows, about 50 MB at 250,000)
                // rather than in temporary files. Only possible before the session's first temporary table: a pooled
                // session that had one keeps its setting.
                await using var buffers = new NpgsqlCommand("SET temp_buffers = '128MB'", connection);
                await buffers.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException)
            {
            }

            return new PostgresLeadImportWriter(connection, target.CampaignId, importId, target.EligibleAt, phones, target.ExpectedRows, skipForeignKeyCheck,
                KeepAliveAsync(dataSource, importId, time, stop.Token), stop);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            stop.Dispose();
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The campaign's numbers now (none for a new campaign): a row with one of them is a duplicate. With room for the
    /// file's rows: growing a set of a million numbers as they come rehashed it about twenty times.
    /// </summary>
    private static async Task<ImportPhoneSet> CampaignPhonesAsync(NpgsqlConnection connection, long campaignId, int expectedRows, CancellationToken cancellationToken)
    {
        var phones = new ImportPhoneSet();
        await using var command = new NpgsqlCommand("SELECT phone FROM leads WHERE campaign_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = campaignId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            phones.Add(reader.GetString(0));
        }

        phones.Reserve(expectedRows);
        return phones;
    }

    /// <summary>Whether this role may set <c>session_replication_role</c> and <c>leads</c> has no trigger of its own (the class's remarks).</summary>
    private static async Task<bool> MaySkipForeignKeyCheckAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = new NpgsqlCommand("SET session_replication_role = replica; RESET session_replication_role", connection);
            await probe.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return false;
        }

        await using var triggers = new NpgsqlCommand("SELECT NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'leads'::regclass AND NOT tgisinternal)", connection);
        return (bool)(await triggers.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task BeginBatchAsync(long rowsSoFar)
    {
        if (phonesStale)
        {
            phones = await CampaignPhonesAsync(connection, campaignId, expectedRows, CancellationToken.None).ConfigureAwait(false);
            phonesStale = false;
        }

        await BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
        rows.Clear();
        blockedPhones.Clear();
        blockedLines.Clear();
        copy = await connection.BeginRawBinaryCopyAsync(CopySql).ConfigureAwait(false);
        await PostgresCopyRows.WriteHeaderAsync(copy, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Opens the batch's transaction with the campaign share-locked to its commit (it cannot be deleted before the batch is in).</summary>
    private async Task BeginTransactionAsync(CancellationToken cancellationToken)
    {
        var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        transaction = tx;
        await using var batch = new NpgsqlBatch(connection, tx);
        batch.BatchCommands.Add(PostgresAttemptWriter.Command("SELECT 1 FROM campaigns WHERE id = $1 FOR SHARE", PostgresAttemptWriter.Param(campaignId)));
        if (skipForeignKeyCheck)
        {
            batch.BatchCommands.Add(PostgresAttemptWriter.Command("SET LOCAL session_replication_role = replica"));
        }

        if (await batch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            throw new CsvImportTargetMissingException($"Campaign {campaignId} was deleted during the import.");
        }
    }

    public bool? Add(ReadOnlySpan<byte> e164, ReadOnlySpan<byte> fieldsJson, ReadOnlySpan<byte> zonesJson, bool blocked, long sourceLine)
    {
        if (copy is null)
        {
            throw new InvalidOperationException("No batch open.");
        }

        if (!phones.Add(e164))
        {
            return false;
        }

        rows.Add(e164, fieldsJson, zonesJson, blocked, sourceLine);
        if (blocked)
        {
            blockedPhones.Add(Encoding.UTF8.GetString(e164));
            blockedLines.Add(sourceLine);
        }

        // New unless someone else adds the number before the commit: known there.
        return null;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (copy is { } stream)
        {
            // Else the chunk ended with its batch's commit: nothing is left to send.
            await rows.SendNewAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<BatchWritten> CommitBatchAsync(Func<BatchWritten, ImportCounts> totals, string? errorFile, Action? beforeCommit, CancellationToken cancellationToken)
    {
        var stream = copy ?? throw new InvalidOperationException("No batch open.");
        await rows.SendNewAsync(stream, cancellationToken).ConfigureAwait(false);
        await PostgresCopyRows.WriteTrailerAsync(stream, cancellationToken).ConfigureAwait(false);
        copy = null;
        BatchWritten written;
        try
        {
            // Ends the COPY: every row is in, or the server's error is thrown here.
            await stream.DisposeAsync().ConfigureAwait(false);
            written = new BatchWritten(rows.Count, blockedPhones.Count);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await RollbackTransactionAsync().ConfigureAwait(false);
            await BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            written = await InsertThroughStagingAsync(cancellationToken).ConfigureAwait(false);
        }

        var tx = transaction!;
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
        rows.Clear();
        return written;
    }

    /// <summary>
    /// The slow way for a batch the unique index refused: its rows into the staging table, then moved in file order with
    /// ON CONFLICT DO NOTHING; what it added is the insert's row count, of which blocked counted by line.
    /// </summary>
    private async Task<BatchWritten> InsertThroughStagingAsync(CancellationToken cancellationToken)
    {
        var tx = transaction!;
        await using (var prepare = new NpgsqlBatch(connection, tx))
        {
            prepare.BatchCommands.Add(PostgresAttemptWriter.Command(StagingSql));
            // The insert sorts the batch by line: in memory rather than in temporary files (250,000 rows take about 70 MB).
            prepare.BatchCommands.Add(PostgresAttemptWriter.Command("SET LOCAL work_mem = '128MB'"));
            await prepare.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var staging = await connection.BeginRawBinaryCopyAsync(StagingCopySql, cancellationToken).ConfigureAwait(false))
        {
            await PostgresCopyRows.WriteHeaderAsync(staging, cancellationToken).ConfigureAwait(false);
            await rows.SendAllAsync(staging, cancellationToken).ConfigureAwait(false);
            await PostgresCopyRows.WriteTrailerAsync(staging, cancellationToken).ConfigureAwait(false);
        }

        await using var move = new NpgsqlBatch(connection, tx);
        move.BatchCommands.Add(PostgresAttemptWriter.Command(MoveSql));
        move.BatchCommands.Add(PostgresAttemptWriter.Command(BlockedAddedSql,
            PostgresAttemptWriter.Param(campaignId), PostgresAttemptWriter.Param(ImportId),
            PostgresAttemptWriter.Param(blockedPhones.ToArray()), PostgresAttemptWriter.Param(blockedLines.ToArray())));
        var blocked = 0L;
        await using (var reader = await move.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            do
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    blocked = reader.GetInt64(0);
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }

        return new BatchWritten(move.BatchCommands[0].RecordsAffected, blocked);
    }

    public async Task RollbackBatchAsync()
    {
        phonesStale |= rows.Count > 0;
        rows.Clear();
        if (copy is { } stream)
        {
            copy = null;
            try
            {
                await stream.CancelAsync().ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // The connection is broken: the rollback below says so, or the server rolled back already.
            }

            await stream.DisposeAsync().ConfigureAwait(false);
        }

        await RollbackTransactionAsync().ConfigureAwait(false);
    }

    private async Task RollbackTransactionAsync()
    {
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
        rows.Dispose();
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
