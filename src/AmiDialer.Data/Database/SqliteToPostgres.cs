using System.Data.Common;
using System.Globalization;
using AmiDialer.Data.Repositories;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace AmiDialer.Data.Database;

/// <summary>
/// <c>amidialer db migrate --to</c>: copies a SQLite database into an empty PostgreSQL database migrated by
/// <see cref="PostgresSchema"/>, table by table with binary COPY, in one transaction (a failure leaves the target as
/// empty as it was), then moves every identity sequence past the copied ids and checks each table's count. The source
/// is opened read-only and read in one snapshot; leases are not copied (they belong to processes of the source), and
/// the copy is refused while any of them is live. Quartz's tables are not copied either: serve sets its triggers again
/// from the campaigns at its first start.
/// </summary>
public static class SqliteToPostgres
{
    /// <summary>Another lock than the schema's: one copy at a time into a database, checked empty under it.</summary>
    private const long CopyLock = 0x416D694469616D;

    /// <summary>Tables of the schema that are not data: who runs now, and the schema's own version.</summary>
    private static readonly HashSet<string> NotCopied = new(StringComparer.Ordinal) { "leases", "schema_version" };

    /// <summary>
    /// Copies <paramref name="sqlitePath"/> into <paramref name="connectionString"/> (an Npgsql connection string).
    /// A lease whose holder runs on this host refuses at once; one held on another host is watched for
    /// <paramref name="leaseDuration"/> and refuses if its heartbeat moves (the same rule the dialers follow).
    /// </summary>
    public static async Task<SqliteToPostgresResult> CopyAsync(
        string sqlitePath,
        string connectionString,
        TimeSpan leaseDuration,
        TimeProvider? time = null,
        IProgress<CopiedTable>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sqlitePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        time ??= TimeProvider.System;
        var source = Path.GetFullPath(sqlitePath);
        if (!File.Exists(source))
        {
            throw new MigrationRefusedException($"There is no database at {source}.", "Point --db (or Database:Path) at the SQLite file to copy.");
        }

        await using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = source,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = (int)AmiDialerDatabase.BusyTimeout.TotalSeconds,
        }.ToString());
        await sqlite.OpenAsync(cancellationToken).ConfigureAwait(false);
        var version = Convert.ToInt32(await ScalarAsync(sqlite, null, "PRAGMA user_version", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (version != AmiDialerDatabase.LatestVersion)
        {
            throw version < AmiDialerDatabase.LatestVersion
                ? new MigrationRefusedException(
                    $"{source} has schema version {version}; this build copies version {AmiDialerDatabase.LatestVersion}.",
                    "Open it once with this build first (for example: amidialer campaign list --db <file>), which upgrades it, then copy it.")
                : new MigrationRefusedException(
                    $"{source} has schema version {version}, newer than this build knows ({AmiDialerDatabase.LatestVersion}).",
                    "Upgrade AmiDialer, then copy it.");
        }

        var gone = await CheckLeasesAsync(sqlite, source, leaseDuration, time, cancellationToken).ConfigureAwait(false);

        await PostgresSchema.MigrateAsync(connectionString, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var pg = new NpgsqlConnection(connectionString);
        await pg.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var target = await pg.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({CopyLock})", pg, target))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var tables = await TargetTablesAsync(pg, target, cancellationToken).ConfigureAwait(false);
        var notEmpty = new List<string>();
        foreach (var table in tables.Keys.Where(t => t != "schema_version").Order(StringComparer.Ordinal))
        {
            if ((bool)(await ScalarAsync(pg, target, $"SELECT EXISTS (SELECT 1 FROM {Quote(table)})", cancellationToken).ConfigureAwait(false))!)
            {
                notEmpty.Add(table);
            }
        }

        var where = Describe(connectionString);
        if (notEmpty.Count > 0)
        {
            throw new MigrationRefusedException(
                $"The target database {where} is not empty: it has rows in {string.Join(", ", notEmpty)}.",
                "Copy into a new, empty database (createdb), so nothing already there is mixed with the copy.");
        }

        // One snapshot of the source (WAL): a process writing meanwhile changes nothing of what is copied.
        await using var snapshot = sqlite.BeginTransaction(deferred: true);
        var leasesNow = await ReadLeasesAsync(sqlite, snapshot, cancellationToken).ConfigureAwait(false);
        if (leasesNow.FirstOrDefault(l => !gone.Contains((l.Key, l.Owner, l.Heartbeat))) is { } taken)
        {
            throw new MigrationRefusedException(
                $"{source} is in use: lease {taken.Key} was taken by {taken.Owner} while the copy began.",
                "Stop every amidialer process that uses it (serve, run, import), then copy it.");
        }

        var copied = new List<CopiedTable>();
        foreach (var table in CopyOrder(tables))
        {
            var columns = tables[table].Columns;
            await CheckSameColumnsAsync(sqlite, snapshot, table, columns, cancellationToken).ConfigureAwait(false);
            var rows = await CopyTableAsync(sqlite, snapshot, pg, table, columns, cancellationToken).ConfigureAwait(false);
            var expected = Convert.ToInt64(await ScalarAsync(sqlite, snapshot, $"SELECT COUNT(*) FROM {Quote(table)}", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            var landed = Convert.ToInt64(await ScalarAsync(pg, target, $"SELECT COUNT(*) FROM {Quote(table)}", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (rows != expected || landed != expected)
            {
                throw new InvalidOperationException($"Table {table}: {expected} rows in the source, {rows} copied, {landed} in the target; nothing was kept.");
            }

            foreach (var identity in columns.Where(c => c.IsIdentity))
            {
                // Next id: one past the highest copied, as SQLite's INTEGER PRIMARY KEY would give.
                await ScalarAsync(pg, target,
                    $"SELECT setval(pg_get_serial_sequence('{Quote(table)}', '{identity.Name}'), COALESCE(MAX({Quote(identity.Name)}), 0) + 1, false) FROM {Quote(table)}",
                    cancellationToken).ConfigureAwait(false);
            }

            var done = new CopiedTable(table, rows);
            copied.Add(done);
            progress?.Report(done);
        }

        await target.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SqliteToPostgresResult(source, where, copied);
    }

    /// <summary>Names the target without its password: <c>postgres://host:port/database</c>.</summary>
    public static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgres://{b.Host}:{b.Port}/{b.Database}";
    }

    /// <summary>
    /// The leases found dead (a gone process on this host, or a still heartbeat watched for the lease's duration);
    /// refuses on a live one.
    /// </summary>
    private static async Task<HashSet<(string Key, string Owner, long Heartbeat)>> CheckLeasesAsync(
        SqliteConnection sqlite, string source, TimeSpan leaseDuration, TimeProvider time, CancellationToken cancellationToken)
    {
        var leases = await ReadLeasesAsync(sqlite, null, cancellationToken).ConfigureAwait(false);
        var dead = new HashSet<(string, string, long)>();
        var elsewhere = new List<LeaseRow>();
        foreach (var lease in leases)
        {
            switch (ProcessIdentity.IsRunning(lease.Host, (int)lease.Pid, lease.ProcessStart))
            {
                case true:
                    throw InUse(source, lease, $"held by {lease.Owner}, a process running on this host (pid {lease.Pid})");
                case false:
                    dead.Add((lease.Key, lease.Owner, lease.Heartbeat));
                    break;
                default:
                    elsewhere.Add(lease);
                    break;
            }
        }

        if (elsewhere.Count > 0)
        {
            // Another host's process: only its heartbeat tells, watched as long as a dialer would before taking it.
            await Task.Delay(leaseDuration, time, cancellationToken).ConfigureAwait(false);
            var later = (await ReadLeasesAsync(sqlite, null, cancellationToken).ConfigureAwait(false)).ToDictionary(l => l.Key, StringComparer.Ordinal);
            foreach (var lease in elsewhere)
            {
                if (later.TryGetValue(lease.Key, out var now) && (now.Owner != lease.Owner || now.Heartbeat != lease.Heartbeat))
                {
                    throw InUse(source, now, $"held by {now.Owner} on another host, whose heartbeat moved in {leaseDuration.TotalSeconds:0} s");
                }

                dead.Add((lease.Key, lease.Owner, lease.Heartbeat));
            }
        }

        return dead;
    }

    private static MigrationRefusedException InUse(string source, LeaseRow lease, string why) => new(
        $"{source} is in use: lease {lease.Key} is live ({why}).",
        "Stop every amidialer process that uses it (serve, run, import), then copy it: a copy taken while it dials would miss what it writes next.");

    private static async Task<List<LeaseRow>> ReadLeasesAsync(SqliteConnection sqlite, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = sqlite.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT key, owner, heartbeat, host, pid, process_start FROM leases";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<LeaseRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new LeaseRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5)));
        }

        return rows;
    }

    /// <summary>The target's data tables (not Quartz's, not <see cref="NotCopied"/>), their columns and their parents.</summary>
    private static async Task<Dictionary<string, TargetTable>> TargetTablesAsync(NpgsqlConnection pg, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var tables = new Dictionary<string, TargetTable>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            """
            SELECT c.table_name, c.column_name, c.data_type, c.is_identity = 'YES'
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE 'qrtz\_%'
            ORDER BY c.table_name, c.ordinal_position
            """, pg, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var name = reader.GetString(0);
                if (!tables.TryGetValue(name, out var table))
                {
                    tables[name] = table = new TargetTable([], []);
                }

                table.Columns.Add(new TargetColumn(reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
            }
        }

        await using (var command = new NpgsqlCommand(
            """
            SELECT child.relname, parent.relname
            FROM pg_constraint k
            JOIN pg_class child ON child.oid = k.conrelid
            JOIN pg_class parent ON parent.oid = k.confrelid
            WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace
            """, pg, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (tables.TryGetValue(reader.GetString(0), out var child))
                {
                    child.Parents.Add(reader.GetString(1));
                }
            }
        }

        return tables;
    }

    /// <summary>Parents before children, so every foreign key finds its row; ties by name, so the order is stable.</summary>
    private static List<string> CopyOrder(Dictionary<string, TargetTable> tables)
    {
        var order = new List<string>();
        var placed = new HashSet<string>(NotCopied, StringComparer.Ordinal);
        var left = tables.Keys.Where(t => !NotCopied.Contains(t)).Order(StringComparer.Ordinal).ToList();
        while (left.Count > 0)
        {
            var next = left.FirstOrDefault(t => tables[t].Parents.All(p => p == t || placed.Contains(p) || !tables.ContainsKey(p)))
                ?? throw new InvalidOperationException("The target's foreign keys form a cycle: " + string.Join(", ", left));
            order.Add(next);
            placed.Add(next);
            left.Remove(next);
        }

        return order;
    }

    private static async Task CheckSameColumnsAsync(SqliteConnection sqlite, SqliteTransaction snapshot, string table, List<TargetColumn> columns, CancellationToken cancellationToken)
    {
        await using var command = sqlite.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                names.Add(reader.GetString(0));
            }
        }

        var wanted = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        if (!names.SetEquals(wanted))
        {
            throw new InvalidOperationException(
                $"Table {table} differs between the two schemas (SQLite only: {string.Join(", ", names.Except(wanted))}; PostgreSQL only: {string.Join(", ", wanted.Except(names))}); nothing was copied.");
        }
    }

    private static async Task<long> CopyTableAsync(
        SqliteConnection sqlite, SqliteTransaction snapshot, NpgsqlConnection pg, string table, List<TargetColumn> columns, CancellationToken cancellationToken)
    {
        var list = string.Join(", ", columns.Select(c => Quote(c.Name)));
        await using var command = sqlite.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = $"SELECT rowid, {list} FROM {Quote(table)} ORDER BY rowid";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var writers = columns.Select(ColumnWriter.For).ToArray();
        await using var importer = await pg.BeginBinaryImportAsync($"COPY {Quote(table)} ({list}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < writers.Length; i++)
            {
                try
                {
                    await writers[i].WriteAsync(importer, reader, i + 1, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
                {
                    throw new InvalidOperationException(
                        $"Table {table}, row {reader.GetInt64(0)}, column {columns[i].Name}: {ex.Message} Nothing was copied.", ex);
                }
            }
        }

        return (long)await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private sealed record LeaseRow(string Key, string Owner, long Heartbeat, string Host, long Pid, long ProcessStart);

    private sealed record TargetTable(List<TargetColumn> Columns, List<string> Parents);

    private sealed record TargetColumn(string Name, string Type, bool IsIdentity);

    /// <summary>How one SQLite value becomes the PostgreSQL column's type (the mapping rules of the Data README).</summary>
    private sealed class ColumnWriter(Func<SqliteDataReader, int, object> read, NpgsqlDbType type)
    {
        public static ColumnWriter For(TargetColumn column) => column.Type switch
        {
            "bigint" => new((r, i) => r.GetInt64(i), NpgsqlDbType.Bigint),
            "integer" => new((r, i) => checked((int)r.GetInt64(i)), NpgsqlDbType.Integer),
            "smallint" => new((r, i) => checked((short)r.GetInt64(i)), NpgsqlDbType.Smallint),
            "boolean" => new((r, i) => r.GetInt64(i) switch
            {
                0 => false,
                1 => true,
                var other => throw new FormatException($"{other} is not a flag (0 or 1)."),
            }, NpgsqlDbType.Boolean),
            "double precision" => new((r, i) => r.GetDouble(i), NpgsqlDbType.Double),
            "real" => new((r, i) => (float)r.GetDouble(i), NpgsqlDbType.Real),
            "timestamp with time zone" => new((r, i) => Instant(r.GetString(i)), NpgsqlDbType.TimestampTz),
            "text" => new((r, i) => Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture)!, NpgsqlDbType.Text),
            "jsonb" => new((r, i) => r.GetString(i), NpgsqlDbType.Jsonb),
            _ => throw new InvalidOperationException($"Column {column.Name} has the type {column.Type}, which the copy does not know; nothing was copied."),
        };

        public async Task WriteAsync(NpgsqlBinaryImporter importer, SqliteDataReader reader, int ordinal, CancellationToken cancellationToken)
        {
            if (await reader.IsDBNullAsync(ordinal, cancellationToken).ConfigureAwait(false))
            {
                await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            await importer.WriteAsync(read(reader, ordinal), type, cancellationToken).ConfigureAwait(false);
        }

        private static DateTime Instant(string text)
        {
            try
            {
                return DapperTypeHandlers.FromDb(text).UtcDateTime;
            }
            catch (FormatException)
            {
                // Written by hand or by an older build: any ISO-8601 instant, UTC when it names no offset.
                return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal).UtcDateTime;
            }
        }
    }
}
