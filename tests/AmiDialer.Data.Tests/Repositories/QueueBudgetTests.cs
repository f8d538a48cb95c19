using AmiDialer.Core.Model;
using AmiDialer.Core.Queues;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Dapper;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary>
/// A queue's calls in flight (schema step 12): derived from the open unanswered attempts of the queue's campaigns on
/// that server plus unexpired claims, claimed under one lock per queue, so nothing a dead claimer took stays taken.
/// </summary>
public sealed class QueueBudgetTests(PostgresFixture postgres) : StoreTests(postgres)
{
    private static readonly QueueAgentCounts FiveFree = new(6, 1, 0, 0, 0, 5, 0);

    private static async Task<long> OpenAttemptAsync(TempDatabase db, long campaignId, long leadId, string server = "pbx1")
    {
        await using var connection = await db.Database.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated)
            VALUES (@leadId, @campaignId, @actionId, @actionId, @server, 'dialing', @now, FALSE);
            SELECT MAX(id) FROM attempts;
            """,
            new { leadId, campaignId, server, actionId = "act-" + Guid.NewGuid().ToString("N"), now = db.Time.GetUtcNow() });
    }

    private static async Task ExecuteAsync(TempDatabase db, string sql, object? args = null)
    {
        await using var connection = await db.Database.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, args);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Two_claimers_on_one_queue_never_take_more_calls_in_flight_than_the_limit(StoreProvider provider)
    {
        await using var db = await OpenAsync(provider);
        var a = new QueueRepository(db.Database, db.Time);
        var b = new QueueRepository(db.Database, db.Time);
        Assert.Equal(QueueClaim.None, await a.ClaimAsync("pbx1", "sales", 3, 5, "node-a"));
        await a.WriteAgentsAsync("pbx1", "sales", FiveFree, db.Time.GetUtcNow(), "node-a");

        // Many claims at once from two "nodes" (two repositories, their own connections): never more than 5 in all.
        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? a : b).ClaimAsync("pbx1", "sales", 2, 5, i % 2 == 0 ? "node-a" : "node-b")));
        Assert.Equal(5, claims.Sum(c => c.Granted));
        var budget = await a.GetBudgetAsync("pbx1", "sales");
        Assert.Equal((5L, 5L, "node-a"), (budget!.InFlight, budget.Free, budget.ObservedBy));

        // A new look at the agents keeps the calls in flight; ended claims make room again.
        await b.WriteAgentsAsync("pbx1", "sales", new QueueAgentCounts(6, 1, 2, 0, 0, 3, 0), db.Time.GetUtcNow(), "node-b");
        Assert.Equal(5L, (await a.GetBudgetAsync("pbx1", "sales"))!.InFlight);
        // Whichever order they ran in: two whole grants and the last agent.
        var granted = claims.Where(c => c.Id is not null).OrderByDescending(c => c.Granted).ToList();
        Assert.Equal([2, 2, 1], granted.Select(c => c.Granted));
        await a.EndClaimAsync(granted[0].Id!);
        var again = await b.ClaimAsync("pbx1", "sales", 3, 5, "node-b");
        Assert.Equal((2, 3L), (again.Granted, again.InFlightBefore));
        foreach (var claim in granted.Append(again))
        {
            await a.EndClaimAsync(claim.Id!);
        }

        Assert.Equal(0L, (await a.GetBudgetAsync("pbx1", "sales"))!.InFlight);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_claimer_that_dies_leaves_nothing_taken_once_its_claim_lapses_and_its_calls_end(StoreProvider provider)
    {
        await using var db = await OpenAsync(provider);
        var campaign = await db.CreateCampaignWithLeadsAsync(6);
        var other = await db.Campaigns.CreateAsync(new Campaign { Name = "no queue" }, "tester");
        await ExecuteAsync(db, "UPDATE campaigns SET queue = 'sales' WHERE id = @id", new { id = campaign.Id });
        var leads = await db.Leads.GetDueAsync(campaign.Id, db.Time.GetUtcNow(), 10);
        var dead = new QueueRepository(db.Database, db.Time);
        var alive = new QueueRepository(db.Database, db.Time);
        await alive.WriteAgentsAsync("pbx1", "sales", new QueueAgentCounts(3, 0, 0, 0, 0, 3, 0), db.Time.GetUtcNow(), "node-b");

        // Node A claims the three free agents, writes two of its calls as attempts, and dies before ending its claim.
        var taken = await dead.ClaimAsync("pbx1", "sales", 3, 3, "node-a");
        Assert.Equal((3, 0L), (taken.Granted, taken.InFlightBefore));
        var ringing = await OpenAttemptAsync(db, campaign.Id, leads[0].Id);
        var answered = await OpenAttemptAsync(db, campaign.Id, leads[1].Id);
        // Calls that are not the queue's: another server's, and a campaign that follows no queue.
        await OpenAttemptAsync(db, campaign.Id, leads[2].Id, server: "pbx2");
        await OpenAttemptAsync(db, other.Id, leads[3].Id);

        // While its claim lives, nobody else gets the agents it took (its attempts counted on top: on the safe side).
        Assert.Equal((0, 5L), ((await alive.ClaimAsync("pbx1", "sales", 3, 3, "node-b")).Granted, (await alive.GetBudgetAsync("pbx1", "sales"))!.InFlight));

        // Its claim lapses: only its two calls, real calls still ringing, hold agents.
        db.Time.Advance(alive.ClaimLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal(2L, (await alive.GetBudgetAsync("pbx1", "sales"))!.InFlight);
        var next = await alive.ClaimAsync("pbx1", "sales", 3, 3, "node-b");
        Assert.Equal((1, 2L), (next.Granted, next.InFlightBefore));
        await alive.EndClaimAsync(next.Id!);

        // One is answered: it holds its place until its fate says an agent took it (or it was abandoned); the other ends.
        // The budget is whole again, with no release by anyone.
        await ExecuteAsync(db, "UPDATE attempts SET state = 'live', answered_at = @now WHERE id = @id", new { id = answered, now = db.Time.GetUtcNow() });
        var waiting = await alive.GetBudgetAsync("pbx1", "sales");
        Assert.Equal((2L, 1L), (waiting!.InFlight, waiting.Answering));
        await alive.RecordFateAsync(answered, "sales", QueueCallFate.Connected, "Agent 201", TimeSpan.FromMilliseconds(400));
        Assert.Equal(1L, (await alive.GetBudgetAsync("pbx1", "sales"))!.InFlight);
        await ExecuteAsync(db, "UPDATE attempts SET state = 'ended', ended_at = @now, outcome = 'no-answer' WHERE id = @id", new { id = ringing, now = db.Time.GetUtcNow() });
        Assert.Equal(0L, (await alive.GetBudgetAsync("pbx1", "sales"))!.InFlight);
        Assert.Equal(3, (await alive.ClaimAsync("pbx1", "sales", 3, 3, "node-b")).Granted);
        // Lapsed claims are swept by the next claim on the queue.
        Assert.Equal(1L, await db.ScalarAsync("SELECT COUNT(*) FROM queue_claims"));
    }
}
