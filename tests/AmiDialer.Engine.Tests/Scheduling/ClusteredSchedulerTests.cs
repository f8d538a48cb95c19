using System.Collections.Concurrent;
using AmiDialer.Core.Model;
using AmiDialer.Engine.Scheduling;
using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Engine.Tests.Scheduling;

/// <summary>
/// Quartz clustered on a real PostgreSQL: two schedulers on one database are two nodes. Check-ins are short (1 s, and
/// 2 s before a silent node counts as dead) so a recovery happens within seconds; the waits are generous.
/// </summary>
public sealed class ClusteredSchedulerTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [PostgresFact]
    public async Task Each_campaign_start_and_end_fires_once_in_the_cluster_and_every_node_supervises()
    {
        var database = await postgres.CreateDatabaseAsync("cluster_once");
        var a = new NodeTarget();
        var b = new NodeTarget();
        await using var nodeA = await StartNodeAsync(database, "node-a", a);
        await using var nodeB = await StartNodeAsync(database, "node-b", b);
        Assert.Equal("node-a", nodeA.NodeId);
        Assert.Equal("node-b", nodeB.NodeId);

        // Both nodes reconcile with the same stored campaigns: what the first wrote is the cluster's, so the second
        // writes nothing. (Far enough ahead that nothing fires before both have looked, however loaded the machine.)
        var at = DateTimeOffset.UtcNow.AddSeconds(10);
        var campaigns = Enumerable.Range(1, 12)
            .Select(id => new Campaign { Id = id, Name = "c" + id, State = CampaignState.Scheduled, StartAt = at, EndAt = at.AddMilliseconds(500) })
            .ToList();
        Assert.Equal(24, await nodeA.ReconcileAsync(campaigns, CancellationToken.None));
        Assert.Equal(0, await nodeB.ReconcileAsync(campaigns, CancellationToken.None));
        Assert.True(DateTimeOffset.UtcNow < at, "the machine was too slow to set the triggers before they came due");

        await WaitUntil(() => a.Started.Count + b.Started.Count >= 12 && a.Ended.Count + b.Ended.Count >= 12);
        // Time for a second firing anywhere to show up, were there one.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var started = a.Started.Concat(b.Started).Order().ToList();
        var ended = a.Ended.Concat(b.Ended).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), started);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), ended);

        // The supervisor is each node's own timer, not a clustered job that would tick on one node only.
        await WaitUntil(() => Volatile.Read(ref a.Supervised) > 1 && Volatile.Read(ref b.Supervised) > 1);
        Assert.Equal(2L, await ScalarAsync(database, "SELECT COUNT(*) FROM qrtz_scheduler_state"));
        Assert.Equal(0L, await ScalarAsync(database, "SELECT COUNT(*) FROM qrtz_job_details WHERE job_group = 'engine'"));
    }

    [PostgresFact]
    public async Task A_start_running_on_a_node_that_stops_checking_in_is_run_again_by_the_other_node()
    {
        var database = await postgres.CreateDatabaseAsync("cluster_recover");
        await using var cutter = new TcpCutter(postgres.Port);
        var throughCutter = new NpgsqlConnectionStringBuilder(database) { Port = cutter.Port, Timeout = 5 }.ConnectionString;
        var stalled = new NodeTarget { BlockStarts = true };
        var survivor = new NodeTarget();
        var nodeA = await StartNodeAsync(throughCutter, "node-a", stalled);
        try
        {
            await nodeA.ScheduleCampaignAsync(7, DateTimeOffset.UtcNow.AddMilliseconds(500), null, CancellationToken.None);
            // Node A alone fires the start; the job is inside the engine when A loses the database.
            await WaitUntil(() => stalled.Entered.Contains(7));
            await using var nodeB = await StartNodeAsync(database, "node-b", survivor);
            cutter.Cut();

            // Node B sees A's check-in go stale and runs the start A never finished (the job requests recovery).
            await WaitUntil(() => survivor.Started.Contains(7), TimeSpan.FromSeconds(60));
            Assert.Empty(stalled.Started);
            Assert.Equal(0L, await ScalarAsync(database, "SELECT COUNT(*) FROM qrtz_fired_triggers WHERE instance_name = 'node-a'"));

            // Once: nothing fires it a third time.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Single(survivor.Started);
        }
        finally
        {
            // A comes back and its stalled job returns, so its scheduler can shut down.
            cutter.Restore();
            stalled.Release();
            await nodeA.DisposeAsync();
        }

        Assert.Single(survivor.Started);
    }

    [Fact]
    public void A_postgres_store_without_a_node_id_takes_the_engines_instance_name_and_never_shows_its_password()
    {
        var store = SchedulerStore.Postgres("Host=db1;Database=amidialer;Username=dialer;Password=hunter2");
        Assert.Null(store.NodeId);
        Assert.Equal("host-a:42:abc123", store.OrNode("host-a:42:abc123").NodeId);
        Assert.Equal("given", SchedulerStore.Postgres("Host=db1;Database=d", "given").OrNode("host-a:42:abc123").NodeId);
        Assert.Null(SchedulerStore.Sqlite("/tmp/x.db").OrNode("host-a").NodeId); // SQLite is one process: no cluster
        Assert.DoesNotContain("hunter2", store.OrNode("n").ToString(), StringComparison.Ordinal);
    }

    private static Task<EngineScheduler> StartNodeAsync(string connectionString, string node, NodeTarget target) =>
        EngineScheduler.CreateAsync(
            SchedulerStore.Postgres(connectionString, node) with { CheckinInterval = TimeSpan.FromSeconds(1), CheckinMisfireThreshold = TimeSpan.FromSeconds(2) },
            "cluster", target, TimeProvider.System, TimeSpan.FromMilliseconds(500), null, CancellationToken.None);

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan? within = null)
    {
        // Generous: a loaded machine may be slow to fire, but a trigger that never fires still fails.
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }

    private sealed class NodeTarget : ICampaignScheduleTarget
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool BlockStarts { get; init; }

        public ConcurrentBag<long> Entered { get; } = [];

        public ConcurrentBag<long> Started { get; } = [];

        public ConcurrentBag<long> Ended { get; } = [];

        public int Supervised;

        public void Release() => _release.TrySetResult();

        public async Task OnCampaignStartDueAsync(long campaignId, CancellationToken cancellationToken)
        {
            Entered.Add(campaignId);
            if (BlockStarts)
            {
                await _release.Task;
                return; // Stalled: it never gets to start anything.
            }

            Started.Add(campaignId);
        }

        public Task OnCampaignEndDueAsync(long campaignId, bool recovering, CancellationToken cancellationToken)
        {
            Ended.Add(campaignId);
            return Task.CompletedTask;
        }

        public Task SuperviseAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Supervised);
            return Task.CompletedTask;
        }
    }
}
