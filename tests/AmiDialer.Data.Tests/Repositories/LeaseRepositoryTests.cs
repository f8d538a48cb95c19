using System.Diagnostics;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using AmiDialer.Data.Database;
using AmiDialer.Testing.Postgres;

namespace AmiDialer.Data.Tests.Repositories;

public sealed class LeaseRepositoryTests(PostgresFixture postgres) : StoreTests(postgres)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    [Theory, SqliteStore, PostgresStore]
    public async Task A_held_lease_is_taken_only_after_the_taker_watched_its_heartbeat_stand_still_for_the_lease_duration_on_its_own_clock(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var key = LeaseKeys.Campaign((await db.CreateCampaignAsync()).Id);
        // The holder's wall clock is a day behind, the taker's a year ahead: neither matters, only the taker's monotonic clock.
        var holderClock = new FakeTimeProvider(db.Time.GetUtcNow() - TimeSpan.FromDays(1));
        var takerClock = new FakeTimeProvider(db.Time.GetUtcNow() + TimeSpan.FromDays(365));
        var holder = new LeaseRepository(db.Database, holderClock);
        var taker = new LeaseRepository(db.Database, takerClock);

        var a = await holder.TryAcquireAsync(key, "node-a", Ttl);
        Assert.True(a.Acquired);
        Assert.Equal(LeaseTake.Free, a.How);
        Assert.Equal(1, a.Holder!.Heartbeat);

        var first = await taker.TryAcquireAsync(key, "node-b", Ttl);
        Assert.False(first.Acquired);
        Assert.Equal("node-a", first.Owner);
        Assert.Equal(TimeSpan.Zero, first.Watched);

        // The holder renews: the counter moves, and the taker's watch starts again from the renewal it saw.
        takerClock.Advance(TimeSpan.FromSeconds(25));
        Assert.True(await holder.RenewAsync(key, "node-a"));
        var moved = await taker.TryAcquireAsync(key, "node-b", Ttl);
        Assert.False(moved.Acquired);
        Assert.True(moved.HeartbeatMoved);
        Assert.Equal(2, moved.Holder!.Heartbeat);

        takerClock.Advance(TimeSpan.FromSeconds(29));
        var still = await taker.TryAcquireAsync(key, "node-b", Ttl);
        Assert.False(still.Acquired);
        Assert.False(still.HeartbeatMoved);
        Assert.Equal(TimeSpan.FromSeconds(29), still.Watched);

        takerClock.Advance(TimeSpan.FromSeconds(1));
        var taken = await taker.TryAcquireAsync(key, "node-b", Ttl);
        Assert.True(taken.Acquired);
        Assert.Equal(LeaseTake.HeartbeatStill, taken.How);
        Assert.Equal("node-a", taken.Previous!.Owner);
        Assert.Equal(3, taken.Holder!.Heartbeat);

        // The old holder wakes up: its renewal and its release fail, and a third process must watch again.
        Assert.False(await holder.RenewAsync(key, "node-a"));
        Assert.False(await holder.ReleaseAsync(key, "node-a"));
        Assert.False((await holder.TryAcquireAsync(key, "node-a", Ttl)).Acquired);
        Assert.True(await taker.ReleaseAsync(key, "node-b"));
        Assert.Null(await taker.GetAsync(key));
        Assert.True((await holder.TryAcquireAsync(key, "node-a", Ttl)).Acquired);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_holder_gone_from_this_host_is_passed_over_at_once_but_not_one_on_another_host(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var dead = DeadPid();
        var me = LeaseIdentity.Current;
        var taker = new LeaseRepository(db.Database, db.Time);

        // Its pid exists no more.
        var gone = new LeaseRepository(db.Database, db.Time, identity: me with { Pid = dead });
        Assert.True((await gone.TryAcquireAsync("campaign:1", "dead-node", Ttl)).Acquired);
        var took = await taker.TryAcquireAsync("campaign:1", "node-b", Ttl);
        Assert.True(took.Acquired);
        Assert.Equal(LeaseTake.HolderGone, took.How);

        // Its pid runs, but it is another process (a reused pid: another start time).
        var reused = new LeaseRepository(db.Database, db.Time, identity: me with { Start = me.Start + 1 });
        Assert.True((await reused.TryAcquireAsync("campaign:2", "old-node", Ttl)).Acquired);
        Assert.Equal(LeaseTake.HolderGone, (await taker.TryAcquireAsync("campaign:2", "node-b", Ttl)).How);

        // A dead pid in another container (same kernel, another pid namespace): its pids mean nothing here.
        var elsewhere = new LeaseRepository(db.Database, db.Time, identity: me with { Host = me.Host + "-other-namespace", Pid = dead });
        Assert.True((await elsewhere.TryAcquireAsync("campaign:3", "far-node", Ttl)).Acquired);
        Assert.False((await taker.TryAcquireAsync("campaign:3", "node-b", Ttl)).Acquired);

        // A live holder on this host (this very process): watched like any other.
        Assert.True((await new LeaseRepository(db.Database, db.Time).TryAcquireAsync("campaign:4", "live-node", Ttl)).Acquired);
        Assert.False((await taker.TryAcquireAsync("campaign:4", "node-b", Ttl)).Acquired);
    }

    [Fact]
    public void The_host_identity_is_the_boot_id_and_pid_namespace_and_this_process_is_running()
    {
        if (OperatingSystem.IsLinux())
        {
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            Assert.StartsWith(boot + "/pid:[", ProcessIdentity.Host, StringComparison.Ordinal);
        }

        Assert.True(ProcessIdentity.IsRunning(ProcessIdentity.Host, Environment.ProcessId, ProcessIdentity.Start));
        Assert.False(ProcessIdentity.IsRunning(ProcessIdentity.Host, Environment.ProcessId, ProcessIdentity.Start + 1));
        Assert.False(ProcessIdentity.IsRunning(ProcessIdentity.Host, (int)DeadPid(), ProcessIdentity.Start));
        Assert.Null(ProcessIdentity.IsRunning("another-host", Environment.ProcessId, ProcessIdentity.Start));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Watching_refuses_at_once_when_the_heartbeat_moves_and_takes_over_when_it_stands_still(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var takerClock = new FakeTimeProvider(db.Time.GetUtcNow());
        var holder = new LeaseRepository(db.Database, db.Time);
        Assert.True((await holder.TryAcquireAsync("campaign:7", "alive", Ttl)).Acquired);
        var taker = new LeaseRepository(db.Database, takerClock);

        // The holder renews every (fake) second while the run watches: refused as soon as a look sees the counter move.
        var watching = taker.AcquireWatchingAsync("campaign:7", "runner", Ttl, TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!watching.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            Assert.True(await holder.RenewAsync("campaign:7", "alive"));
            takerClock.Advance(TimeSpan.FromSeconds(1));
        }

        var refused = await watching;
        Assert.False(refused.Acquired);
        Assert.True(refused.HeartbeatMoved);
        Assert.Equal("alive", refused.Owner);

        // The holder dies silently (another host, so only its heartbeat can tell): taken after the duration, not before.
        var silentClock = new FakeTimeProvider(db.Time.GetUtcNow());
        var silent = new LeaseRepository(db.Database, silentClock);
        var started = silentClock.GetTimestamp();
        var taking = silent.AcquireWatchingAsync("campaign:7", "runner", Ttl, TimeSpan.FromSeconds(1));
        var taken = await AdvanceUntilDoneAsync(silentClock, taking, TimeSpan.FromSeconds(1));
        Assert.True(taken.Acquired);
        Assert.Equal(LeaseTake.HeartbeatStill, taken.How);
        Assert.True(silentClock.GetElapsedTime(started) >= Ttl);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Of_many_concurrent_acquirers_exactly_one_wins(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => new LeaseRepository(db.Database, db.Time).TryAcquireAsync("campaign:1", $"node-{i}", Ttl))));
        Assert.Single(results, r => r.Acquired);
        Assert.Single(results.Select(r => r.Owner).Distinct());
    }

    [Fact]
    public async Task A_claim_commits_only_while_its_fence_lease_is_the_claimers_and_writes_the_lease_key_on_the_attempt()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignWithLeadsAsync(2);
        var key = LeaseKeys.Campaign(c.Id);
        var now = db.Time.GetUtcNow();
        var leads = await db.Leads.GetDueAsync(c.Id, now, 10);
        var leases = new LeaseRepository(db.Database, db.Time);
        Assert.True((await leases.TryAcquireAsync(key, "holder", Ttl)).Acquired);
        await using var writer = new AttemptWriter(db.Database);
        DialClaim Claim(Lead lead, string owner) =>
            new(new AttemptClaim(lead.Id, "act-" + lead.Id, "chan-" + lead.Id, "pbx1", false) { LeaseKey = key }, c.Id, lead.PhoneE164) { Fence = new LeaseFence(key, owner) };

        var ok = (await writer.ClaimAsync([Claim(leads[0], "holder")], now))[0];
        Assert.Equal(DialClaimStatus.Claimed, ok.Status);
        Assert.Equal([ok.Attempt!.Id], (await db.Attempts.ListOpenOwnedAsync(key)).Select(a => a.Id));

        // A process that lost the lease (or never had it) claims nothing: the lead stays pending, no attempt is written.
        var fenced = (await writer.ClaimAsync([Claim(leads[1], "stalled")], now))[0];
        Assert.Equal(DialClaimStatus.LeaseLost, fenced.Status);
        Assert.Equal(LeadState.Pending, (await db.Leads.GetAsync(leads[1].Id))!.State);
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM attempts"));
        Assert.Equal(["campaign:" + c.Id], await LeaseKeysOfOpenAsync(db));
    }

    [Fact]
    public async Task Upgrading_a_version_2_file_fills_each_attempts_lease_key_and_replaces_the_old_lease_table()
    {
        var folder = Path.Combine(Path.GetTempPath(), "amidialer-data-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "v2.db");
        try
        {
            await using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
            {
                await old.OpenAsync();
                await old.ExecuteAsync(global::AmiDialer.Data.Database.Migrations.Steps[0]);
                await old.ExecuteAsync(global::AmiDialer.Data.Database.Migrations.Steps[1]);
                await old.ExecuteAsync("PRAGMA user_version = 2");
                const string Campaign = """
                    INSERT INTO campaigns (id, name, state, time_zone, dial_template, destination_context, destination_extension, destination_priority,
                        ring_timeout_ms, variables, max_concurrent_calls, calls_per_second, days, windows, calling_hours, retry_policy, max_attempts,
                        is_simulated, created_at, updated_at)
                    VALUES (@id, @name, 'running', 'UTC', 'Local/{number}@pstn', 'agents', '100', 1, 15000, '{}', 1, 1, '[]', '[]', '', '', 1, 0, '2026-01-01', '2026-01-01')
                    """;
                await old.ExecuteAsync(Campaign, new { id = 4, name = "spring" });
                await old.ExecuteAsync(Campaign, new { id = 9, name = "click-to-call" });
                await old.ExecuteAsync("INSERT INTO leads (id, campaign_id, phone, fields, time_zones, state) VALUES (1, 4, '+1', '{}', '[]', 'in_progress'), (2, 9, '+2', '{}', '[]', 'in_progress'), (3, 4, '+3', '{}', '[]', 'done')");
                await old.ExecuteAsync("""
                    INSERT INTO attempts (id, lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated) VALUES
                        (1, 1, 4, 'a1', 'c1', 'pbx', 'live', '2026-01-01', 0), (2, 2, 9, 'a2', 'c2', 'pbx', 'dialing', '2026-01-01', 0), (3, 3, 4, 'a3', 'c3', 'pbx', 'ended', '2026-01-01', 0)
                    """);
                await old.ExecuteAsync("INSERT INTO campaign_leases (campaign_id, owner, acquired_at, expires_at) VALUES (4, 'old-node', '2026-01-01', '2099-01-01')");
            }

            var upgraded = await global::AmiDialer.Data.Database.AmiDialerDatabase.OpenAsync(path);
            await using var connection = await upgraded.OpenConnectionAsync();
            Assert.Equal(
                ["1 campaign:4", "2 c2c:", "3 campaign:4"],
                await connection.QueryAsync<string>("SELECT id || ' ' || lease_key FROM attempts ORDER BY id"));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_master WHERE name = 'campaign_leases'"));
            Assert.Equal(
                ["key", "owner", "heartbeat", "host", "pid", "process_start", "acquired_at", "renewed_at"],
                await connection.QueryAsync<string>("SELECT name FROM pragma_table_info('leases')"));
            // The open attempts' owners are read off the partial index.
            var plan = string.Join(" ", (await connection.QueryAsync("EXPLAIN QUERY PLAN SELECT id FROM attempts WHERE state <> 'ended' AND lease_key = 'c2c:' ORDER BY id")).Select(r => (string)r.detail));
            Assert.Contains("ix_attempts_open_lease", plan, StringComparison.Ordinal);
            Assert.Equal(["c2c:"], await new LeaseRepository(upgraded).ListOpenAttemptKeysAsync(LeaseKeys.ClickToCallPrefix));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<List<string>> LeaseKeysOfOpenAsync(TempDatabase db)
    {
        await using var connection = await db.Database.OpenConnectionAsync();
        return (await connection.QueryAsync<string>("SELECT lease_key FROM attempts WHERE state <> 'ended'")).ToList();
    }

    private static long DeadPid()
    {
        using var child = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        child.WaitForExit();
        return child.Id;
    }

    private static async Task<LeaseResult> AdvanceUntilDoneAsync(FakeTimeProvider clock, Task<LeaseResult> watching, TimeSpan step)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!watching.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            clock.Advance(step);
        }

        return await watching;
    }
}
