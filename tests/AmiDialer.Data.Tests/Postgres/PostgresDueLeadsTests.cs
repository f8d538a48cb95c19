using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Data.Tests.Postgres;

/// <summary>Due leads and claims on PostgreSQL with several nodes: never one lead claimed twice, never a wait on another's claim.</summary>
public sealed class PostgresDueLeadsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 30, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task Two_nodes_claiming_one_campaign_at_once_never_claim_one_lead_twice()
    {
        const int Leads = 2000;
        await using var store = await PgStore.CreateAsync(postgres, "twonodes");
        var campaign = await store.CreateCampaignAsync(Leads, Now.AddMinutes(-1));

        var claimed = await Task.WhenAll(Enumerable.Range(0, 2).Select(node => Task.Run(() => RunNodeAsync(store, campaign, node))));

        var all = claimed.SelectMany(c => c).ToList();
        Assert.Equal(Leads, all.Count);
        Assert.Equal(Leads, all.Distinct().Count());
        Assert.Equal(Leads, await store.ScalarAsync<long>("SELECT count(*) FROM attempts"));
        Assert.Equal(Leads, await store.ScalarAsync<long>("SELECT count(DISTINCT lead_id) FROM attempts"));
        Assert.Equal(Leads, await store.ScalarAsync<long>("SELECT count(*) FROM leads WHERE state = 'in_progress' AND attempt_count = 1"));
        Assert.Equal(Leads, await store.CounterAsync(campaign, "state:in_progress"));
        Assert.Equal(0, await store.CounterAsync(campaign, "state:pending"));
        Assert.Equal(Leads, await store.CounterAsync(campaign, "attempts"));
    }

    /// <summary>One node's dialer loop: due leads, claimed in batches, until none is due; returns the leads it claimed.</summary>
    private static async Task<List<long>> RunNodeAsync(PgStore store, long campaign, int node)
    {
        await using var dataSource = store.OpenNode();
        await using var due = new PostgresDueLeadsQuery(dataSource);
        await using var writer = new PostgresAttemptWriter(dataSource);
        var mine = new List<long>();
        while (true)
        {
            var leads = await due.GetAsync(campaign, Now, 25, LeadOrder.RetriesFirst);
            if (leads.Count == 0)
            {
                return mine;
            }

            var results = await writer.ClaimAsync(leads.Select(l => PostgresAttemptWriterTests.Claim(l, $"n{node}-{l.Id}")).ToList(), Now);
            mine.AddRange(results.Where(r => r.Status == DialClaimStatus.Claimed).Select(r => r.Attempt!.LeadId));
            Assert.All(results, r => Assert.Null(r.Error));
        }
    }

    [PostgresFact]
    public async Task A_lead_another_node_is_claiming_is_skipped_not_waited_for_and_claimable_once_it_lets_go()
    {
        await using var store = await PgStore.CreateAsync(postgres, "skiplocked");
        var campaign = await store.CreateCampaignAsync(3, Now.AddMinutes(-1));
        await using var due = new PostgresDueLeadsQuery(store.DataSource);
        var leads = await due.GetAsync(campaign, Now, 10, LeadOrder.RetriesFirst);
        Assert.Equal(3, leads.Count);

        // The other node's claim in flight: its transaction holds the first lead's row.
        await using var other = await store.DataSource.OpenConnectionAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM leads WHERE id = {leads[0].Id} FOR UPDATE", other, transaction))
        {
            await lockRow.ExecuteScalarAsync();
        }

        Assert.Equal(leads.Skip(1).Select(l => l.Id), (await due.GetAsync(campaign, Now, 10, LeadOrder.RetriesFirst)).Select(l => l.Id));
        await using var writer = new PostgresAttemptWriter(store.DataSource);
        // Bounded only so that a claim that waited for the lock fails the test instead of hanging it.
        var claiming = writer.ClaimAsync([PostgresAttemptWriterTests.Claim(leads[0]), PostgresAttemptWriterTests.Claim(leads[1])], Now);
        var results = await claiming.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([DialClaimStatus.NotClaimable, DialClaimStatus.Claimed], results.Select(r => r.Status));

        await transaction.RollbackAsync();
        Assert.Equal(DialClaimStatus.Claimed, (await writer.ClaimAsync([PostgresAttemptWriterTests.Claim(leads[0])], Now))[0].Status);
    }

    [PostgresFact]
    public async Task Due_leads_come_in_the_campaign_order_retries_or_fresh_first_earliest_first()
    {
        await using var store = await PgStore.CreateAsync(postgres, "order");
        var campaign = await store.CreateCampaignAsync(4, Now.AddMinutes(-10));
        await store.ExecuteAsync($"""
            UPDATE leads SET state = 'waiting_retry', attempt_count = 1, next_eligible_at = '{Now.AddMinutes(-1).UtcDateTime:O}' WHERE phone = '+15550000003';
            UPDATE leads SET state = 'waiting_retry', attempt_count = 1, next_eligible_at = '{Now.AddMinutes(1).UtcDateTime:O}' WHERE phone = '+15550000004';
            """);
        await using var due = new PostgresDueLeadsQuery(store.DataSource);

        var retriesFirst = await due.GetAsync(campaign, Now, 10, LeadOrder.RetriesFirst);
        var freshFirst = await due.GetAsync(campaign, Now, 2, LeadOrder.FreshFirst);

        Assert.Equal(["+15550000003", "+15550000001", "+15550000002"], retriesFirst.Select(l => l.PhoneE164));
        Assert.Equal(LeadState.WaitingRetry, retriesFirst[0].State);
        Assert.Equal(Now.AddMinutes(-1), retriesFirst[0].NextEligibleAt);
        Assert.Equal("3", retriesFirst[0].Fields["n"]);
        Assert.Equal(["UTC"], retriesFirst[0].TimeZones);
        Assert.Equal(["+15550000001", "+15550000002"], freshFirst.Select(l => l.PhoneE164));
    }
}
