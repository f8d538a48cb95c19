using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Database;

/// <summary>
/// The few pieces of SQL SQLite and PostgreSQL spell differently, so a repository keeps one statement with a hole
/// rather than two copies. Everything else the repositories write is SQL both engines read the same way.
/// </summary>
public sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new(StoreProvider.Sqlite);
    public static readonly SqlDialect Postgres = new(StoreProvider.Postgres);

    private SqlDialect(StoreProvider provider) => Provider = provider;

    public StoreProvider Provider { get; }

    public bool IsPostgres => Provider == StoreProvider.Postgres;

    /// <summary>
    /// Appended to a read that decides a write in the same transaction. SQLite's transactions take the write lock at
    /// BEGIN, so nothing can change the row between the read and the write; PostgreSQL's read committed can, unless
    /// the read locks the row.
    /// </summary>
    public string ForUpdate => IsPostgres ? " FOR UPDATE" : "";

    /// <summary>The rows of a JSON array of strings bound to <paramref name="parameter"/>, as a table with one column, <c>value</c>.</summary>
    public string JsonValues(string parameter) =>
        IsPostgres ? $"json_array_elements_text(CAST({parameter} AS json))" : $"json_each({parameter})";

    /// <summary>
    /// An inner join with an ON clause whose loop order is the written one: SQLite's CROSS JOIN is its planner's hint
    /// for that (and takes ON); PostgreSQL's CROSS JOIN takes no ON, and its planner picks the order itself.
    /// </summary>
    public string OrderedJoin => IsPostgres ? "JOIN" : "CROSS JOIN";

    /// <summary>
    /// <paramref name="column"/> is one of the list bound to <paramref name="parameter"/>: Dapper expands a list into
    /// one parameter per item for SQLite, and passes it to Npgsql as one array.
    /// </summary>
    public string InList(string column, string parameter) =>
        IsPostgres ? $"{column} = ANY({parameter})" : $"{column} IN {parameter}";

    /// <summary>A case-insensitive LIKE (SQLite's LIKE already is for ASCII; PostgreSQL's is not).</summary>
    public string LikeInsensitive => IsPostgres ? "ILIKE" : "LIKE";

    /// <summary>True when <paramref name="needle"/> occurs in <paramref name="haystack"/> (both SQL expressions).</summary>
    public string Contains(string haystack, string needle) =>
        IsPostgres ? $"strpos({haystack}, {needle}) > 0" : $"instr({haystack}, {needle}) > 0";

    /// <summary>The start of the UTC hour of an instant column, as <c>campaign_hourly.hour_utc</c> stores it.</summary>
    public string HourOf(string column) =>
        IsPostgres ? $"date_trunc('hour', {column})" : $"substr({column}, 1, 13) || ':00Z'";

    /// <summary>Seconds from one instant column to another, as a real number.</summary>
    public string SecondsBetween(string from, string to) =>
        IsPostgres ? $"EXTRACT(EPOCH FROM ({to} - {from}))" : $"(julianday({to}) - julianday({from})) * 86400.0";

    /// <summary>
    /// A read-only transaction over one snapshot: SQLite's deferred BEGIN (no write lock taken), PostgreSQL's repeatable
    /// read (one snapshot for every statement, where read committed takes one per statement).
    /// </summary>
    public static DbTransaction BeginSnapshot(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: true)
            : connection.BeginTransaction(IsolationLevel.RepeatableRead);
    }
}
