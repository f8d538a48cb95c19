using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Tests.Repositories;

public sealed class AttemptRepositoryTests
{
    private static async Task<(TempDatabase Db, Campaign Campaign)> WithLeadsAsync(int count)
    {
        var db = await TempDatabase.CreateAsync();
        return (db, await db.CreateCampaignWithLeadsAsync(count));
    }

    /// <summary>A lead's every value, its collections spelled out (a record compares those by reference).</summary>
    private static string Shape(Lead l) =>
        $"{l.Id}|{l.CampaignId}|{l.PhoneE164}|{string.Join(",", l.Fields.OrderBy(f => f.Key))}|{string.Join(",", l.TimeZones)}|{l.State}|{l.FinalOutcome}|{l.AttemptCount}|{l.NextEligibleAt:O}";

    /// <summary>Claims one lead through the engine's writer, as the dialer does: its attempt, or null when not claimed.</summary>
    private static async Task<Attempt?> ClaimAsync(TempDatabase db, IAttemptWriter writer, long leadId, DateTimeOffset now, string server = "pbx1", bool simulated = false)
    {
        var lead = (await db.Leads.GetAsync(leadId))!;
        var claim = new AttemptClaim(leadId, "act-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), server, simulated);
        var result = (await writer.ClaimAsync([new DialClaim(claim, lead.CampaignId, lead.PhoneE164)], now))[0];
        return result.Status == DialClaimStatus.Claimed ? result.Attempt : null;
    }

    [Fact]
    public async Task Due_leads_come_in_next_eligible_order_and_only_once_due()
    {
        var (db, c) = await WithLeadsAsync(5);
        await using var _ = db;
        var now = db.Time.GetUtcNow();
        var all = await db.Leads.GetDueAsync(c.Id, now, 10);
        Assert.Equal(5, all.Count);
        Assert.True(await db.Leads.RescheduleAsync(all[0].Id, now + TimeSpan.FromHours(1)));
        Assert.True(await db.Leads.RescheduleAsync(all[1].Id, now - TimeSpan.FromMinutes(5)));

        var due = await db.Leads.GetDueAsync(c.Id, now, 10);
        Assert.Equal(4, due.Count);
        Assert.Equal(all[1].Id, due[0].Id);
        Assert.Equal(2, (await db.Leads.GetDueAsync(c.Id, now, 2)).Count);
        Assert.Equal(5, (await db.Leads.GetDueAsync(c.Id, now + TimeSpan.FromHours(2), 10)).Count);
        Assert.Equal(now - TimeSpan.FromMinutes(5), await db.Leads.GetNextDueAtAsync(c.Id));
    }

    [Fact]
    public async Task The_prepared_due_query_gives_the_same_leads_as_the_repository_and_sees_changes_between_asks()
    {
        var (db, c) = await WithLeadsAsync(6);
        await using var _ = db;
        var now = db.Time.GetUtcNow();
        await using var due = (DueLeadsQuery)await db.Leads.OpenDueQueryAsync();
        await using var writer = new AttemptWriter(db.Database);
        var all = await db.Leads.GetDueAsync(c.Id, now, 10);
        Assert.Equal(all.Select(Shape), (await due.GetAsync(c.Id, now, 10)).Select(Shape));
        Assert.Equal("n0", all[0].Fields["name"]);

        // Asked again on the same connection: a lead moved later and one claimed since are both seen.
        Assert.True(await db.Leads.RescheduleAsync(all[0].Id, now + TimeSpan.FromHours(1)));
        Assert.NotNull(await ClaimAsync(db, writer, all[1].Id, now));
        var again = await due.GetAsync(c.Id, now, 10);
        Assert.Equal((await db.Leads.GetDueAsync(c.Id, now, 10)).Select(Shape), again.Select(Shape));
        Assert.Equal(all.Skip(2).Select(l => l.Id), again.Select(l => l.Id));
        Assert.Equal(2, (await due.GetAsync(c.Id, now, 2)).Count);
        Assert.Empty(await due.GetAsync(c.Id, now, 0));
        var later = await due.GetAsync(c.Id, now + TimeSpan.FromHours(2), 10);
        Assert.Equal(all[0].Id, later[^1].Id);
        Assert.Equal(now + TimeSpan.FromHours(1), later[^1].NextEligibleAt);
    }

    [Fact]
    public async Task Claim_then_live_then_end_through_the_writer_moves_lead_attempt_and_counters_together()
    {
        var (db, c) = await WithLeadsAsync(3);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database);
        var now = db.Time.GetUtcNow();
        var lead = (await db.Leads.GetDueAsync(c.Id, now, 1))[0];

        var attempt = await ClaimAsync(db, writer, lead.Id, now);
        Assert.NotNull(attempt);
        Assert.Equal(AttemptState.Dialing, attempt.State);
        var claimed = await db.Leads.GetAsync(lead.Id);
        Assert.Equal(LeadState.InProgress, claimed!.State);
        Assert.Equal(1, claimed.AttemptCount);
        Assert.Null(claimed.NextEligibleAt);
        Assert.DoesNotContain(await db.Leads.GetDueAsync(c.Id, now, 10), l => l.Id == lead.Id);

        writer.MarkLive(attempt.Id);
        Assert.Equal(AttemptState.Live, (await writer.RunExclusiveAsync(() => db.Attempts.GetAsync(attempt.Id)))!.State);

        var retryAt = now + TimeSpan.FromMinutes(5);
        Assert.True(await writer.EndAsync(new AttemptEnding
        {
            AttemptId = attempt.Id, Outcome = CallOutcome.Busy, EndedAt = now + TimeSpan.FromSeconds(8), AnsweredAt = now + TimeSpan.FromSeconds(5),
            Reason = "5", DialStatus = "BUSY", HangupCause = 17, HangupCauseText = "User busy",
            LeadState = LeadState.WaitingRetry, LeadNextEligibleAt = retryAt,
        }));
        var ended = await db.Attempts.GetByActionIdAsync(attempt.ActionId);
        Assert.Equal(AttemptState.Ended, ended!.State);
        Assert.Equal(CallOutcome.Busy, ended.Outcome);
        Assert.Equal(17, ended.HangupCause);
        Assert.Equal("User busy", ended.HangupCauseText);
        Assert.Equal("BUSY", ended.DialStatus);
        Assert.Equal("5", ended.Reason);
        Assert.Equal(now + TimeSpan.FromSeconds(5), ended.AnsweredAt);
        var waiting = await db.Leads.GetAsync(lead.Id);
        Assert.Equal(LeadState.WaitingRetry, waiting!.State);
        Assert.Equal(retryAt, waiting.NextEligibleAt);
        Assert.Null(waiting.FinalOutcome);

        // Ending twice is harmless; claiming before the retry time is refused; after it, allowed.
        Assert.False(await writer.EndAsync(new AttemptEnding { AttemptId = attempt.Id, Outcome = CallOutcome.Answered, EndedAt = now, LeadState = LeadState.Done }));
        Assert.Null(await ClaimAsync(db, writer, lead.Id, now + TimeSpan.FromMinutes(1)));
        var second = await ClaimAsync(db, writer, lead.Id, retryAt);
        Assert.NotNull(second);
        Assert.True(await writer.EndAsync(new AttemptEnding
        {
            AttemptId = second.Id, Outcome = CallOutcome.Answered, EndedAt = retryAt + TimeSpan.FromSeconds(40),
            AnsweredAt = retryAt + TimeSpan.FromSeconds(10), TalkSeconds = 30,
            LeadState = LeadState.Done, LeadFinalOutcome = CallOutcome.Answered,
        }));

        var history = await db.Attempts.ListByLeadAsync(lead.Id);
        Assert.Equal([CallOutcome.Busy, CallOutcome.Answered], history.Select(a => a.Outcome!.Value));
        var counts = await db.Attempts.CountOutcomesAsync(lead.Id);
        Assert.Equal(1, counts[CallOutcome.Busy]);
        Assert.Equal(1, counts[CallOutcome.Answered]);

        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(3, summary.Leads);
        Assert.Equal(2, summary.LeadsByState[LeadState.Pending]);
        Assert.Equal(1, summary.LeadsByState[LeadState.Done]);
        Assert.Equal(0, summary.LeadsByState[LeadState.InProgress]);
        Assert.Equal(1, summary.LeadsByOutcome[CallOutcome.Answered]);
        Assert.Equal(2, summary.Attempts);
        Assert.Equal(1, summary.AnsweredAttempts);
        Assert.Equal(30, summary.AverageTalkSeconds);
        Assert.Equal(2, summary.ByHour.Sum(h => h.Attempts));
        await AssertCountersAgreeWithARecountAsync(db, c.Id);
    }

    [Fact]
    public async Task An_ending_whose_lead_moved_meanwhile_counts_from_where_the_lead_was_and_keeps_its_first_final_outcome()
    {
        var (db, c) = await WithLeadsAsync(2);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database);
        var now = db.Time.GetUtcNow();
        var leads = await db.Leads.GetDueAsync(c.Id, now, 2);
        var first = (await ClaimAsync(db, writer, leads[0].Id, now))!;
        var second = (await ClaimAsync(db, writer, leads[1].Id, now))!;
        // Settled behind the writer's back (as a reconciliation in another process might), the counters with it.
        Assert.True(await db.Leads.TransitionAsync(leads[0].Id, LeadState.InProgress, LeadState.Done, CallOutcome.Answered, null));
        Assert.True(await db.Leads.TransitionAsync(leads[1].Id, LeadState.InProgress, LeadState.Pending, null, now));

        var results = await writer.EndManyAsync(
        [
            new AttemptEnding { AttemptId = first.Id, Outcome = CallOutcome.Busy, EndedAt = now.AddSeconds(3), LeadState = LeadState.Exhausted, LeadFinalOutcome = CallOutcome.Busy },
            new AttemptEnding { AttemptId = second.Id, Outcome = CallOutcome.NoAnswer, EndedAt = now.AddSeconds(3), LeadState = LeadState.Exhausted, LeadFinalOutcome = CallOutcome.NoAnswer },
        ]);

        Assert.Equal([true, true], results.Select(r => r.Ended));
        Assert.Equal((LeadState.Exhausted, CallOutcome.Answered), ((await db.Leads.GetAsync(leads[0].Id))!.State, (await db.Leads.GetAsync(leads[0].Id))!.FinalOutcome));
        Assert.Equal((LeadState.Exhausted, CallOutcome.NoAnswer), ((await db.Leads.GetAsync(leads[1].Id))!.State, (await db.Leads.GetAsync(leads[1].Id))!.FinalOutcome));
        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(2, summary.LeadsByState[LeadState.Exhausted]);
        Assert.Equal(0, summary.LeadsByState.GetValueOrDefault(LeadState.InProgress));
        Assert.Equal(1, summary.LeadsByOutcome[CallOutcome.Answered]);
        Assert.Equal(1, summary.LeadsByOutcome[CallOutcome.NoAnswer]);
        Assert.Equal(0, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Busy));
        await AssertCountersAgreeWithARecountAsync(db, c.Id);
    }

    private static async Task AssertCountersAgreeWithARecountAsync(TempDatabase db, long campaignId)
    {
        var summary = await db.Reports.GetSummaryAsync(campaignId);
        var recount = await db.Reports.RebuildCountersAsync(campaignId);
        Assert.Equal(summary.LeadsByState.Where(p => p.Value != 0), recount.LeadsByState.Where(p => p.Value != 0));
        Assert.Equal(summary.LeadsByOutcome.Where(p => p.Value != 0), recount.LeadsByOutcome.Where(p => p.Value != 0));
        Assert.Equal(summary.AttemptsByOutcome.Where(p => p.Value != 0), recount.AttemptsByOutcome.Where(p => p.Value != 0));
        Assert.Equal(summary.Attempts, recount.Attempts);
        Assert.Equal(summary.AnsweredAttempts, recount.AnsweredAttempts);
        Assert.Equal(summary.AverageTalkSeconds, recount.AverageTalkSeconds);
        Assert.Equal(summary.ByHour, recount.ByHour);
    }

    [Fact]
    public async Task Of_two_concurrent_claimers_of_one_lead_exactly_one_wins()
    {
        var (db, c) = await WithLeadsAsync(20);
        await using var _ = db;
        var now = db.Time.GetUtcNow();
        var leads = await db.Leads.GetDueAsync(c.Id, now, 20);
        // Two writers, each on its own connection: two processes dialing the same campaign by mistake.
        await using var one = new AttemptWriter(db.Database);
        await using var other = new AttemptWriter(db.Database);
        IAttemptWriter[] writers = [one, other];
        foreach (var lead in leads)
        {
            using var start = new Barrier(2);
            var claims = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
            {
                start.SignalAndWait();
                return await ClaimAsync(db, writers[i], lead.Id, now, $"pbx{i}");
            })));
            Assert.Single(claims, a => a is not null);
        }

        Assert.Equal(20, (await db.Attempts.ListOpenAsync()).Count);
        Assert.Equal(20, await db.ScalarAsync("SELECT COUNT(*) FROM attempts"));
        Assert.Equal(20, await db.ScalarAsync("SELECT SUM(attempt_count) FROM leads"));
    }

    [Fact]
    public async Task The_database_itself_refuses_a_second_open_attempt_for_a_lead()
    {
        var (db, c) = await WithLeadsAsync(1);
        await using var _ = db;
        var lead = (await db.Leads.GetDueAsync(c.Id, db.Time.GetUtcNow(), 1))[0];
        await using (var writer = new AttemptWriter(db.Database))
        {
            Assert.NotNull(await ClaimAsync(db, writer, lead.Id, db.Time.GetUtcNow()));
        }

        await using var connection = await db.Database.OpenConnectionAsync();
        var e = await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync(
            "INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated) VALUES (@id, @c, 'x', 'y', 'pbx1', 'live', '2026-12-01T00:00:00.0000000Z', 0)",
            new { id = lead.Id, c = c.Id }));
        Assert.Equal(19, e.SqliteErrorCode);
    }

    [Fact]
    public async Task Open_attempts_are_listed_by_server_for_reconciliation()
    {
        var (db, c) = await WithLeadsAsync(4);
        await using var _ = db;
        var now = db.Time.GetUtcNow();
        var leads = await db.Leads.GetDueAsync(c.Id, now, 4);
        await using var writer = new AttemptWriter(db.Database);
        var a1 = await ClaimAsync(db, writer, leads[0].Id, now, "pbx1");
        var a2 = await ClaimAsync(db, writer, leads[1].Id, now, "pbx2");
        var a3 = await ClaimAsync(db, writer, leads[2].Id, now, "pbx1");
        writer.MarkLive(a3!.Id);
        await writer.EndAsync(new AttemptEnding { AttemptId = a1!.Id, Outcome = CallOutcome.Interrupted, EndedAt = now, LeadState = LeadState.Pending, LeadNextEligibleAt = now });

        Assert.Equal([a3.Id], (await db.Attempts.ListOpenAsync("pbx1")).Select(a => a.Id));
        Assert.Equal([a2!.Id, a3.Id], (await db.Attempts.ListOpenAsync()).Select(a => a.Id));
        Assert.Equal(AttemptState.Live, (await db.Attempts.ListOpenAsync("pbx1"))[0].State);
        // The interrupted lead is due again at once and counts its attempt.
        var again = await db.Leads.GetAsync(leads[0].Id);
        Assert.Equal(LeadState.Pending, again!.State);
        Assert.Equal(1, again.AttemptCount);
    }

    [Fact]
    public async Task Lead_transitions_and_expiry_keep_the_counters_right()
    {
        var (db, c) = await WithLeadsAsync(5);
        await using var _ = db;
        var leads = await db.Leads.GetDueAsync(c.Id, db.Time.GetUtcNow(), 5);
        Assert.True(await db.Leads.TransitionAsync(leads[0].Id, LeadState.Pending, LeadState.Blocked, null, null));
        Assert.False(await db.Leads.TransitionAsync(leads[0].Id, LeadState.Pending, LeadState.Blocked, null, null));
        Assert.Equal(4, await db.Leads.ExpireDialableAsync(c.Id));
        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(1, summary.LeadsByState[LeadState.Blocked]);
        Assert.Equal(4, summary.LeadsByState[LeadState.Expired]);
        Assert.Equal(0, summary.LeadsByState[LeadState.Pending]);
        Assert.Equal(summary.LeadsByState, (await db.Reports.RebuildCountersAsync(c.Id)).LeadsByState);
    }

    [Fact]
    public async Task Lead_report_rows_page_by_lead_id_with_last_attempt_details()
    {
        var (db, c) = await WithLeadsAsync(5);
        await using var _ = db;
        var now = db.Time.GetUtcNow();
        var lead = (await db.Leads.GetDueAsync(c.Id, now, 1))[0];
        await using var writer = new AttemptWriter(db.Database);
        var a = await ClaimAsync(db, writer, lead.Id, now, simulated: true);
        await writer.EndAsync(new AttemptEnding
        {
            AttemptId = a!.Id, Outcome = CallOutcome.NoAnswer, EndedAt = now, HangupCause = 19, HangupCauseText = "No answer",
            LeadState = LeadState.Exhausted, LeadFinalOutcome = CallOutcome.NoAnswer,
        });

        var page1 = await db.Reports.ListLeadRowsAsync(c.Id, 0, 3);
        var page2 = await db.Reports.ListLeadRowsAsync(c.Id, page1[^1].LeadId, 3);
        Assert.Equal(3, page1.Count);
        Assert.Equal(2, page2.Count);
        Assert.Equal(5, page1.Concat(page2).Select(r => r.LeadId).Distinct().Count());
        var row = page1.Concat(page2).Single(r => r.LeadId == lead.Id);
        Assert.Equal(CallOutcome.NoAnswer, row.FinalOutcome);
        Assert.Equal(LeadState.Exhausted, row.State);
        Assert.Equal(1, row.Attempts);
        Assert.Equal(19, row.LastHangupCause);
        Assert.Equal(now, row.LastAttemptAt);
        Assert.True(row.IsSimulated);
        Assert.StartsWith("n", row.Fields["name"], StringComparison.Ordinal);
    }
}
