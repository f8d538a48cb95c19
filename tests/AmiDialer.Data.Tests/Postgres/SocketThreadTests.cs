using AmiDialer.Data.Database;
using AmiDialer.Testing.Postgres;
using Dapper;
using Npgsql;

namespace AmiDialer.Data.Tests.Postgres;

/// <summary>
/// The store's PostgreSQL reads never block the socket engine's thread, which the app (and every test host) runs socket
/// completions on: a blocking read there waits for an event only that thread delivers, and every socket of the thread
/// stands still until the command times out (the tests' "PostgreSQL stall": connects, CREATE DATABASE and type loading
/// of other test classes timing out while one test read a large result).
/// </summary>
public sealed class SocketThreadTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [PostgresFact]
    public async Task A_row_the_server_sends_in_two_pieces_a_second_apart_is_read_without_holding_the_socket_thread()
    {
        Assert.True(Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1",
            "the test host must run socket completions inline, as amidialer does (tests/tests.runsettings)");
        var folder = Directory.CreateTempSubdirectory("amidialer-split-row-").FullName;
        // A blocked read fails at the command timeout instead of being retried after a cancel request, so the stall is
        // an error here, not a slow pass; 20 s is far beyond the server's 2 s of sleeping even on a loaded machine.
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync("split"))
        {
            CommandTimeout = 20,
            CancellationTimeout = -1,
        }.ConnectionString;
        await using var database = await AmiDialerDatabase.OpenPostgresAsync(connectionString, Path.Combine(folder, "unused.db"));
        await using var connection = await database.OpenConnectionAsync();

        // Rows of about 1 KB: PostgreSQL flushes its 8 KB send buffer when full, which cuts the ninth row; its rest
        // waits in the server while row 12 sleeps. Row 1 sleeps too, so the reply arrives after the query was sent and
        // the reading goes on on the socket thread, as it does in the app.
        var rows = (await connection.QueryAsync<string>("""
            SELECT repeat('x', 1000) || pg_sleep(CASE WHEN n IN (1, 12) THEN 1 ELSE 0 END)::text || n AS v
            FROM generate_series(1, 20) AS n
            """)).ToList();

        Assert.Equal(Enumerable.Range(1, 20).Select(n => new string('x', 1000) + n), rows);
        Directory.Delete(folder, recursive: true);
    }
}
