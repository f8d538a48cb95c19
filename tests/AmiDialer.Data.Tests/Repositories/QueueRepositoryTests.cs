using AmiDialer.Core.Queues;
using AmiDialer.Data.Repositories;
using Dapper;

namespace AmiDialer.Data.Tests.Repositories;

public sealed class QueueRepositoryTests
{
    private static async Task<long> AnsweredAttemptAsync(TempDatabase db, long campaignId, long leadId, DateTimeOffset answeredAt)
    {
        await using var connection = await db.Database.OpenConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, answered_at, ended_at, outcome, is_simulated)
            VALUES (@leadId, @campaignId, @actionId, @actionId, 'pbx1', 'ended', @answeredAt, @answeredAt, @answeredAt, 'answered', 0)
            """,
            new { leadId, campaignId, actionId = "act-" + Guid.NewGuid().ToString("N"), answeredAt });
        return await connection.ExecuteScalarAsync<long>("SELECT MAX(id) FROM attempts");
    }

    [Fact]
    public async Task A_fate_is_written_once_and_a_late_agent_still_records_who_and_the_wait()
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignWithLeadsAsync(3);
        var leads = await db.Leads.GetDueAsync(campaign.Id, db.Time.GetUtcNow(), 10);
        var now = db.Time.GetUtcNow();
        var late = await AnsweredAttemptAsync(db, campaign.Id, leads[0].Id, now - TimeSpan.FromDays(2));
        var connected = await AnsweredAttemptAsync(db, campaign.Id, leads[1].Id, now);
        var unknown = await AnsweredAttemptAsync(db, campaign.Id, leads[2].Id, now + TimeSpan.FromMinutes(1));
        // An answer from before the campaign followed a queue (before its first recorded fate) had no fate to record.
        var before = await AnsweredAttemptAsync(db, campaign.Id, leads[0].Id, now - TimeSpan.FromDays(3));
        var queues = new QueueRepository(db.Database);

        await queues.RecordFateAsync(late, "sales", QueueCallFate.Late, null, null);
        await queues.RecordFateAsync(late, "sales", QueueCallFate.Late, "Agent 201", TimeSpan.FromSeconds(16.0038));
        await queues.RecordFateAsync(connected, "sales", QueueCallFate.Connected, "Agent 202", TimeSpan.FromMilliseconds(2.8));
        Assert.Equal(1, await queues.MarkUnknownFatesAsync(campaign.Id, "sales"));

        await using var connection = await db.Database.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(long Id, string Queue, string? Agent, long? WaitMs, long Abandoned, string Fate, string Outcome)>(
            "SELECT id, queue, queue_agent, queue_wait_ms, is_abandoned, queue_fate, outcome FROM attempts WHERE queue_fate IS NOT NULL ORDER BY id")).ToList();
        Assert.Equal((late, "sales", "Agent 201", 16004L, 1L, "late", "answered"), rows[0]);
        Assert.Equal((connected, "sales", "Agent 202", 3L, 0L, "connected", "answered"), rows[1]);
        Assert.Equal((unknown, "sales", (string?)null, (long?)null, 1L, "unknown", "answered"), rows[2]);
        Assert.Equal(before, (await connection.QuerySingleAsync<long>("SELECT id FROM attempts WHERE queue_fate IS NULL")));

        // The window: 24 h leaves out the two-day-old late one.
        Assert.Equal((3, 2), await queues.AbandonCountsAsync(campaign.Id, now - TimeSpan.FromDays(30)));
        Assert.Equal((2, 1), await queues.AbandonCountsAsync(campaign.Id, now - TimeSpan.FromHours(24)));
    }
}
