using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AmiDialer.Data.Database;

/// <summary>
/// Migrates a PostgreSQL database to <see cref="PostgresMigrations"/>' latest step. Each step commits with its version
/// bump in <c>schema_version</c>, under a transaction-scoped advisory lock, so nodes that start together migrate one
/// after another and a crash mid-step leaves the previous version. A database newer than the build is refused.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The advisory lock the migration holds ("AmiDial" in ASCII): one key for every AmiDialer database.</summary>
    private const long MigrationLock = 0x416D694469616C;

    /// <summary>The version this build migrates to; the same number as SQLite's <see cref="AmiDialerDatabase.LatestVersion"/>.</summary>
    public static int LatestVersion => PostgresMigrations.Steps.Count;

    /// <summary>Applies every pending step; returns the version the database is at.</summary>
    public static async Task<int> MigrateAsync(string connectionString, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        logger ??= NullLogger.Instance;
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        // Never the password: this names the database in logs and errors.
        var where = $"postgres://{target.Host}:{target.Port}/{target.Database}";

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        int? from = null;
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"""
                SELECT pg_advisory_xact_lock({MigrationLock});
                CREATE TABLE IF NOT EXISTS schema_version (
                    one boolean PRIMARY KEY DEFAULT true CHECK (one),
                    version integer NOT NULL
                );
                INSERT INTO schema_version (version) VALUES (0) ON CONFLICT DO NOTHING;
                """, cancellationToken).ConfigureAwait(false);
            await using var read = new NpgsqlCommand("SELECT version FROM schema_version", connection, transaction);
            var version = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            from ??= version;
            if (version > LatestVersion)
            {
                throw new InvalidOperationException(
                    $"Database {where} has schema version {version}, newer than this build knows ({LatestVersion}); upgrade AmiDialer.");
            }

            if (version == LatestVersion)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                break;
            }

            await ExecuteAsync(connection, transaction, PostgresMigrations.Steps[version], cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"UPDATE schema_version SET version = {version + 1}", cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (from != LatestVersion)
        {
            logger.DatabaseMigrated(where, from.Value, LatestVersion);
        }
        else
        {
            logger.DatabaseOpened(where, LatestVersion);
        }

        return LatestVersion;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
