using AmiDialer.Data.Database;
using AmiDialer.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AmiDialer.Cli;

/// <summary>
/// What the operator reads when a command fails on something outside it (the database file, a folder, the disk):
/// one or two lines that name the thing that is wrong and say what to do. The stack trace is for --verbose.
/// </summary>
internal static class CliFailures
{
    /// <summary>
    /// The lines for <paramref name="failure"/>; <paramref name="databasePath"/> is the SQLite database the command uses,
    /// <paramref name="connectionString"/> its PostgreSQL one, when known.
    /// </summary>
    public static IReadOnlyList<string> Describe(Exception failure, string? databasePath, string? connectionString = null)
    {
        var ex = Unwrap(failure);
        return ex switch
        {
            SqliteException sqlite => Database(sqlite, databasePath),
            NpgsqlException postgres => Postgres(postgres, connectionString),
            UnauthorizedAccessException => [ex.Message, "Give this user access to that file and its folder, or choose another path."],
            DirectoryNotFoundException => [ex.Message, "Create the folder first, or choose a path in a folder that exists."],
            FileNotFoundException missing => [missing.FileName is { } name ? $"File not found: {name}." : ex.Message, "Check the path."],
            IOException io when IsDiskFull(io) => [ex.Message, "Free some space on that disk, or choose a path on another one."],
            IOException => [ex.Message, "Run the command again with --verbose for the details."],
            _ => [ex.Message, $"This was not expected ({ex.GetType().Name}); run the command again with --verbose for the details, and report it."],
        };
    }

    /// <summary>A database failure, naming the file: missing folder, a folder, not SQLite, locked, read-only, full.</summary>
    public static IReadOnlyList<string> Database(SqliteException ex, string? path)
    {
        var file = path ?? "the database";
        const string Elsewhere = "Point --db (or Database:Path) at ";
        return ex.SqliteErrorCode switch
        {
            // SQLITE_CANTOPEN says nothing of why: look.
            14 when path is not null && Directory.Exists(path) => [$"{path} is a folder, not a database file.", $"{Elsewhere}a file, e.g. {Path.Combine(path, "amidialer.db")}."],
            14 => [$"Cannot open or create the database {file}: its folder is missing or not writable.", $"{Elsewhere}a file in a folder this user can write to."],
            26 => [$"{file} is not a SQLite database (it holds something else).", $"{Elsewhere}an AmiDialer database, or at a new file name to create one."],
            11 => [$"The database {file} is damaged ({ex.Message}).", "Restore it from a backup, or point --db (Database:Path) at another file."],
            5 or 6 => [$"The database {file} is locked by another process; waited {AmiDialerDatabase.BusyTimeout.TotalSeconds:0} s for it.", "Try again when the other command (an import, a dnc add) has finished."],
            8 => [$"The database {file} is read-only for this user.", "Make the file and its folder writable (SQLite writes a -wal and a -shm file beside it), or point --db elsewhere."],
            13 => [$"The disk holding {file} is full.", "Free some space on that disk, then run the command again."],
            _ => [$"Database error on {file}: {ex.Message}", "Run the command again with --verbose for the details."],
        };
    }

    /// <summary>A PostgreSQL failure, naming the server (host:port, never the password) and the key when <paramref name="connectionString"/> is known.</summary>
    public static IReadOnlyList<string> Postgres(NpgsqlException ex, string? connectionString) =>
        connectionString is not null
            ? PostgresFailures.Describe(ex, connectionString)
            : [$"PostgreSQL ({PostgresFailures.Key}): {StoreErrors.Reason(ex)}.", "Run the command again with --verbose for the details."];

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            ex = aggregate.InnerExceptions[0];
        }

        return ex;
    }

    // ENOSPC on Unix, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException ex) => (ex.HResult & 0xFFFF) is 28 or 39 or 112;
}
