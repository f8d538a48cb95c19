using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Data.Tests.Postgres;

/// <summary>The PostgreSQL attempt writer keeps IAttemptWriter's promises, on a real server.</summary>
public sealed class PostgresAttemptWriterTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 30, 0, TimeSpan.Zero);

    internal static DialClaim Claim(Lead lead, string? actionId = null, LeaseFence? fence = null) =>
        new(new AttemptClaim(lead.Id, actionId ?? "act-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "pbx1", false), lead.CampaignId, lead.PhoneE164)
        {
            LeadState = lead.State,
            AttemptCount = lead.AttemptCount,
            Fence = fence,
        };

    private static async Task<IReadOnlyList<Lead>> DueAsync(PgStore store, long campaignId, int limit = 100)
    {
        await using var due = new PostgresDueLeadsQuery(store.DataSource);
        return await due.GetAsync(campaignId, Now, limit, LeadOrder.RetriesFirst);
    }

    [PostgresFact]
    public async Task Claims_write_dialing_attempts_and_the_counters_in_one_transaction()
    {
        await using var store = await PgStore.CreateAsync(postgres, "claims");
        var campaign = await store.CreateCampaignAsync(5, Now.AddMinutes(-1));
        var leads = await DueAsync(store, campaign);
        await using var writer = new PostgresAttemptWriter(store.DataSource);

        var results = await writer.ClaimAsync(leads.Select(l => Claim(l)).ToList(), Now);

        Assert.All(results, r => Assert.Equal(DialClaimStatus.Claimed, r.Status));
        Assert.Equal(leads.Select(l => l.Id), results.Select(r => r.Attempt!.LeadId));
        Assert.Equal(5, results.Select(r => r.Attempt!.Id).Distinct().Count());
        Assert.Equal((1L, 1L), writer.Stats);
        Assert.Equal(5L, await store.ScalarAsync<long>("SELECT count(*) FROM attempts WHERE state = 'dialing' AND lease_key = 'campaign:" + campaign + "'"));
        Assert.Equal(5L, await store.ScalarAsync<long>("SELECT count(*) FROM leads WHERE state = 'in_progress' AND attempt_count = 1 AND next_eligible_at IS NULL"));
        Assert.Equal(5, await store.CounterAsync(campaign, "state:in_progress"));
        Assert.Equal(0, await store.CounterAsync(campaign, "state:pending"));
        Assert.Equal(5, await store.CounterAsync(campaign, "attempts"));

        // Claimed again: nothing is dialable, nothing changes.
        var again = await writer.ClaimAsync(leads.Select(l => Claim(l)).ToList(), Now);
        Assert.All(again, r => Assert.Equal(DialClaimStatus.NotClaimable, r.Status));
        Assert.Equal(5L, await store.ScalarAsync<long>("SELECT count(*) FROM attempts"));
    }

    [PostgresFact]
    public async Task Do_not_call_not_due_changed_and_lost_lease_claims_each_get_their_own_answer()
    {
        await using var store = await PgStore.CreateAsync(postgres, "mixed");
        var campaign = await store.CreateCampaignAsync(5, Now.AddMinutes(-1));
        var leads = await DueAsync(store, campaign);
        await store.ExecuteAsync($"""
            INSERT INTO dnc (number, campaign_id, source, added_at, added_by) VALUES ('{leads[0].PhoneE164}', NULL, 'manual', now(), 't');
            INSERT INTO dnc (number, campaign_id, source, added_at, added_by) VALUES ('{leads[1].PhoneE164}', {campaign}, 'manual', now(), 't');
            UPDATE leads SET next_eligible_at = '{Now.AddHours(1).UtcDateTime:O}' WHERE id = {leads[2].Id};
            UPDATE leads SET attempt_count = 1 WHERE id = {leads[3].Id};
            INSERT INTO leases (key, owner, heartbeat, host, pid, process_start, acquired_at, renewed_at) VALUES ('campaign:{campaign}', 'other-node', 1, 'h', 1, 1, now(), now());
            """);
        await using var writer = new PostgresAttemptWriter(store.DataSource);

        var results = await writer.ClaimAsync(
            [Claim(leads[0]), Claim(leads[1]), Claim(leads[2]), Claim(leads[3]), Claim(leads[4], fence: new LeaseFence("campaign:" + campaign, "me"))], Now);

        Assert.Equal(
            [DialClaimStatus.Blocked, DialClaimStatus.Blocked, DialClaimStatus.NotClaimable, DialClaimStatus.NotClaimable, DialClaimStatus.LeaseLost],
            results.Select(r => r.Status));
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(*) FROM attempts"));
        Assert.Equal(2L, await store.ScalarAsync<long>("SELECT count(*) FROM leads WHERE state = 'blocked'"));
        Assert.Equal(2, await store.CounterAsync(campaign, "state:blocked"));
        Assert.Equal(3, await store.CounterAsync(campaign, "state:pending"));

        // The lease held by this owner: the fenced claim goes through.
        var fenced = await writer.ClaimAsync([Claim(leads[4], fence: new LeaseFence("campaign:" + campaign, "other-node"))], Now);
        Assert.Equal(DialClaimStatus.Claimed, fenced[0].Status);
    }

    [PostgresFact]
    public async Task A_claim_the_store_refuses_is_rolled_back_alone()
    {
        await using var store = await PgStore.CreateAsync(postgres, "refused");
        var campaign = await store.CreateCampaignAsync(3, Now.AddMinutes(-1));
        var leads = await DueAsync(store, campaign);
        await using var writer = new PostgresAttemptWriter(store.DataSource);

        // The second reuses the first's ActionID: the unique index refuses its attempt after its lead was updated.
        var results = await writer.ClaimAsync([Claim(leads[0], "same"), Claim(leads[1], "same"), Claim(leads[2])], Now);

        Assert.Equal([DialClaimStatus.Claimed, DialClaimStatus.NotClaimable, DialClaimStatus.Claimed], results.Select(r => r.Status));
        Assert.Contains("action_id", results[1].Error, StringComparison.Ordinal);
        Assert.Equal("pending", await store.ScalarAsync<string>($"SELECT state FROM leads WHERE id = {leads[1].Id}"));
        Assert.Equal(0, await store.ScalarAsync<int>($"SELECT attempt_count FROM leads WHERE id = {leads[1].Id}"));
        Assert.Equal(2, await store.CounterAsync(campaign, "state:in_progress"));
        Assert.Equal(1, await store.CounterAsync(campaign, "state:pending"));
    }

    [PostgresFact]
    public async Task The_open_attempt_index_refuses_a_second_live_attempt_for_a_lead_even_when_the_lead_says_dialable()
    {
        await using var store = await PgStore.CreateAsync(postgres, "openlead");
        var campaign = await store.CreateCampaignAsync(1, Now.AddMinutes(-1));
        var lead = (await DueAsync(store, campaign))[0];
        await using var writer = new PostgresAttemptWriter(store.DataSource);
        var first = (await writer.ClaimAsync([Claim(lead)], Now))[0];
        Assert.Equal(DialClaimStatus.Claimed, first.Status);

        // A bug puts the lead back to pending while its attempt is still open.
        await store.ExecuteAsync($"UPDATE leads SET state = 'pending', next_eligible_at = '{Now.AddMinutes(-1).UtcDateTime:O}' WHERE id = {lead.Id}");
        var second = (await writer.ClaimAsync([Claim(lead with { AttemptCount = 1 })], Now))[0];

        Assert.Equal(DialClaimStatus.NotClaimable, second.Status);
        Assert.Null(second.Error);
        Assert.Equal(1L, await store.ScalarAsync<long>($"SELECT count(*) FROM attempts WHERE lead_id = {lead.Id}"));
        // Rolled back with it: the lead as the bug left it, the counters as the first claim left them.
        Assert.Equal("pending", await store.ScalarAsync<string>($"SELECT state FROM leads WHERE id = {lead.Id}"));
        Assert.Equal(1, await store.CounterAsync(campaign, "attempts"));

        // And straight in SQL, whatever the code does.
        var e = await Assert.ThrowsAsync<PostgresException>(() => store.ExecuteAsync($"""
            INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated)
            VALUES ({lead.Id}, {campaign}, 'x', 'y', 'pbx1', 'live', now(), false)
            """));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, e.SqlState);
        Assert.Equal("ux_attempts_open_lead", e.ConstraintName);
    }

    [PostgresFact]
    public async Task Marks_and_endings_end_the_attempt_move_the_lead_and_count_once()
    {
        await using var store = await PgStore.CreateAsync(postgres, "endings");
        var campaign = await store.CreateCampaignAsync(3, Now.AddMinutes(-1));
        var leads = await DueAsync(store, campaign);
        await using var writer = new PostgresAttemptWriter(store.DataSource);
        var attempts = (await writer.ClaimAsync(leads.Select(l => Claim(l)).ToList(), Now)).Select(r => r.Attempt!).ToArray();
        writer.MarkLive(attempts[0].Id);
        writer.MarkAnswered(attempts[0].Id, Now.AddSeconds(5));
        writer.MarkLive(attempts[1].Id);

        var answered = new AttemptEnding
        {
            AttemptId = attempts[0].Id, Outcome = CallOutcome.Answered, EndedAt = Now.AddSeconds(65), TalkSeconds = 60, HangupCause = 16,
            LeadState = LeadState.Done, LeadFinalOutcome = CallOutcome.Answered, Claimed = new ClaimedAttempt(leads[0].Id, campaign, Now),
        };
        var busy = new AttemptEnding
        {
            AttemptId = attempts[1].Id, Outcome = CallOutcome.Busy, EndedAt = Now.AddSeconds(3), DialStatus = "BUSY",
            LeadState = LeadState.WaitingRetry, LeadNextEligibleAt = Now.AddHours(1),
        };
        var notSent = new AttemptEnding
        {
            AttemptId = attempts[2].Id, Outcome = CallOutcome.NotSent, EndedAt = Now, LeadState = LeadState.Pending, LeadNextEligibleAt = Now,
        };

        var results = await writer.EndManyAsync([answered, busy, notSent, busy]);

        Assert.Equal([true, true, true, false], results.Select(r => r.Ended));
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.False(await writer.EndAsync(answered));
        Assert.Equal(Now.AddSeconds(5), await store.ScalarAsync<DateTime>($"SELECT answered_at FROM attempts WHERE id = {attempts[0].Id}"));
        Assert.Equal(60.0, await store.ScalarAsync<double>($"SELECT talk_seconds FROM attempts WHERE id = {attempts[0].Id}"));
        Assert.Equal("BUSY", await store.ScalarAsync<string>($"SELECT dial_status FROM attempts WHERE id = {attempts[1].Id}"));
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(*) FROM attempts WHERE state <> 'ended'"));
        Assert.Equal("done answered 1", await store.ScalarAsync<string>($"SELECT state || ' ' || final_outcome || ' ' || attempt_count FROM leads WHERE id = {leads[0].Id}"));
        Assert.Equal("waiting_retry 1", await store.ScalarAsync<string>($"SELECT state || ' ' || attempt_count FROM leads WHERE id = {leads[1].Id}"));
        // Never sent: the lead's attempt does not count.
        Assert.Equal("pending 0", await store.ScalarAsync<string>($"SELECT state || ' ' || attempt_count FROM leads WHERE id = {leads[2].Id}"));
        Assert.Equal(0, await store.CounterAsync(campaign, "state:in_progress"));
        Assert.Equal(1, await store.CounterAsync(campaign, "state:done"));
        Assert.Equal(1, await store.CounterAsync(campaign, "state:waiting_retry"));
        Assert.Equal(1, await store.CounterAsync(campaign, "state:pending"));
        Assert.Equal(1, await store.CounterAsync(campaign, "outcome:answered"));
        Assert.Equal(1, await store.CounterAsync(campaign, "attempt:busy"));
        Assert.Equal(60, await store.CounterAsync(campaign, "talk_seconds"));
        Assert.Equal("3 1 60", await store.ScalarAsync<string>(
            $"SELECT attempts || ' ' || answered || ' ' || talk_seconds FROM campaign_hourly WHERE campaign_id = {campaign} AND hour_utc = '2026-12-07T10:00:00Z'"));
    }

    [PostgresFact]
    public async Task A_mark_with_no_ending_after_it_is_written_on_its_own_and_at_disposal()
    {
        await using var store = await PgStore.CreateAsync(postgres, "marks");
        var campaign = await store.CreateCampaignAsync(2, Now.AddMinutes(-1));
        var leads = await DueAsync(store, campaign);
        var writer = new PostgresAttemptWriter(store.DataSource);
        var attempts = (await writer.ClaimAsync(leads.Select(l => Claim(l)).ToList(), Now)).Select(r => r.Attempt!).ToArray();

        writer.MarkLive(attempts[0].Id);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await store.ScalarAsync<string>($"SELECT state FROM attempts WHERE id = {attempts[0].Id}") != "live" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal("live", await store.ScalarAsync<string>($"SELECT state FROM attempts WHERE id = {attempts[0].Id}"));
        writer.MarkAnswered(attempts[1].Id, Now.AddSeconds(2));
        await writer.DisposeAsync();
        Assert.Equal("live", await store.ScalarAsync<string>($"SELECT state FROM attempts WHERE id = {attempts[1].Id}"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.ClaimAsync([Claim(leads[0])], Now));
    }
}
