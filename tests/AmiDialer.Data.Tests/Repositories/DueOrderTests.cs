using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary>
/// The due-leads query in the campaign's order, on a real SQLite file with a fake clock: a busy=2m retry among
/// thousands of fresh leads (due since their import) is first in line at 2 minutes with retries-first, last with fresh-first.
/// </summary>
public sealed class DueOrderTests
{
    [Fact]
    public async Task A_due_retry_comes_before_fresh_leads_with_retries_first_and_after_them_with_fresh_first()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignWithLeadsAsync(3000);
        Assert.Equal(LeadOrder.RetriesFirst, (await db.Campaigns.GetAsync(c.Id))!.Order); // the default
        var start = db.Time.GetUtcNow();
        var lead = (await db.Leads.GetDueAsync(c.Id, start, 1))[0];
        await using (var writer = new AttemptWriter(db.Database))
        {
            var claimed = (await writer.ClaimAsync([new DialClaim(new AttemptClaim(lead.Id, "a-1", Guid.NewGuid().ToString(), "pbx1", false), c.Id, lead.PhoneE164)], start))[0];
            var decision = RetryRules.AfterAttempt([], CallOutcome.Busy, start, RetryPolicy.Parse("busy=2m:3"), 4);
            Assert.True(await writer.EndAsync(new AttemptEnding
            {
                AttemptId = claimed.Attempt!.Id, Outcome = CallOutcome.Busy, EndedAt = start,
                LeadState = decision.State, LeadFinalOutcome = decision.FinalOutcome, LeadNextEligibleAt = decision.RetryAt,
            }));
        }

        await using var query = await db.Leads.OpenDueQueryAsync();
        // Before its time the retry is not offered in either order.
        db.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.DoesNotContain(await query.GetAsync(c.Id, db.Time.GetUtcNow(), 10, LeadOrder.RetriesFirst), l => l.Id == lead.Id);

        db.Time.Advance(TimeSpan.FromSeconds(1));
        var now = db.Time.GetUtcNow();
        var retriesFirst = await query.GetAsync(c.Id, now, 10, LeadOrder.RetriesFirst);
        Assert.Equal(10, retriesFirst.Count);
        Assert.Equal((lead.Id, LeadState.WaitingRetry), (retriesFirst[0].Id, retriesFirst[0].State));
        Assert.All(retriesFirst.Skip(1), l => Assert.Equal(LeadState.Pending, l.State));

        var freshFirst = await query.GetAsync(c.Id, now, 10, LeadOrder.FreshFirst);
        Assert.DoesNotContain(freshFirst, l => l.Id == lead.Id);
        Assert.Equal(retriesFirst.Skip(1).Select(l => l.Id), freshFirst.Take(9).Select(l => l.Id));
        // Once the fresh leads are fewer than the room, fresh-first fills it with the retry.
        Assert.Equal(lead.Id, (await query.GetAsync(c.Id, now, 3000, LeadOrder.FreshFirst))[^1].Id);

        // The setting is stored with the campaign.
        var campaign = (await db.Campaigns.GetAsync(c.Id))!;
        Assert.True(await db.Campaigns.UpdateAsync(campaign with { Order = LeadOrder.FreshFirst }, "test"));
        Assert.Equal(LeadOrder.FreshFirst, (await db.Campaigns.GetAsync(c.Id))!.Order);
    }

    [Fact]
    public async Task Due_retries_are_read_off_the_state_index_not_by_walking_the_fresh_leads()
    {
        await using var db = await TempDatabase.CreateAsync();
        await using var connection = await db.Database.OpenSqliteConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + LeadRepository.DueByStateSql;
        command.Parameters.AddWithValue("$campaign", 1);
        command.Parameters.AddWithValue("$state", "waiting_retry");
        command.Parameters.AddWithValue("$now", "2026-01-01");
        command.Parameters.AddWithValue("$limit", 10);
        await using var reader = await command.ExecuteReaderAsync();
        var plan = new List<string>();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, p => p.Contains("ix_leads_due_state", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, p => p.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }
}
