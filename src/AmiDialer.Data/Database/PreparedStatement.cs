using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AmiDialer.Data.Database;

/// <summary>
/// One SQL statement prepared once on an open connection and run through SQLite's own API, its parameters bound by
/// position. For the engine writer's statements, which run thousands of times a second inside a transaction that
/// already holds the write lock: a <see cref="SqliteCommand"/> there spent more time around SQLite than SQLite spent
/// running it (parameter lookup by name, a type switch per value, a busy-retry timer, an enumerator per run).
/// <para>
/// Not for statements that may meet SQLITE_BUSY (BEGIN, or anything outside a write transaction): this class does
/// not wait and retry the way <see cref="SqliteCommand"/> does, it throws. Errors are thrown as
/// <see cref="SqliteException"/> with SQLite's code and message, as a command would.
/// </para>
/// </summary>
internal sealed class PreparedStatement : IDisposable
{
    // Texts the writer binds (ISO instants, ActionIDs, outcome names) are short: encoded on the stack, not allocated.
    private const int StackEncodeLimit = 256;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    /// <param name="sql">Exactly one statement.</param>
    /// <param name="parameters">
    /// The statement's parameter names in the order SQLite numbers them (first appearance in the text): each is then
    /// bound by its 1-based position in this list. Checked here, so a reordered statement fails when prepared rather
    /// than binding values to the wrong columns.
    /// </param>
    public PreparedStatement(SqliteConnection connection, string sql, params string[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(connection);
        _db = connection.Handle ?? throw new InvalidOperationException("The connection must be open to prepare a statement on it.");
        // PERSISTENT: kept for the connection's life, so SQLite takes its memory from the heap, not lookaside slots
        // that each run of the statement could use instead.
        var rc = raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement, out var tail);
        SqliteException.ThrowExceptionForRC(rc, _db);
        if (!string.IsNullOrWhiteSpace(tail))
        {
            _statement.Dispose();
            throw new ArgumentException("A prepared statement holds one SQL statement; this text has more: " + tail, nameof(sql));
        }

        var names = Enumerable.Range(1, raw.sqlite3_bind_parameter_count(_statement)).Select(i => raw.sqlite3_bind_parameter_name(_statement, i).utf8_to_string()).ToArray();
        if (!names.SequenceEqual(parameters, StringComparer.Ordinal))
        {
            _statement.Dispose();
            throw new ArgumentException($"The statement's parameters are ({string.Join(", ", names)}), not ({string.Join(", ", parameters)}): {sql}", nameof(parameters));
        }
    }

    public void Bind(int position, long value) => Check(raw.sqlite3_bind_int64(_statement, position, value));

    public void Bind(int position, long? value) => Check(value is { } v ? raw.sqlite3_bind_int64(_statement, position, v) : raw.sqlite3_bind_null(_statement, position));

    public void Bind(int position, double? value) => Check(value is { } v ? raw.sqlite3_bind_double(_statement, position, v) : raw.sqlite3_bind_null(_statement, position));

    public void Bind(int position, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, position));
            return;
        }

        // The span overload has SQLite copy the text (SQLITE_TRANSIENT), so the buffer may go when this returns.
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> utf8 = length <= StackEncodeLimit ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(value, utf8);
        Check(raw.sqlite3_bind_text(_statement, position, utf8[..written]));
    }

    /// <summary>Runs the statement to its end and resets it: the rows it inserted, updated or deleted.</summary>
    public int Execute()
    {
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
            }

            Check(rc, raw.SQLITE_DONE);
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>
    /// Steps to the statement's first row: true if there is one, its columns readable with <see cref="Int64"/> and
    /// <see cref="Text"/>. Call <see cref="Reset"/> when done with it, whatever this returned.
    /// </summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        try
        {
            Check(rc, raw.SQLITE_DONE);
            return false;
        }
        catch
        {
            raw.sqlite3_reset(_statement);
            throw;
        }
    }

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public string? Text(int column) =>
        raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>Ends a read: the statement lets go of what it read, ready to be bound and run again.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public void Dispose() => _statement.Dispose();

    private void Check(int rc, int expected = 0)
    {
        if (rc != expected)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
