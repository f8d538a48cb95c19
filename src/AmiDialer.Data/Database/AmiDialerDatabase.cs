using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Data.Database;

/// <summary>
/// The one SQLite file: opened, migrated and tuned once at start-up; hands out pooled connections with the
/// per-connection settings applied. Repositories take it in their constructor.
/// </summary>
public sealed class AmiDialerDatabase
{
    /// <summary>How long a writer waits for another one before giving up with SQLITE_BUSY.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    private AmiDialerDatabase(string path, string connectionString, int schemaVersion)
    {
        Path = path;
        ConnectionString = connectionString;
        SchemaVersion = schemaVersion;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = [];
    private static readonly object Marker = new();

    static AmiDialerDatabase() => DapperTypeHandlers.Register();

    public string Path { get; }

    /// <summary>For Quartz's job store, which keeps its <c>qrtz_*</c> tables in the same file.</summary>
    public string ConnectionString { get; }

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
            logger.DatabaseMigrated(fullPath, from, LatestVersion);
        }
        else
        {
            logger.DatabaseOpened(fullPath, from);
        }

        return new AmiDialerDatabase(fullPath, connectionString, LatestVersion);
    }

    /// <summary>An open connection with foreign keys and the busy timeout on. Dispose it (it returns to the pool).</summary>
    public async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
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

    private static Task ApplySessionSettingsAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;",
            cancellationToken: cancellationToken));
}
