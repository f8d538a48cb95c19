using System.Collections.Concurrent;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.CallControl;
using AmiDialer.Engine.Live;
using AmiDialer.Simulator;
using Dapper;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// An open attempt belongs to the holder of its lease: two engines on one real SQLite file and one simulator, and the
/// second changes nothing it does not own.
/// </summary>
public sealed class OwnershipTests
{
    private static OutcomeRules AnsweredFor(double talkSeconds) => new([new OutcomeRule(".", SimulatedOutcome.Answered, 1, talkSeconds)]);

    [Fact]
    public async Task A_second_engine_with_another_server_configuration_adopts_nothing_and_its_refused_run_leaves_attempts_leads_and_leases_as_they_were()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 1, outcomes: AnsweredFor(8));
        var campaign = await h.CreateCampaignAsync("owned", c => c with { MaxConcurrentCalls = 10 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(4));
        var first = await h.StartEngineAsync(h.Options("engine-a", TimeSpan.FromSeconds(4)));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = first.RunCampaignAsync(campaign.Id, cts.Token);
        await PacingTests.WaitUntil(async () => h.Simulator.LiveCalls == 4
            && await h.Attempts.ListOpenAsync(campaignId: campaign.Id) is { Count: 4 } open && open.All(a => a.State == AttemptState.Live && a.AnsweredAt is not null));
        var before = await SnapshotAsync(h.Database);

        // Another process on the same file whose only server has another name: before this change its start ended the
        // four live calls as lost ("server no longer configured") and their leads were dialed again.
        var second = await h.StartEngineAsync(h.Options("engine-b", TimeSpan.FromSeconds(4), servers: [h.Server("elsewhere")]));
        var refused = await Assert.ThrowsAsync<CampaignLeaseException>(() => second.RunCampaignAsync(campaign.Id));
        Assert.Equal("engine-a", refused.Holder);
        Assert.Contains("engine-a", refused.Message, StringComparison.Ordinal);
        Assert.Contains("heartbeat is moving", refused.Message, StringComparison.Ordinal);
        Assert.Contains(h.Logs.Lines, l => l.Contains("[4055]", StringComparison.Ordinal) && l.Contains("engine-a", StringComparison.Ordinal));
        Assert.All(second.GetSnapshot().Servers, s => Assert.Equal(0, s.ActiveCalls)); // it follows none of them
        await second.DisposeAsync();

        Assert.Equal(before, await SnapshotAsync(h.Database));
        var result = await run;
        Assert.Equal(CampaignRunEnd.Finished, result.End);
        var summary = await h.Reports.GetSummaryAsync(campaign.Id);
        Assert.Equal(4, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Answered));
        Assert.Equal(4, h.Originates().Count);
    }

    [Fact]
    public async Task Attempts_sent_to_a_server_no_longer_configured_stay_open_waiting_for_it_and_are_adopted_once_it_is_back()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 1, outcomes: AnsweredFor(5));
        var campaign = await h.CreateCampaignAsync("moved", c => c with { MaxConcurrentCalls = 3, MaxAttempts = 1 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(5));
        var lease = TimeSpan.FromSeconds(2);
        var doomed = await h.StartEngineAsync(h.Options("doomed", lease, servers: [h.Server("pbx-old")]));
        _ = doomed.RunCampaignAsync(campaign.Id, CancellationToken.None);
        await PacingTests.WaitUntil(() => h.Simulator.LiveCalls == 3);
        await doomed.CrashAsync();
        var left = await h.Attempts.ListOpenAsync(campaignId: campaign.Id);
        Assert.Equal(3, left.Count);

        // The next process only knows pbx-new: it takes the silent lease, dials the two leads left, and leaves the three
        // calls sent to pbx-old open, saying so, instead of ending them as lost and dialing their leads again.
        var moved = await h.StartEngineAsync(h.Options("moved", lease, servers: [h.Server("pbx-new")]));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = moved.RunCampaignAsync(campaign.Id, cts.Token);
        var status = await WaitForAsync(() => moved.GetSnapshot().Campaigns.FirstOrDefault(c => c.CampaignId == campaign.Id && c.Message is not null && c.Message.Contains("waiting for server pbx-old", StringComparison.Ordinal)));
        Assert.Contains("3 call(s)", status.Message, StringComparison.Ordinal);
        var result = await running;
        Assert.Equal(CampaignRunEnd.Stopped, result.End);
        Assert.Contains("waiting for server pbx-old", result.Message, StringComparison.Ordinal);
        var stillOpen = await h.Attempts.ListOpenAsync(campaignId: campaign.Id);
        Assert.Equal(left.Select(a => (a.Id, a.State, a.Server)), stillOpen.Select(a => (a.Id, a.State, a.Server)));
        Assert.Equal(5, h.Originates().Count);
        Assert.Contains(h.Logs.Lines, l => l.Contains("[4050]", StringComparison.Ordinal) && l.Contains("pbx-old", StringComparison.Ordinal));

        // pbx-old configured again: its calls are adopted, checked against the PBX and ended; no lead is dialed again.
        var back = await h.StartEngineAsync(h.Options("back", lease, servers: [h.Server("pbx-old"), h.Server("pbx-new")]));
        using var cts2 = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var finished = await back.RunCampaignAsync(campaign.Id, cts2.Token);
        Assert.Empty(await h.Attempts.ListOpenAsync(campaignId: campaign.Id));
        Assert.Contains(h.Logs.Lines, l => l.Contains("[4034]", StringComparison.Ordinal) && l.Contains("pbx-old", StringComparison.Ordinal));
        Assert.NotEqual(CampaignRunEnd.LeaseLost, finished.End);
    }

    [Fact]
    public async Task A_claim_made_after_the_lease_passed_to_another_process_commits_nothing_and_the_dialer_stops_as_lease_lost()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 100);
        var campaign = await h.CreateCampaignAsync("fenced", c => c with { MaxConcurrentCalls = 2, CallsPerSecond = 5 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(30));
        long highestBefore = -1;
        var engine = await h.StartEngineAsync(h.Options("stalled", TimeSpan.FromSeconds(30), attemptWriter: (database, time) => new HookedWriter(new AttemptWriter(database, time))
        {
            // Before the third claim, another process takes the lease (the holder stalled long enough for it to).
            BeforeClaim = async n =>
            {
                if (n == 3)
                {
                    highestBefore = await StealAsync(h.Database, campaign.Id);
                }
            },
        }));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = await engine.RunCampaignAsync(campaign.Id, cts.Token);

        Assert.Equal(CampaignRunEnd.LeaseLost, result.End);
        Assert.Contains("lease lost", result.Message, StringComparison.Ordinal);
        await using var connection = await h.Database.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM attempts WHERE id > @highestBefore", new { highestBefore }));
        Assert.Equal("thief", await connection.ExecuteScalarAsync<string>("SELECT owner FROM leases WHERE key = @key", new { key = LeaseKeys.Campaign(campaign.Id) }));
        Assert.Equal(highestBefore, h.Originates().Count);
    }

    [Fact]
    public async Task A_holder_that_wakes_from_a_pause_with_claims_in_hand_sends_none_once_the_lease_is_gone()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 100);
        var campaign = await h.CreateCampaignAsync("paused-vm", c => c with { MaxConcurrentCalls = 2, CallsPerSecond = 5 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(30));
        var clock = new JumpingTimeProvider();
        var claimedInPause = new ConcurrentBag<string>();
        var engine = await h.StartEngineAsync(h.Options("sleeper", TimeSpan.FromSeconds(30), attemptWriter: (database, time) => new HookedWriter(new AttemptWriter(database, time))
        {
            // After the third claim commits, the process is paused for 40 s (monotonic), and another takes its lease.
            AfterClaim = async (n, results) =>
            {
                if (n == 3)
                {
                    foreach (var result in results.Where(r => r.Status == DialClaimStatus.Claimed))
                    {
                        claimedInPause.Add(result.Attempt!.ChannelId);
                    }

                    await StealAsync(h.Database, campaign.Id);
                    clock.Jump(TimeSpan.FromSeconds(40));
                }
            },
        }), clock);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = await engine.RunCampaignAsync(campaign.Id, cts.Token);

        Assert.Equal(CampaignRunEnd.LeaseLost, result.End);
        Assert.NotEmpty(claimedInPause);
        var sent = h.Originates().Select(o => o.ChannelId).ToHashSet();
        Assert.All(claimedInPause, id => Assert.DoesNotContain(id, sent));
        Assert.Contains(h.Logs.Lines, l => l.Contains("[4052]", StringComparison.Ordinal));
        // Left open under the campaign's lease, for its new holder to adopt.
        var open = await h.Attempts.ListOpenOwnedAsync(LeaseKeys.Campaign(campaign.Id));
        Assert.Subset(open.Select(a => a.ChannelId).ToHashSet(), claimedInPause.ToHashSet());
    }

    [Fact]
    public async Task Click_to_calls_belong_to_the_process_that_placed_them_and_serve_takes_them_over_only_once_it_is_gone()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 5);
        var lease = TimeSpan.FromSeconds(2);
        var callControl = new CallControlOptions { ClickToCall = new ClickToCallOptions { RespectCallingHours = false } };
        var serve = await h.StartEngineAsync(h.Options("serve-node", lease, callControl: callControl), useScheduler: true);
        var caller = await h.StartEngineAsync(h.Options("call-node", lease, callControl: callControl));

        var first = await caller.CallControl.StartClickToCallAsync(new ClickToCallRequest("4158137440", "Local/101@agentphone"));
        await using (var connection = await h.Database.OpenConnectionAsync())
        {
            Assert.Equal("c2c:call-node", await connection.ExecuteScalarAsync<string>("SELECT lease_key FROM attempts WHERE id = @id", new { id = first.AttemptId }));
        }

        Assert.Equal("call-node", (await new LeaseRepository(h.Database).GetAsync("c2c:call-node"))!.Owner);
        Assert.Equal(CallOutcome.Answered, (await caller.CallControl.WaitForEndAsync(first.AttemptId).WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
        // Serve's supervisor ticked meanwhile (every second): the live caller's lease is left alone.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal("call-node", (await new LeaseRepository(h.Database).GetAsync("c2c:call-node"))!.Owner);
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains("[4053]", StringComparison.Ordinal));

        // The caller dies with a call up: serve watches its heartbeat stand still, takes the lease, follows the call.
        var second = await caller.CallControl.StartClickToCallAsync(new ClickToCallRequest("4158137440", "Local/101@agentphone"));
        await h.Simulator.WaitForActionAsync(a => a.Is("Originate") && a["ChannelId"] == second.ChannelId);
        await caller.CrashAsync();
        await WaitForAsync(async () => (await h.Attempts.GetAsync(second.AttemptId)) is { State: AttemptState.Ended } ended ? ended : null);
        Assert.Contains(h.Logs.Lines, l => l.Contains("[4053]", StringComparison.Ordinal) && l.Contains("c2c:call-node", StringComparison.Ordinal));
        // Nothing left to own: the taken-over lease is given back.
        await WaitForAsync(async () => await new LeaseRepository(h.Database).GetAsync("c2c:call-node") is null ? "released" : null);
        Assert.Equal(2, h.Originates().Count);
    }

    [Fact]
    public async Task Serve_takes_over_the_open_calls_of_a_paused_campaign_whose_process_died_and_dials_nothing_new()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 1, outcomes: AnsweredFor(3));
        var campaign = await h.CreateCampaignAsync("paused-then-killed", c => c with { MaxConcurrentCalls = 3 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(6));
        var lease = TimeSpan.FromSeconds(2);
        var doomed = await h.StartEngineAsync(h.Options("doomed", lease));
        _ = doomed.RunCampaignAsync(campaign.Id, CancellationToken.None);
        await PacingTests.WaitUntil(() => h.Simulator.LiveCalls == 3);
        Assert.True(await h.Campaigns.TransitionAsync(campaign.Id, [CampaignState.Running], CampaignState.Paused, "test"));
        await doomed.CrashAsync();

        // No dialer will run for a paused campaign: serve's supervisor takes its silent lease and follows the calls.
        var serve = await h.StartEngineAsync(h.Options("serve-node", lease), useScheduler: true);
        await PacingTests.WaitUntil(async () => (await h.Attempts.ListOpenAsync(campaignId: campaign.Id)).Count == 0, seconds: 60);
        Assert.Contains(h.Logs.Lines, l => l.Contains("[4053]", StringComparison.Ordinal) && l.Contains("campaign:" + campaign.Id, StringComparison.Ordinal));
        await WaitForAsync(async () => await new LeaseRepository(h.Database).GetAsync(LeaseKeys.Campaign(campaign.Id)) is null ? "released" : null);
        Assert.Equal(CampaignState.Paused, (await h.Campaigns.GetAsync(campaign.Id))!.State);
        Assert.Equal(3, h.Originates().Count);
        _ = serve;
    }

    /// <summary>Attempts, leads and leases (without the holders' own heartbeat columns), row by row.</summary>
    private static async Task<string> SnapshotAsync(AmiDialerDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        var rows = new List<string>();
        foreach (var sql in new[]
                 {
                     "SELECT * FROM attempts ORDER BY id",
                     "SELECT * FROM leads ORDER BY id",
                     "SELECT key, owner, host, pid, process_start, acquired_at FROM leases ORDER BY key",
                 })
        {
            foreach (IDictionary<string, object?> row in await connection.QueryAsync(sql))
            {
                rows.Add(string.Join("|", row.Select(p => $"{p.Key}={p.Value}")));
            }
        }

        return string.Join("\n", rows);
    }

    /// <summary>Another process takes the campaign's lease; returns the highest attempt id at that moment.</summary>
    private static async Task<long> StealAsync(AmiDialerDatabase database, long campaignId)
    {
        await using var connection = await database.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE leases SET owner = 'thief', heartbeat = heartbeat + 1 WHERE key = @key", new { key = LeaseKeys.Campaign(campaignId) });
        return await connection.ExecuteScalarAsync<long>("SELECT COALESCE(max(id), 0) FROM attempts");
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class => await WaitForAsync(() => Task.FromResult(probe()));

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(50);
        }
    }

    /// <summary>Real time whose monotonic clock can jump forward, as it does for a process that was paused.</summary>
    private sealed class JumpingTimeProvider : TimeProvider
    {
        private long _offset;

        public void Jump(TimeSpan by) => Interlocked.Add(ref _offset, (long)(by.TotalSeconds * TimestampFrequency));

        public override long GetTimestamp() => System.GetTimestamp() + Interlocked.Read(ref _offset);
    }

    /// <summary>The real writer, with a hook before and after each claim (counted from 1).</summary>
    private sealed class HookedWriter(IAttemptWriter inner) : IAttemptWriter
    {
        private int _claims;

        public Func<int, Task>? BeforeClaim { get; init; }

        public Func<int, DialClaimResult[], Task>? AfterClaim { get; init; }

        public (long Batches, long Requests) Stats => inner.Stats;

        public async Task<DialClaimResult[]> ClaimAsync(IReadOnlyList<DialClaim> claims, DateTimeOffset now)
        {
            var n = Interlocked.Increment(ref _claims);
            if (BeforeClaim is { } before)
            {
                await before(n);
            }

            var results = await inner.ClaimAsync(claims, now);
            if (AfterClaim is { } after)
            {
                await after(n, results);
            }

            return results;
        }

        public void MarkLive(long attemptId) => inner.MarkLive(attemptId);

        public void MarkAnswered(long attemptId, DateTimeOffset answeredAt) => inner.MarkAnswered(attemptId, answeredAt);

        public Task<AttemptEndResult[]> EndManyAsync(IReadOnlyList<AttemptEnding> endings) => inner.EndManyAsync(endings);

        public Task<T> RunExclusiveAsync<T>(Func<Task<T>> write) => inner.RunExclusiveAsync(write);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
