using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AmiDialer.Cli;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AmiDialer.Tests.Cli;

/// <summary>
/// <c>amidialer db migrate --to</c> through the command line, from a real SQLite file (a few thousand leads imported
/// by the CLI, attempts of every state and outcome, click-to-calls, hourly rows, do-not-call, audit) into a real
/// PostgreSQL (<see cref="PostgresFixture"/>), compared row for row.
/// </summary>
public sealed class DbMigrateTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private static readonly string[] Copied =
        ["campaigns", "imports", "leads", "attempts", "click_to_calls", "campaign_counters", "campaign_hourly", "dnc", "audit_log"];

    private readonly CliRunner _cli = new();

    [PostgresFact]
    public async Task Every_table_is_copied_row_for_row_with_sequences_set_and_the_source_left_as_it_was()
    {
        await SeedAsync();
        await AddLeaseAsync("campaign:2", await ExitedPidAsync(), ProcessIdentity.Start); // a dialer that is gone
        var before = Fingerprint();
        var database = await postgres.CreateDatabaseAsync("migrate_full");
        var b = new NpgsqlConnectionStringBuilder(database);
        var uri = $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}";

        var result = await _cli.Db("db", "migrate", "--to", uri);

        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Equal(before, Fingerprint());
        Assert.Contains($"into postgres://{b.Host}:{b.Port}/{b.Database}", result.Output, StringComparison.Ordinal);
        var counts = new Dictionary<string, long>();
        foreach (var table in Copied)
        {
            var sqliteRows = await SqliteRowsAsync(table);
            var pgRows = await PostgresRowsAsync(database, table);
            Assert.True(sqliteRows.Count > 0, $"the seed left {table} empty");
            Assert.Equal(sqliteRows.Count, pgRows.Count);
            for (var i = 0; i < sqliteRows.Count; i++)
            {
                Assert.Equal(sqliteRows[i], pgRows[i]);
            }

            counts[table] = sqliteRows.Count;
            Assert.Matches($@"(?m)^{table}\s+{sqliteRows.Count:N0} rows$", result.Output);
        }

        Assert.True(counts["leads"] >= 3000 && counts["attempts"] >= 4000, string.Join(", ", counts));
        Assert.Equal(0L, await PgScalarAsync(database, "SELECT COUNT(*) FROM leases"));
        Assert.Equal(1L, await PgScalarAsync(database, "SELECT COUNT(*) FROM campaigns WHERE is_simulated"));

        // The next id of each table follows the copied ones, as on SQLite.
        var maxAudit = await PgScalarAsync(database, "SELECT MAX(id) FROM audit_log");
        Assert.Equal(maxAudit + 1, await PgScalarAsync(database, "INSERT INTO audit_log (at, actor, action, subject) VALUES (now(), 't', 't', 't') RETURNING id"));
        var maxCampaign = await PgScalarAsync(database, "SELECT MAX(id) FROM campaigns");
        Assert.Equal(maxCampaign + 1, await PgScalarAsync(database,
            """
            INSERT INTO campaigns (name, state, time_zone, dial_template, destination_context, destination_extension, destination_priority,
                ring_timeout_ms, variables, max_concurrent_calls, calls_per_second, days, windows, calling_hours, retry_policy, max_attempts,
                is_simulated, created_at, updated_at)
            SELECT 'next', state, time_zone, dial_template, destination_context, destination_extension, destination_priority,
                ring_timeout_ms, variables, max_concurrent_calls, calls_per_second, days, windows, calling_hours, retry_policy, max_attempts,
                false, now(), now() FROM campaigns WHERE id = 1
            RETURNING id
            """));

        // One live attempt per lead holds on the copy too.
        var open = await PgScalarAsync(database, "SELECT lead_id FROM attempts WHERE state <> 'ended' LIMIT 1");
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => PgScalarAsync(database,
            $"INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated) SELECT {open}, campaign_id, 'dup', 'dup', 's', 'dialing', now(), false FROM leads WHERE id = {open} RETURNING id"));
        Assert.Equal("23505", duplicate.SqlState);
    }

    [PostgresFact]
    public async Task A_target_that_is_not_empty_is_refused_and_left_as_it_is()
    {
        await SeedAsync(leads: 50);
        var database = await postgres.CreateDatabaseAsync("migrate_twice");
        Assert.Equal(AmiDialerCli.Success, (await _cli.Db("db", "migrate", "--to", database)).Code);
        var leads = await PgScalarAsync(database, "SELECT COUNT(*) FROM leads");

        var again = await _cli.Db("db", "migrate", "--to", database);

        Assert.True(again.Code == AmiDialerCli.Failure, again.ToString());
        Assert.Contains("is not empty", again.Error, StringComparison.Ordinal);
        Assert.Contains("leads", again.Error, StringComparison.Ordinal);
        Assert.Equal(leads, await PgScalarAsync(database, "SELECT COUNT(*) FROM leads"));
    }

    [PostgresFact]
    public async Task A_live_lease_on_the_source_refuses_the_copy_and_nothing_is_written()
    {
        await SeedAsync(leads: 50);
        // Held by this very process: a dialer running on this host.
        await AddLeaseAsync("campaign:1", Environment.ProcessId, ProcessIdentity.Start);
        var database = await postgres.CreateDatabaseAsync("migrate_leased");

        var refused = await _cli.Db("db", "migrate", "--to", database);

        Assert.True(refused.Code == AmiDialerCli.Failure, refused.ToString());
        Assert.Contains("is in use: lease campaign:1 is live", refused.Error, StringComparison.Ordinal);
        Assert.Contains("Stop every amidialer process", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0L, await PgScalarAsync(database, "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'leads'"));

        // The dialer stops (its lease goes): the same copy now runs.
        await SqliteExecuteAsync("DELETE FROM leases");
        var copied = await _cli.Db("db", "migrate", "--to", database);
        Assert.True(copied.Code == AmiDialerCli.Success, copied.ToString());
    }

    [PostgresFact]
    public async Task Bad_connection_strings_unreachable_servers_wrong_passwords_and_missing_databases_read_clearly_without_the_password()
    {
        await SeedAsync(leads: 5);

        var noDatabase = await _cli.Db("db", "migrate", "--to", "postgres://dialer:s3cret-pw@db1:5432/");
        Assert.True(noDatabase.Code == AmiDialerCli.Usage, noDatabase.ToString());
        Assert.StartsWith("--to names no database", noDatabase.Error, StringComparison.Ordinal);

        var garbage = await _cli.Db("db", "migrate", "--to", "Hots=db1;Password=s3cret-pw");
        Assert.True(garbage.Code == AmiDialerCli.Usage, garbage.ToString());
        Assert.StartsWith("--to is not an Npgsql connection string", garbage.Error, StringComparison.Ordinal);

        var closed = ClosedPort();
        var unreachable = await _cli.Db("db", "migrate", "--to", $"Host=127.0.0.1;Port={closed};Database=x;Username=dialer;Password=s3cret-pw;Timeout=5");
        Assert.True(unreachable.Code == AmiDialerCli.Failure, unreachable.ToString());
        Assert.StartsWith($"Cannot reach PostgreSQL at 127.0.0.1:{closed}", unreachable.Error, StringComparison.Ordinal);

        // A user whose password the server checks (the fixture trusts its own superuser).
        await PgScalarAsync(postgres.AdminConnectionString, "CREATE ROLE migrator LOGIN PASSWORD 'right-one'; SELECT 1");
        var hba = Path.Combine(postgres.Folder!, "data", "pg_hba.conf");
        await File.WriteAllTextAsync(hba, "host all migrator 127.0.0.1/32 scram-sha-256\n" + await File.ReadAllTextAsync(hba));
        await PgScalarAsync(postgres.AdminConnectionString, "SELECT 1 FROM pg_reload_conf()");
        var target = await postgres.CreateDatabaseAsync("migrate_auth");
        var wrong = new NpgsqlConnectionStringBuilder(target) { Username = "migrator", Password = "s3cret-pw" };
        var refused = await _cli.Db("db", "migrate", "--to", wrong.ConnectionString);
        Assert.True(refused.Code == AmiDialerCli.Failure, refused.ToString());
        Assert.StartsWith($"PostgreSQL at 127.0.0.1:{postgres.Port} refused the password of user 'migrator'.", refused.Error, StringComparison.Ordinal);

        var missing = new NpgsqlConnectionStringBuilder(postgres.AdminConnectionString) { Database = "no_such_db" };
        var absent = await _cli.Db("db", "migrate", "--to", missing.ConnectionString);
        Assert.True(absent.Code == AmiDialerCli.Failure, absent.ToString());
        Assert.StartsWith($"There is no database 'no_such_db' on PostgreSQL at 127.0.0.1:{postgres.Port}.", absent.Error, StringComparison.Ordinal);

        foreach (var result in new[] { noDatabase, garbage, unreachable, refused })
        {
            Assert.DoesNotContain("s3cret-pw", result.Output + result.Error, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _cli.Dispose();

    /// <summary>
    /// Two campaigns imported through the CLI (duplicates, rejected rows, do-not-call numbers), then attempts of every
    /// state and outcome, click-to-calls and hourly rows written as the engine writes them.
    /// </summary>
    private async Task SeedAsync(int leads = 3000)
    {
        Assert.Equal(AmiDialerCli.Success, (await _cli.Db("dnc", "add", "+33 1 23 40 00 07", "+33 1 23 40 00 42")).Code);
        var csv = new StringBuilder("phone,name,note\n");
        for (var i = 0; i < leads; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"+331234{i:D5},\"Zoë \"\"{i}\"\", Ltd\",line {i}\n");
        }

        csv.Append("+33123400001,duplicate,\nnot a number,rejected,\n");
        var alpha = await _cli.Db("import", _cli.File("alpha.csv", csv.ToString()), "--campaign", "alpha", "--create");
        Assert.True(alpha.Code == AmiDialerCli.Success, alpha.ToString());
        var beta = await _cli.Db("import", _cli.File("beta.csv", "phone\n+33145000001\n+33145000002\n"), "--campaign", "beta", "--create");
        Assert.True(beta.Code == AmiDialerCli.Success, beta.ToString());

        var outcomes = Enum.GetValues<CallOutcome>().Select(o => o.ToWireName()).ToArray();
        var start = new DateTime(2026, 11, 2, 8, 0, 0, DateTimeKind.Utc).AddTicks(1234567);
        await using var connection = new SqliteConnection($"Data Source={_cli.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var leadIds = new List<(long Id, long Campaign)>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT id, campaign_id FROM leads WHERE state = 'pending' ORDER BY id";
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                leadIds.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, answered_at, ended_at, outcome,
                failure_reason, reason, dial_status, hangup_cause, hangup_cause_text, talk_seconds, is_simulated, lease_key)
            VALUES ($lead, $campaign, $action, $channel, $server, $state, $created, $answered, $ended, $outcome,
                $failure, $reason, $dial, $cause, $causeText, $talk, $simulated, $lease)
            """;
        var n = 0;
        foreach (var (lead, campaign) in leadIds)
        {
            var calls = (int)(lead % 3) + 1;
            for (var k = 0; k < calls; k++, n++)
            {
                var last = k == calls - 1;
                var state = last && lead % 10 == 0 ? "dialing" : last && lead % 10 == 1 ? "live" : "ended";
                var outcome = state == "ended" ? outcomes[n % outcomes.Length] : null;
                var created = start.AddSeconds(n * 1.5);
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("$lead", lead);
                insert.Parameters.AddWithValue("$campaign", campaign);
                insert.Parameters.AddWithValue("$action", $"amid-{n}");
                insert.Parameters.AddWithValue("$channel", $"amid-{n}-chan");
                insert.Parameters.AddWithValue("$server", n % 2 == 0 ? "pbx1" : "pbx2");
                insert.Parameters.AddWithValue("$state", state);
                insert.Parameters.AddWithValue("$created", created.ToString("O", CultureInfo.InvariantCulture));
                insert.Parameters.AddWithValue("$answered", outcome == "answered" || state == "live" ? created.AddSeconds(7).ToString("O", CultureInfo.InvariantCulture) : DBNull.Value);
                insert.Parameters.AddWithValue("$ended", state == "ended" ? created.AddSeconds(40.25).ToString("O", CultureInfo.InvariantCulture) : DBNull.Value);
                insert.Parameters.AddWithValue("$outcome", (object?)outcome ?? DBNull.Value);
                insert.Parameters.AddWithValue("$failure", outcome == "failed" ? "Originate refused: no route" : DBNull.Value);
                insert.Parameters.AddWithValue("$reason", outcome is null ? DBNull.Value : (n % 5).ToString(CultureInfo.InvariantCulture));
                insert.Parameters.AddWithValue("$dial", outcome is null ? DBNull.Value : "ANSWER");
                insert.Parameters.AddWithValue("$cause", outcome is null ? DBNull.Value : 16 + (n % 3));
                insert.Parameters.AddWithValue("$causeText", outcome is null ? DBNull.Value : "Normal Clearing");
                insert.Parameters.AddWithValue("$talk", outcome == "answered" ? 33.125 + n : DBNull.Value);
                insert.Parameters.AddWithValue("$simulated", campaign == 2 ? 1 : 0);
                insert.Parameters.AddWithValue("$lease", state == "ended" ? DBNull.Value : $"campaign:{campaign}");
                await insert.ExecuteNonQueryAsync();
            }
        }

        await using (var more = connection.CreateCommand())
        {
            more.Transaction = transaction;
            more.CommandText = """
                UPDATE leads SET state = 'in_progress', attempt_count = 1 WHERE id IN (SELECT lead_id FROM attempts WHERE state <> 'ended');
                UPDATE leads SET state = 'done', final_outcome = 'answered', attempt_count = 2, next_eligible_at = NULL, note = 'réglé'
                    WHERE id % 10 = 5;
                UPDATE leads SET state = 'waiting_retry', next_eligible_at = '2026-11-03T09:30:00.5000000Z' WHERE id % 10 = 7;
                UPDATE campaigns SET is_simulated = 1, start_at = '2026-11-02T08:00:00.0000000Z', end_at = '2026-11-09T18:00:00.0000000Z' WHERE name = 'beta';
                INSERT INTO click_to_calls (attempt_id, agent, destination) SELECT id, 'PJSIP/agent' || (id % 7), 'from-internal,' || id || ',1' FROM attempts WHERE id % 9 = 0;
                INSERT INTO campaign_hourly (campaign_id, hour_utc, attempts, answered, talk_seconds)
                    SELECT campaign_id, substr(created_at, 1, 13) || ':00:00.0000000Z', COUNT(*), COALESCE(SUM(outcome = 'answered'), 0), COALESCE(SUM(talk_seconds), 0)
                    FROM attempts GROUP BY campaign_id, substr(created_at, 1, 13);
                INSERT INTO audit_log (at, actor, action, subject, details) VALUES ('2026-11-02T08:00:00.0000000Z', 'admin', 'campaign.start', 'campaign:1', '{"why":"test ✓"}');
                """;
            await more.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    private async Task AddLeaseAsync(string key, int pid, long processStart) => await SqliteExecuteAsync(
        $"""
        INSERT INTO leases (key, owner, heartbeat, host, pid, process_start, acquired_at, renewed_at)
        VALUES ('{key}', 'node-x', 7, '{ProcessIdentity.Host}', {pid}, {processStart}, '2026-11-02T08:00:00.0000000Z', '2026-11-02T08:00:00.0000000Z')
        """);

    private async Task SqliteExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_cli.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The pid of a process that has exited: a lease it held is plainly dead.</summary>
    private static async Task<int> ExitedPidAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        return process.Id;
    }

    /// <summary>
    /// The database file and its WAL, hashed once every pooled connection is closed (which may checkpoint). A reader
    /// of a WAL database leaves an empty -wal behind where there was none: no content, so the same as none.
    /// </summary>
    private string Fingerprint()
    {
        SqliteConnection.ClearAllPools();
        return string.Join(" ", new[] { "", "-wal" }.Select(suffix => _cli.DatabasePath + suffix)
            .Select(p => File.Exists(p) && new FileInfo(p).Length > 0 ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) : "none"));
    }

    /// <summary>Each row as text, in rowid order: instants to the microsecond (PostgreSQL's precision), flags as 0/1.</summary>
    private async Task<List<string>> SqliteRowsAsync(string table)
    {
        await using var connection = new SqliteConnection($"Data Source={_cli.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var columns = new List<(string Name, string Type)>();
        await using (var info = connection.CreateCommand())
        {
            info.CommandText = $"SELECT name, type FROM pragma_table_info('{table}') ORDER BY cid";
            await using var reader = await info.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {table} ORDER BY {OrderOf(table)}";
        await using var rows = await command.ExecuteReaderAsync();
        var result = new List<string>();
        while (await rows.ReadAsync())
        {
            result.Add(string.Join(" | ", columns.Select((c, i) => rows.IsDBNull(i) ? "NULL"
                : IsInstant(c.Name) ? Microseconds(DateTimeOffset.Parse(rows.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal))
                : c.Type == "REAL" ? rows.GetDouble(i).ToString("R", CultureInfo.InvariantCulture)
                : Convert.ToString(rows.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return result;
    }

    private async Task<List<string>> PostgresRowsAsync(string database, string table)
    {
        var columns = new List<string>();
        await using (var connection = new SqliteConnection($"Data Source={_cli.DatabasePath};Mode=ReadOnly;Pooling=False"))
        {
            await connection.OpenAsync();
            await using var info = connection.CreateCommand();
            info.CommandText = $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid";
            await using var reader = await info.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add(reader.GetString(0));
            }
        }

        await using var pg = new NpgsqlConnection(database);
        await pg.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT {string.Join(", ", columns)} FROM {table} ORDER BY {OrderOf(table)}", pg);
        await using var rows = await command.ExecuteReaderAsync();
        var result = new List<string>();
        while (await rows.ReadAsync())
        {
            result.Add(string.Join(" | ", columns.Select((_, i) => rows.GetValue(i) switch
            {
                DBNull => "NULL",
                bool flag => flag ? "1" : "0",
                DateTime instant => Microseconds(new DateTimeOffset(DateTime.SpecifyKind(instant, DateTimeKind.Utc))),
                double real => real.ToString("R", CultureInfo.InvariantCulture),
                var other => Convert.ToString(other, CultureInfo.InvariantCulture),
            })));
        }

        return result;
    }

    private static string OrderOf(string table) => table switch
    {
        "click_to_calls" => "attempt_id",
        "campaign_counters" => "campaign_id, name",
        "campaign_hourly" => "campaign_id, hour_utc",
        _ => "id",
    };

    private static bool IsInstant(string column) => column.EndsWith("_at", StringComparison.Ordinal) || column is "at" or "hour_utc";

    private static string Microseconds(DateTimeOffset value) =>
        new DateTimeOffset(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture);

    private static async Task<long> PgScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
