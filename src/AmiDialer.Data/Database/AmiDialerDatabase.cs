using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AmiDialer.Data.Database;

/// <summary>
/// The store: one SQLite file (<see cref="OpenAsync"/>) or one PostgreSQL database (<see cref="OpenPostgresAsync"/>),
/// opened and migrated once at start-up; hands out pooled connections with the per-connection settings applied.
/// Repositories take it in their constructor and speak to it through <see cref="System.Data.Common.DbConnection"/>,
/// with <see cref="Dialect"/> for the few statements the two engines spell differently.
/// </summary>
public sealed class AmiDialerDatabase : IAsyncDisposable
{
    /// <summary>How long a writer waits for another one before giving up with SQLITE_BUSY.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    private readonly NpgsqlDataSource? dataSource;

    private AmiDialerDatabase(string path, string connectionString, int schemaVersion, NpgsqlDataSource? dataSource, string where)
    {
        Path = path;
        ConnectionString = connectionString;
        SchemaVersion = schemaVersion;
        this.dataSource = dataSource;
        Where = where;
        Dialect = dataSource is null ? SqlDialect.Sqlite : SqlDialect.Postgres;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = [];
    private static readonly object Marker = new();

    static AmiDialerDatabase()
    {
        DapperTypeHandlers.Register();
        DapperRows.ReadWhole();
    }

    /// <summary>
    /// The SQLite file; on PostgreSQL the configured <c>Database:Path</c>, never opened, whose folder still holds the
    /// files kept beside the store (import error files, upload spool).
    /// </summary>
    public string Path { get; }

    /// <summary>
    /// For Quartz's job store, which keeps its <c>qrtz_*</c> tables in the same database: SQLite's or Npgsql's
    /// connection string (with the password on PostgreSQL: never log it, log <see cref="Where"/>).
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>Which engine holds the store.</summary>
    public StoreProvider Provider => Dialect.Provider;

    /// <summary>The statements the two engines spell differently.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>The store for logs and messages: the file's path, or postgres://host:port/database (no password).</summary>
    public string Where { get; }

    /// <summary>PostgreSQL's pooled data source (for Npgsql's own API: COPY, batches); null on SQLite.</summary>
    public NpgsqlDataSource? DataSource => dataSource;

    public int SchemaVersion { get; }

    /// <summary>The version this build migrates to.</summary>
    public static int LatestVersion => Migrations.Steps.Count;

    /// <summary>Creates the folder and the file when missing, then applies every pending migration.</summary>
    public static async Task<AmiDialerDatabase> OpenAsync(string path, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        logger ??= NullLogger.Instance;
        var fullPath = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // 8 KB pages for a new file (an existing one keeps its own): B-trees one level shallower at a million leads;
        // the lead import's random inserts into the unique phone index cost about 10% less CPU than with 4 KB.
        // Only takes effect before the first table is written, so it is harmless on every later start.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA page_size = 8192;", cancellationToken: cancellationToken)).ConfigureAwait(false);

        // WAL is a property of the file: set once, it lasts. Readers then never block the single writer.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: cancellationToken)).ConfigureAwait(false);
        await ApplySessionSettingsAsync(connection, cancellationToken).ConfigureAwait(false);

        var from = await connection.ExecuteScalarAsync<int>(new CommandDefinition("PRAGMA user_version;", cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (from > LatestVersion)
        {
            throw new InvalidOperationException(
                $"Database {fullPath} has schema version {from}, newer than this build knows ({LatestVersion}); upgrade AmiDialer.");
        }

        for (var version = from; version < LatestVersion; version++)
        {
            // Each step and its version bump commit together: a crash mid-migration leaves the previous version.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(Migrations.Steps[version], transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition($"PRAGMA user_version = {version + 1};", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (from != LatestVersion)
        {
            // The steps' commits left their frames in the WAL (a new file: every table and index of the schema); they are
            // in the file now, so the WAL starts at nothing rather than at the migration's high-water mark.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken: cancellationToken)).ConfigureAwait(false);
            logger.DatabaseMigrated(fullPath, from, LatestVersion);
        }
        else
        {
            logger.DatabaseOpened(fullPath, from);
        }

        return new AmiDialerDatabase(fullPath, connectionString, LatestVersion, dataSource: null, fullPath);
    }

    /// <summary>
    /// Opens a PostgreSQL database (an Npgsql connection string or a postgres:// URI) and applies every pending step
    /// with <see cref="PostgresSchema.MigrateAsync"/>. <paramref name="localPath"/> is <c>Database:Path</c>: not
    /// opened, its folder holds the files kept beside the store.
    /// </summary>
    public static async Task<AmiDialerDatabase> OpenPostgresAsync(string connectionString, string localPath, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(localPath);
        var normalized = PostgresConnectionString.Normalize(connectionString);
        var version = await PostgresSchema.MigrateAsync(normalized, logger, cancellationToken).ConfigureAwait(false);
        var target = new NpgsqlConnectionStringBuilder(normalized);
        var dataSource = new NpgsqlDataSourceBuilder(normalized).Build();
        return new AmiDialerDatabase(System.IO.Path.GetFullPath(localPath), normalized, version, dataSource, $"postgres://{target.Host}:{target.Port}/{target.Database}");
    }

    /// <summary>
    /// An open connection (SQLite's with foreign keys and the busy timeout on, or PostgreSQL's from the data source).
    /// Dispose it: it returns to the pool.
    /// </summary>
    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) =>
        dataSource is null
            ? await OpenSqliteConnectionAsync(cancellationToken).ConfigureAwait(false)
            : await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>A PostgreSQL connection for Npgsql's own API (COPY, batches); refused on SQLite.</summary>
    public async Task<NpgsqlConnection> OpenPostgresConnectionAsync(CancellationToken cancellationToken = default) =>
        dataSource is null
            ? throw new InvalidOperationException($"The store at {Where} is SQLite, not PostgreSQL.")
            : await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// A SQLite connection for the code that drives SQLite's own API (prepared statements, the attempt writer, the
    /// import writer, checkpoints); refused on PostgreSQL, which has its own implementations of those.
    /// </summary>
    public async Task<SqliteConnection> OpenSqliteConnectionAsync(CancellationToken cancellationToken = default)
    {
        if (dataSource is not null)
        {
            throw new InvalidOperationException($"The store at {Where} is PostgreSQL: this path is SQLite's own.");
        }

        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // A pooled connection reuses its SQLite handle, and the settings stay with the handle: apply them once
            // per handle rather than parse three PRAGMAs at every open (the dialer opens hundreds a second).
            if (connection.Handle is { } handle && !Configured.TryGetValue(handle, out _))
            {
                await ApplySessionSettingsAsync(connection, cancellationToken).ConfigureAwait(false);
                Configured.AddOrUpdate(handle, Marker);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => dataSource?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static Task ApplySessionSettingsAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;",
            cancellationToken: cancellationToken));
}
