using AmiDialer.Data.Database;
using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Data.Tests.Database;

/// <summary>The PostgreSQL migration runner and the schema's own guarantees, on a real throwaway server.</summary>
public sealed class PostgresSchemaTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [PostgresFact]
    public async Task Nodes_migrating_at_once_apply_each_step_once_and_a_second_run_changes_nothing()
    {
        var connectionString = await postgres.CreateDatabaseAsync("together");

        var versions = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => PostgresSchema.MigrateAsync(connectionString))));
        Assert.All(versions, v => Assert.Equal(PostgresSchema.LatestVersion, v));
        Assert.Equal(PostgresSchema.LatestVersion, await PostgresSchema.MigrateAsync(connectionString));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        Assert.Equal(PostgresSchema.LatestVersion, await ScalarAsync<int>(connection, "SELECT version FROM schema_version"));
        Assert.Equal(1L, await ScalarAsync<long>(connection, "SELECT count(*) FROM schema_version"));
    }

    [PostgresFact]
    public async Task A_database_newer_than_the_build_is_refused_naming_both_versions_and_no_password()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync("newer")) { Password = "hunter2" }.ConnectionString;
        await PostgresSchema.MigrateAsync(connectionString);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await ScalarAsync<int>(connection, $"UPDATE schema_version SET version = {PostgresSchema.LatestVersion + 1} RETURNING version");
        }

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.MigrateAsync(connectionString));

        Assert.Contains($"has schema version {PostgresSchema.LatestVersion + 1}, newer than this build knows ({PostgresSchema.LatestVersion})", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task The_database_refuses_a_second_live_attempt_for_a_lead_and_a_second_global_dnc_entry()
    {
        var connectionString = await postgres.CreateDatabaseAsync("guarantees");
        await PostgresSchema.MigrateAsync(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var lead = await ScalarAsync<long>(connection, """
            WITH c AS (
                INSERT INTO campaigns (name, state, time_zone, dial_template, destination_context, destination_extension, destination_priority,
                    ring_timeout_ms, variables, max_concurrent_calls, calls_per_second, days, windows, calling_hours, retry_policy, max_attempts,
                    is_simulated, created_at, updated_at)
                VALUES ('c', 'draft', 'UTC', 'PJSIP/{e164}', 'agents', 's', 1, 30000, '{}', 1, 1, '[]', '[]', '', '[]', 1, false, now(), now())
                RETURNING id)
            INSERT INTO leads (campaign_id, phone, fields, time_zones, state) SELECT id, '+12125550100', '{}', '[]', 'dialing' FROM c RETURNING id
            """);
        const string Attempt = """
            INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated)
            SELECT id, campaign_id, @action, @action, 'pbx1', @state, now(), false FROM leads WHERE id = @lead
            """;

        await InsertAttemptAsync(connection, Attempt, lead, "a1", "ended");
        await InsertAttemptAsync(connection, Attempt, lead, "a2", "dialing");
        var second = await Assert.ThrowsAsync<PostgresException>(() => InsertAttemptAsync(connection, Attempt, lead, "a3", "live"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, second.SqlState);
        Assert.Equal("ux_attempts_open_lead", second.ConstraintName);

        const string Dnc = "INSERT INTO dnc (number, campaign_id, source, added_at, added_by) VALUES ('+12125550100', NULL, 'api', now(), 'test')";
        await ScalarAsync<int>(connection, Dnc + " RETURNING 1");
        var global = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(connection, Dnc + " RETURNING 1"));
        Assert.Equal("ux_dnc_number_scope", global.ConstraintName);
    }

    private static async Task InsertAttemptAsync(NpgsqlConnection connection, string sql, long lead, string action, string state)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("lead", lead);
        command.Parameters.AddWithValue("action", action);
        command.Parameters.AddWithValue("state", state);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
