using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Dapper;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary>
/// Leads, reports, pre-flight counts, click-to-call claims and the attempts they write, on both stores: the
/// statements whose SQL the two engines read differently (instants, flags, joins, lists, hours) each run here.
/// </summary>
public sealed class StoreReadsTests(PostgresFixture postgres) : StoreTests(postgres)
{
    [Theory, SqliteStore, PostgresStore]
    public async Task Leads_are_due_wait_move_and_expire_with_the_counters_kept_true(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var campaign = await db.CreateCampaignWithLeadsAsync(5);
        var now = db.Time.GetUtcNow();

        var due = await db.Leads.GetDueAsync(campaign.Id, now, 10);
        Assert.Equal(5, due.Count);
        Assert.Equal(["+12125550000", "+12125550001", "+12125550002", "+12125550003", "+12125550004"], due.Select(l => l.PhoneE164));
        Assert.Equal("n3", due[3].Fields["name"]);
        Assert.Equal(now, due[0].NextEligibleAt);

        var later = now.AddHours(2);
        Assert.True(await db.Leads.RescheduleAsync(due[4].Id, later));
        Assert.Equal(4, (await db.Leads.GetDueAsync(campaign.Id, now, 10)).Count);
        var waiting = await db.Leads.GetWaitingAsync(campaign.Id, now, 3);
        Assert.Equal(4, waiting.DueNow);
        Assert.Equal(1, waiting.PendingLater);
        Assert.Equal(0, waiting.RetriesLater);
        Assert.Equal(due[4].Id, Assert.Single(waiting.Next).Id);
        Assert.Equal(later, waiting.Next[0].NextEligibleAt);
        Assert.Equal(now, await db.Leads.GetNextDueAtAsync(campaign.Id));

        Assert.True(await db.Leads.TransitionAsync(due[0].Id, LeadState.Pending, LeadState.Done, CallOutcome.Answered, null, "by hand"));
        Assert.False(await db.Leads.TransitionAsync(due[0].Id, LeadState.Pending, LeadState.Done, CallOutcome.Answered, null));
        Assert.Equal(LeadState.Done, (await db.Leads.GetByPhoneAsync(campaign.Id, "+12125550000"))!.State);

        Assert.Equal(4, await db.Leads.ExpireDialableAsync(campaign.Id));
        Assert.Null(await db.Leads.GetNextDueAtAsync(campaign.Id));

        var summary = await db.Reports.GetSummaryAsync(campaign.Id);
        Assert.Equal(5, summary.Leads);
        Assert.Equal(1, summary.LeadsByState[LeadState.Done]);
        Assert.Equal(4, summary.LeadsByState[LeadState.Expired]);
        Assert.Equal(1, summary.LeadsByOutcome[CallOutcome.Answered]);
        var rebuilt = await db.Reports.RebuildCountersAsync(campaign.Id);
        Assert.Equal(summary.LeadsByState, rebuilt.LeadsByState);
        Assert.Equal(summary.LeadsByOutcome, rebuilt.LeadsByOutcome);

        var rows = await db.Reports.ListLeadRowsAsync(campaign.Id, 0, 10, LeadState.Done);
        Assert.Equal("by hand", Assert.Single(rows).Note);
        var preflight = await new PreflightRepository(db.Database).CountAsync(campaign.Id, now);
        Assert.Equal(4, preflight.LeadsByState[LeadState.Expired]);
        Assert.Empty(preflight.Dialable);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Pre_flight_counts_due_and_later_leads_by_zone_and_those_on_the_do_not_call_list(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var campaign = await db.CreateCampaignWithLeadsAsync(3);
        var now = db.Time.GetUtcNow();
        var leads = await db.Leads.GetDueAsync(campaign.Id, now, 10);
        Assert.True(await db.Leads.RescheduleAsync(leads[2].Id, now.AddHours(1)));
        await db.Dnc.AddAsync("+12125550001", null, DncSource.Manual, "tester");

        var counts = await new PreflightRepository(db.Database).CountAsync(campaign.Id, now);

        // The do-not-call entry blocked its dialable lead at once: two pending leads remain, one due now, one later.
        Assert.Equal(1, counts.LeadsByState[LeadState.Blocked]);
        var dueNow = Assert.Single(counts.Dialable, g => g.Due);
        var dueLater = Assert.Single(counts.Dialable, g => !g.Due);
        Assert.Equal(1, dueNow.Count);
        Assert.Equal(0, dueNow.OnDoNotCall);
        Assert.Equal(now, dueNow.FirstDueAt);
        Assert.Equal(now.AddHours(1), dueLater.FirstDueAt);
        Assert.Equal(["America/New_York"], dueNow.TimeZones);
        Assert.Equal(0, counts.History.FinishedLeads);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_click_to_call_claim_writes_one_live_attempt_per_number_and_every_read_finds_it(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var campaign = await db.Campaigns.CreateAsync(new Campaign { Name = BuiltInCampaign.ClickToCallName }, "tester");
        var now = db.Time.GetUtcNow();
        var claims = new ClickToCallLeadRepository(db.Database);
        var lease = LeaseKeys.ClickToCall("node-a");
        ClickToCallClaim Claim(string action) =>
            new(campaign.Id, "+12125550142", ["America/New_York"], action, action + "-chan", "pbx1", IsSimulated: true) { Agent = "PJSIP/101", Destination = "sales,s,1" };

        var (attempt, lead) = (await claims.ClaimAsync(Claim("a1") with { Lease = null }, now))!.Value;
        Assert.Null(await claims.ClaimAsync(Claim("a2"), now));

        Assert.Equal(LeadState.InProgress, lead.State);
        Assert.Equal(1, lead.AttemptCount);
        var read = (await db.Attempts.GetAsync(attempt.Id))!;
        Assert.Equal(AttemptState.Dialing, read.State);
        Assert.Equal(now, read.CreatedAt);
        Assert.True(read.IsSimulated);
        Assert.Equal(attempt.Id, (await db.Attempts.GetByActionIdAsync("a1"))!.Id);
        Assert.Equal(attempt.Id, Assert.Single(await db.Attempts.ListOpenAsync("pbx1")).Id);
        Assert.Empty(await db.Attempts.ListOpenAsync("pbx2"));
        Assert.Equal(attempt.Id, Assert.Single(await db.Attempts.ListOpenAsync(campaignId: campaign.Id)).Id);
        Assert.Equal(attempt.Id, Assert.Single(await db.Attempts.ListOpenOwnedAsync(LeaseKeys.Campaign(campaign.Id))).Id);
        Assert.Empty(await db.Attempts.ListOpenOwnedAsync(lease));
        Assert.True(await db.Attempts.AnyForCampaignAsync(campaign.Id));
        Assert.False(await db.Attempts.AnyForCampaignAsync(campaign.Id + 1));
        Assert.Equal([LeaseKeys.Campaign(campaign.Id)], await db.Leases.ListOpenAttemptKeysAsync(LeaseKeys.CampaignPrefix));
        Assert.Empty(await db.Attempts.CountOutcomesAsync(lead.Id));

        var records = new ClickToCallRecords(db.Database);
        var record = (await records.GetAsync(attempt.Id))!;
        Assert.Equal(("+12125550142", "PJSIP/101", "sales,s,1"), (record.PhoneE164, record.Agent, record.Destination));
        var (calls, total) = await records.ListAsync(new ClickToCallQuery { Agent = "PJSIP/101", From = now.AddMinutes(-1), To = now.AddMinutes(1) });
        Assert.Equal(1, total);
        Assert.Equal(attempt.Id, Assert.Single(calls).Attempt.Id);
        Assert.Equal(0, (await records.ListAsync(new ClickToCallQuery { From = now.AddMinutes(1) })).Total);
        Assert.Equal(1, (await records.ListAsync(new ClickToCallQuery())).Total);

        Assert.Equal(1, await db.Reports.CountAttemptsSinceAsync(campaign.Id, now, 100));
        Assert.Equal(0, await db.Reports.CountAttemptsSinceAsync(campaign.Id, now.AddSeconds(1), 100));
        var row = (await db.Reports.GetLeadRowAsync(campaign.Id, lead.Id))!;
        Assert.Equal(now, row.LastAttemptAt);
        Assert.True(row.IsSimulated);
        var filter = new LeadFilter { PhoneDigits = "555014", LastAttemptFrom = now, LastAttemptTo = now.AddSeconds(1), State = LeadState.InProgress };
        Assert.Equal(lead.Id, Assert.Single(await db.Reports.ListFilteredLeadRowsAsync(campaign.Id, filter, 0, 10)).LeadId);
        Assert.Equal(1, await db.Reports.CountFilteredLeadsAsync(campaign.Id, filter));
        Assert.Equal(0, await db.Reports.CountFilteredLeadsAsync(campaign.Id, filter with { PhonePrefix = "+1313" }));
        Assert.Equal(1, await db.Reports.CountFilteredLeadsAsync(campaign.Id, new LeadFilter { PhonePrefix = "+1212" }));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task The_store_refuses_a_second_open_attempt_for_a_lead_and_the_claim_changes_nothing(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var campaign = await db.CreateCampaignWithLeadsAsync(1);
        var lead = Assert.Single(await db.Leads.GetDueAsync(campaign.Id, db.Time.GetUtcNow(), 1));
        await using var connection = await db.Database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var first = await AttemptRepository.InsertDialingAsync(connection, transaction, lead.Id, campaign.Id, LeadState.Pending, new AttemptClaim(lead.Id, "x1", "c1", "pbx1", false), db.Time.GetUtcNow(), CancellationToken.None);
        var second = await AttemptRepository.InsertDialingAsync(connection, transaction, lead.Id, campaign.Id, LeadState.Pending, new AttemptClaim(lead.Id, "x2", "c2", "pbx1", false), db.Time.GetUtcNow(), CancellationToken.None);
        // The transaction is still usable after the refusal (PostgreSQL aborts one on an error: the insert must not raise one).
        await transaction.CommitAsync();

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal(first, Assert.Single(await db.Attempts.ListByLeadAsync(lead.Id)).Id);
        // Bypassing the repository, the index itself refuses, and the failure is classified as a unique violation on either engine.
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => connection.ExecuteAsync(
            AttemptRepository.InsertDialingSql, new { leadId = lead.Id, campaignId = campaign.Id, actionId = "x3", channelId = "c3", server = "pbx1", now = db.Time.GetUtcNow(), isSimulated = false, leaseKey = (string?)null }));
        Assert.True(AttemptRepository.IsOpenAttemptConflict(ex), ex.Message);
        Assert.Equal(StoreFailure.Unique, StoreErrors.Classify(ex));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Audit_entries_read_back_newest_first_and_by_subject_with_their_instants(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var campaign = await db.CreateCampaignAsync("audited");
        db.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await db.Campaigns.TransitionAsync(campaign.Id, [CampaignState.Draft], CampaignState.Running, "bob"));
        await db.Dnc.AddAsync("+12125550199", campaign.Id, DncSource.OptOut, "carol", "asked");

        var audit = new AuditLog(db.Database);
        var all = await audit.ListAsync();
        Assert.Equal(["dnc.add", "campaign.state", "campaign.create"], all.Select(e => e.Action));
        Assert.Equal(db.Time.GetUtcNow(), all[1].At);
        var forCampaign = await audit.ListAsync(subject: $"campaign:{campaign.Id}");
        Assert.Equal(2, forCampaign.Count);
        Assert.Equal("draft -> running", forCampaign[0].Details);
        Assert.Equal(1, await db.Dnc.CountAsync(new DncQuery { Search = "ASKED" }));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Requeues_give_unknown_and_simulated_leads_back_with_the_counters_moved(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var campaign = await db.CreateCampaignWithLeadsAsync(3);
        var now = db.Time.GetUtcNow();
        var leads = await db.Leads.GetDueAsync(campaign.Id, now, 10);
        Assert.True(await db.Leads.TransitionAsync(leads[0].Id, LeadState.Pending, LeadState.Done, CallOutcome.Unknown, null));
        Assert.True(await db.Campaigns.TransitionAsync(campaign.Id, [CampaignState.Draft], CampaignState.Completed, "tester"));
        var requeue = new CampaignRequeue(db.Database, db.Time);

        var unknown = await requeue.UnknownAsync(campaign.Id, "tester");

        Assert.Equal(new RequeueResult(1, CampaignState.Paused), unknown);
        Assert.Equal(LeadState.Pending, (await db.Leads.GetAsync(leads[0].Id))!.State);

        // A lead whose last call was simulated, in a campaign the simulator dialed.
        Assert.True(await db.Campaigns.MarkSimulatedAsync(campaign.Id, "tester"));
        Assert.False(await db.Campaigns.MarkSimulatedAsync(campaign.Id, "tester"));
        var claim = await new ClickToCallLeadRepository(db.Database).ClaimAsync(
            new ClickToCallClaim(campaign.Id, leads[1].PhoneE164, ["America/New_York"], "s1", "s1-chan", "simulator", IsSimulated: true), now);
        Assert.NotNull(claim);
        await using (var connection = await db.Database.OpenConnectionAsync())
        {
            // Ended as the writer would (the writer is the engine's, tested on its own): the attempt, then its lead.
            await connection.ExecuteAsync("UPDATE attempts SET state = 'ended', outcome = 'answered', ended_at = @now WHERE id = @id", new { now, id = claim.Value.Attempt.Id });
            Assert.True(await db.Leads.TransitionAsync(leads[1].Id, LeadState.InProgress, LeadState.Done, CallOutcome.Answered, null));
        }

        var simulated = await requeue.SimulatedAsync(campaign.Id, "tester");

        Assert.Equal(1, simulated.LeadsReturned);
        var back = (await db.Leads.GetAsync(leads[1].Id))!;
        Assert.Equal((LeadState.Pending, 0), (back.State, back.AttemptCount));
        Assert.False((await db.Campaigns.GetAsync(campaign.Id))!.IsSimulated);
        var summary = await db.Reports.GetSummaryAsync(campaign.Id);
        Assert.Equal(3, summary.LeadsByState[LeadState.Pending]);
        Assert.Equal(summary.LeadsByState, (await db.Reports.RebuildCountersAsync(campaign.Id)).LeadsByState);
    }
}
