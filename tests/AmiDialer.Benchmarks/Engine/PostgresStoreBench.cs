using AmiDialer.Benchmarks.Data;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Benchmarks.Engine;

/// <summary>
/// <see cref="StoreBench"/> on PostgreSQL (<c>store postgres=1</c>): the same calls through <see cref="PostgresAttemptWriter"/>
/// and <see cref="PostgresDueLeadsQuery"/>, against a throwaway cluster started here (<see cref="PostgresFixture"/>:
/// durability off), whose CPU is measured beside the process's: on PostgreSQL the store's work is mostly the server's.
/// </summary>
internal static class PostgresStoreBench
{
    public static async Task<int> RunAsync(int calls, int batch, int open, int pace, bool markLive, bool fenced, int warmup, string folder)
    {
        var server = new PostgresFixture();
        await server.InitializeAsync();
        try
        {
            var connectionString = await server.CreateDatabaseAsync("store");
            await PostgresSchema.MigrateAsync(connectionString);
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            long campaignId;
            await using (var create = dataSource.CreateCommand("""
                INSERT INTO campaigns (name, state, time_zone, dial_template, destination_context, destination_extension, destination_priority,
                    ring_timeout_ms, variables, max_concurrent_calls, calls_per_second, days, windows, calling_hours, retry_policy,
                    max_attempts, is_simulated, created_at, updated_at)
                VALUES ('store-bench', 'running', 'UTC', 'Local/{number}@pstn', 'agents', '100', 1, 30000, '{}', 1000, 500, '[]', '[]', '{}', '{}', 1, false, now(), now())
                RETURNING id
                """))
            {
                campaignId = (long)(await create.ExecuteScalarAsync())!;
            }

            // The numbers and fields the SQLite run imports (EngineBench.Number), written straight in SQL: the import is not measured here.
            await using (var leads = dataSource.CreateCommand($"""
                INSERT INTO leads (campaign_id, phone, fields, time_zones, state, next_eligible_at, import_id, source_line)
                SELECT {campaignId}, '+1415' || (2000000 + n), json_build_object('name', 'Lead ' || n)::text, '["America/Los_Angeles"]', 'pending', now() - interval '1 minute', NULL, n + 2
                FROM generate_series(0, {calls + open - 1}) AS n;
                INSERT INTO campaign_counters (campaign_id, name, value) VALUES ({campaignId}, 'state:pending', {calls + open});
                ANALYZE leads;
                """))
            {
                await leads.ExecuteNonQueryAsync();
            }

            LeaseFence? fence = null;
            if (fenced)
            {
                fence = new LeaseFence(LeaseKeys.Campaign(campaignId), "store-bench");
                await using var lease = dataSource.CreateCommand(
                    $"INSERT INTO leases (key, owner, heartbeat, host, pid, process_start, acquired_at, renewed_at) VALUES ('{fence.Key}', '{fence.Owner}', 1, 'bench', {Environment.ProcessId}, 0, now(), now())");
                await lease.ExecuteNonQueryAsync();
            }

            await using var writer = new PostgresAttemptWriter(dataSource);
            await using var dueQuery = new PostgresDueLeadsQuery(dataSource);
            var (wall, cpu) = await StoreBench.RunCallsAsync(writer, dueQuery, campaignId, fence, calls, batch, open, pace, markLive, warmup, () => PostgresImportBench.ServerCpu(server.Port));
            StoreBench.Report(calls - warmup, wall, cpu, "(this process, every thread)");
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await server.DisposeAsync();
        }
    }
}
