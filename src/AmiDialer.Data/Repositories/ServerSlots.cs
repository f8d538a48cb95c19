using System.Data.Common;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// An AMI server's <c>MaxConcurrentCalls</c> counted in the store, so every process dialing one Asterisk (nodes on
/// PostgreSQL, or two processes on one SQLite file) stays within it together. The count is not kept anywhere: it is
/// the server's open attempts (campaign calls and click-to-calls alike), read off <c>ix_attempts_open_server</c> in
/// the claim's own transaction. So a process that dies leaks no slot: its open attempts are real calls until their
/// adopter ends them. Claims on one server are serialised while they count: on SQLite by the write lock every
/// claim transaction takes at BEGIN IMMEDIATE; on PostgreSQL by a transaction-scoped advisory lock per server, taken
/// before the count, so two nodes never both see the last free slot.
/// </summary>
public static class ServerSlots
{
    /// <summary>The advisory lock class of server slots, "AMDS" (its other key is the server name's hash), as SQL.</summary>
    private const string LockClass = "1095582803";

    /// <summary>
    /// Locks the servers of <c>$1</c> (a text array) until the transaction ends, in the order of their keys, so two
    /// claimers of the same servers can never wait for each other in a circle (two names with one hash share a lock).
    /// </summary>
    internal const string PostgresLockSql =
        "SELECT pg_advisory_xact_lock(" + LockClass + ", k) FROM (SELECT DISTINCT hashtext(s) AS k FROM unnest($1::text[]) AS s ORDER BY 1) AS l";

    /// <summary>
    /// Each server of <c>$1</c> with its open attempts, counted up to its cap in <c>$2</c>: a server at its cap is full
    /// however many more are open (a cap lowered meanwhile), and the count costs at most the cap's index entries.
    /// </summary>
    internal const string PostgresCountSql = """
        SELECT u.s, (SELECT count(*) FROM (SELECT 1 FROM attempts WHERE server = u.s AND state <> 'ended' LIMIT u.c) AS o)
        FROM unnest($1::text[], $2::integer[]) AS u(s, c)
        """;

    /// <summary>One server's open attempts up to <c>$limit</c> (SQLite).</summary>
    internal const string SqliteCountSql = "SELECT count(*) FROM (SELECT 1 FROM attempts WHERE server = $server AND state <> 'ended' LIMIT $limit)";

    /// <summary>
    /// For a claim about to write one attempt on <paramref name="server"/> in the caller's transaction: its open
    /// attempts (up to <paramref name="cap"/>) with the server locked until the transaction ends on PostgreSQL.
    /// </summary>
    internal static async Task<int> LockAndCountAsync(DbConnection connection, DbTransaction transaction, string server, int cap, CancellationToken cancellationToken)
    {
        if (connection is Npgsql.NpgsqlConnection)
        {
            // Two statements: the count's snapshot must be taken after the lock is granted (read committed takes one per statement).
            await connection.ExecuteAsync(new CommandDefinition(
                $"SELECT pg_advisory_xact_lock({LockClass}, hashtext(@server))", new { server }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*) FROM (SELECT 1 FROM attempts WHERE server = @server AND state <> 'ended' LIMIT @cap) AS o",
            new { server, cap }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Every server's open attempts, whichever process placed them, counted in full (not up to a cap: a cap lowered
    /// meanwhile shows as more in use than allowed): the cluster's figure beside a node's own, for <c>/health</c>, the
    /// dashboard and the pre-flight. Read off <c>ix_attempts_open_server</c>.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> OpenByServerAsync(AmiDialerDatabase database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Server, long Calls)>(new CommandDefinition(
            "SELECT server, count(*) FROM attempts WHERE state <> 'ended' GROUP BY server", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Server, r => r.Calls, StringComparer.Ordinal);
    }

    /// <summary>
    /// The open attempts on each server (each counted up to its cap), whoever placed them: what a process reads to
    /// learn how many of a server's slots the others use. A read, no lock: the claim decides, this only guides.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, int>> CountOpenAsync(AmiDialerDatabase database, IReadOnlyList<(string Server, int Cap)> servers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(servers);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (server, cap) in servers)
        {
            counts[server] = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT count(*) FROM (SELECT 1 FROM attempts WHERE server = @server AND state <> 'ended' LIMIT @cap) AS o",
                new { server, cap }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        return counts;
    }
}
