using Microsoft.Data.Sqlite;
using Npgsql;

namespace AmiDialer.Data.Database;

/// <summary>What went wrong in the store, whichever engine said it.</summary>
public enum StoreFailure
{
    /// <summary>Not an error of the store.</summary>
    None,

    /// <summary>Another writer held what was needed past the wait (SQLite busy/locked; PostgreSQL lock timeout, deadlock, serialization failure): trying again later may work.</summary>
    Busy,

    /// <summary>A unique index refused a row (SQLite's unique or primary key constraint; PostgreSQL 23505).</summary>
    Unique,

    /// <summary>Another constraint refused a change (foreign key, not null, check).</summary>
    Constraint,

    /// <summary>The store cannot be reached or opened: a file that cannot be opened, a server down, refused, or out of connections.</summary>
    Unavailable,

    /// <summary>The store refuses this user: a read-only file, a wrong password, a missing grant.</summary>
    Denied,

    /// <summary>The file is not a database or is damaged.</summary>
    Damaged,

    /// <summary>No room left (a full disk).</summary>
    Full,

    /// <summary>Any other error of the store.</summary>
    Other,
}

/// <summary>
/// Sorts the exceptions of SQLite and PostgreSQL into <see cref="StoreFailure"/>, so callers (the dialer's retry, the
/// lease keeper, health, the CLI's messages) catch "the store failed" and decide on the kind, not on an engine's type.
/// </summary>
public static class StoreErrors
{
    /// <summary>True for an exception the store's engine raised (SQLite's, or Npgsql's including the server's own errors).</summary>
    public static bool IsStoreError(Exception exception) => exception is SqliteException or NpgsqlException;

    public static StoreFailure Classify(Exception exception) => exception switch
    {
        SqliteException sqlite => Classify(sqlite),
        PostgresException postgres => Classify(postgres.SqlState),
        // No server answer: the connection failed, timed out or broke.
        NpgsqlException => StoreFailure.Unavailable,
        _ => StoreFailure.None,
    };

    /// <summary>
    /// True when <paramref name="exception"/>, or one it wraps, says the store cannot be reached now (a server down,
    /// restarting, failing over, a connection cut): a failure to wait out and try again, not one of the request.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e.InnerException)
        {
            if (IsStoreError(e))
            {
                return Classify(e) == StoreFailure.Unavailable;
            }
        }

        return false;
    }

    /// <summary>What the server or the way to it said, in its own words and without the exception's wrapping: the reason a message gives.</summary>
    public static string Reason(Exception exception)
    {
        if (exception is PostgresException postgres)
        {
            return postgres.MessageText;
        }

        var inner = exception;
        while (inner.InnerException is { } next)
        {
            inner = next;
        }

        // A pooled connection the server dropped (a restart, a failover) reads past the end of its stream: say that.
        return inner is EndOfStreamException ? "the server closed the connection" : inner.Message.TrimEnd('.');
    }

    /// <summary>A unique index refused the row; <paramref name="index"/> names the index (PostgreSQL) or a column it covers (SQLite: "table.column").</summary>
    public static bool IsUniqueViolation(Exception exception, string? index = null) => exception switch
    {
        SqliteException sqlite => Classify(sqlite) == StoreFailure.Unique && (index is null || sqlite.Message.Contains(index, StringComparison.Ordinal)),
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation && (index is null || postgres.ConstraintName == index),
        _ => false,
    };

    private static StoreFailure Classify(SqliteException e) => e.SqliteErrorCode switch
    {
        5 or 6 => StoreFailure.Busy,
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
        19 when e.SqliteExtendedErrorCode is 2067 or 1555 => StoreFailure.Unique,
        19 => StoreFailure.Constraint,
        14 => StoreFailure.Unavailable,
        8 or 3 or 23 => StoreFailure.Denied,
        11 or 26 => StoreFailure.Damaged,
        13 => StoreFailure.Full,
        _ => StoreFailure.Other,
    };

    private static StoreFailure Classify(string sqlState) => sqlState switch
    {
        PostgresErrorCodes.UniqueViolation => StoreFailure.Unique,
        PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable => StoreFailure.Busy,
        PostgresErrorCodes.DiskFull => StoreFailure.Full,
        PostgresErrorCodes.DataCorrupted or PostgresErrorCodes.IndexCorrupted => StoreFailure.Damaged,
        _ when sqlState.StartsWith("23", StringComparison.Ordinal) => StoreFailure.Constraint,
        // Connection exceptions, too many connections, the server shutting down or starting up.
        _ when sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("53", StringComparison.Ordinal) || sqlState.StartsWith("57P", StringComparison.Ordinal) => StoreFailure.Unavailable,
        // Invalid authorization (wrong password, no such role), insufficient privilege, a read-only transaction.
        _ when sqlState.StartsWith("28", StringComparison.Ordinal) || sqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ReadOnlySqlTransaction => StoreFailure.Denied,
        // No such database.
        PostgresErrorCodes.InvalidCatalogName => StoreFailure.Unavailable,
        _ => StoreFailure.Other,
    };
}
