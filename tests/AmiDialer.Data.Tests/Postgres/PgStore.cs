using AmiDialer.Data.Database;
using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Data.Tests.Postgres;

/// <summary>A fresh migrated PostgreSQL database of the fixture's server, with a campaign and its leads written in SQL.</summary>
internal sealed class PgStore : IAsyncDisposable
{
    private PgStore(string connectionString)
    {
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    /// <summary>One node's connections.</summary>
    public NpgsqlDataSource DataSource { get; }

    public static async Task<PgStore> CreateAsync(PostgresFixture postgres, string prefix)
    {
        var connectionString = await postgres.CreateDatabaseAsync(prefix);
        await PostgresSchema.MigrateAsync(connectionString);
        return new PgStore(connectionString);
    }

    /// <summary>Another node: its own data source, so its own connections.</summary>
    public NpgsqlDataSource OpenNode() => NpgsqlDataSource.Create(ConnectionString);

    /// <summary>A running campaign with <paramref name="leads"/> pending leads (+1555000000n), due since <paramref name="due"/>, counted.</summary>
    public async Task<long> CreateCampaignAsync(int leads, DateTimeOffset due, string name = "c")
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO campaigns (name, state, time_zone, dial_template, destination_context, destination_extension, destination_priority,
                ring_timeout_ms, variables, max_concurrent_calls, calls_per_second, days, windows, calling_hours, retry_policy,
                max_attempts, is_simulated, created_at, updated_at)
            VALUES ($1, 'running', 'UTC', 'PJSIP/{number}', 'dialer', 's', 1, 30000, '{}', 10, 10, '[]', '[]', '{}', '{}', 3, false, $2, $2)
            RETURNING id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = due.UtcDateTime });
        var id = (long)(await command.ExecuteScalarAsync())!;
        await ExecuteAsync($"""
            INSERT INTO leads (campaign_id, phone, fields, time_zones, state, next_eligible_at)
            SELECT {id}, '+1555' || lpad(n::text, 7, '0'), json_build_object('n', n::text)::text, '["UTC"]', 'pending', '{due.UtcDateTime:O}'::timestamptz
            FROM generate_series(1, {leads}) AS n;
            INSERT INTO campaign_counters (campaign_id, name, value) VALUES ({id}, 'leads', {leads}), ({id}, 'state:pending', {leads});
            """);
        return id;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A campaign counter's value (0 when it has none).</summary>
    public Task<double> CounterAsync(long campaignId, string name) =>
        ScalarAsync<double>($"SELECT COALESCE((SELECT value FROM campaign_counters WHERE campaign_id = {campaignId} AND name = '{name}'), 0)");

    public async ValueTask DisposeAsync() => await DataSource.DisposeAsync();
}
