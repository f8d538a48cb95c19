using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary>
/// A server's MaxConcurrentCalls counted in the store: claims of two writers (two nodes, or two processes on one
/// file) racing for the last slots, the open attempts of a writer that died, and click-to-calls, on both stores.
/// </summary>
public sealed class ServerSlotsTests(PostgresFixture postgres) : StoreTests(postgres)
{
    private const int Cap = 7;

    [Theory, SqliteStore, PostgresStore]
    public async Task Two_writers_claiming_at_once_open_exactly_the_servers_cap_between_them(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var campaign = await db.CreateCampaignWithLeadsAsync(80);
        var now = db.Time.GetUtcNow();
        var leads = await db.Leads.GetDueAsync(campaign.Id, now, 80);
        // Two nodes: each its own writer on its own connections (on PostgreSQL its own data source).
        await using var second = store == StoreProvider.Postgres ? NpgsqlDataSource.Create(db.Database.DataSource!.ConnectionString) : null;
        await using var one = Writer(db);
        await using var other = second is null ? Writer(db) : new PostgresAttemptWriter(second, db.Time);
        IAttemptWriter[] writers = [one, other];

        for (var round = 0; round < 6; round++)
        {
            // Each asks for four slots of the seven, at the same moment: of the eight claims exactly seven may win.
            var mine = leads.Skip(round * 10).Take(8).ToList();
            using var start = new Barrier(2);
            var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                var claims = mine.Skip(w * 4).Take(4).Select(l => Claim(l, campaign.Id, $"r{round}-{l.Id}")).ToList();
                start.SignalAndWait();
                return await writers[w].ClaimAsync(claims, now);
            })));

            var all = results.SelectMany(r => r).ToList();
            Assert.Equal(Cap, all.Count(r => r.Status == DialClaimStatus.Claimed));
            var full = Assert.Single(all, r => r.Status == DialClaimStatus.ServerFull);
            Assert.Equal(Cap, full.ServerOpen);
            Assert.Equal(Cap, await OpenOnAsync(db, "pbx1"));
            // Counted up within each transaction: a writer's last claim saw every slot taken before it.
            Assert.Contains(all, r => r.ServerOpen == Cap && r.Status == DialClaimStatus.Claimed);
            Assert.Null(all.FirstOrDefault(r => r.ServerOpen > Cap));

            // The refused lead was left as it was, due.
            var refusedLead = mine.Single(l => !all.Any(r => r.Attempt?.LeadId == l.Id));
            Assert.Equal(LeadState.Pending, (await db.Leads.GetByPhoneAsync(campaign.Id, refusedLead.PhoneE164))!.State);

            // Another server's slots are its own.
            var elsewhere = (await one.ClaimAsync([Claim(leads[79 - round], campaign.Id, $"pbx2-{round}", server: "pbx2")], now))[0];
            Assert.Equal((DialClaimStatus.Claimed, 1 + round), (elsewhere.Status, elsewhere.ServerOpen));

            await EndAllAsync(one, all, now);
        }
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Open_calls_of_a_writer_that_died_and_click_to_calls_hold_their_slots_until_they_end(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var campaign = await db.CreateCampaignWithLeadsAsync(10);
        var now = db.Time.GetUtcNow();
        var leads = await db.Leads.GetDueAsync(campaign.Id, now, 10);

        // A node claims five calls and dies: nothing of it ends them, they are real calls until someone adopts and ends them.
        var dead = Writer(db);
        var left = await dead.ClaimAsync([.. leads.Take(5).Select(l => Claim(l, campaign.Id, "dead-" + l.Id))], now);
        Assert.All(left, r => Assert.Equal(DialClaimStatus.Claimed, r.Status));
        await dead.DisposeAsync();

        // A click-to-call on the same server takes the sixth slot, through its own claim.
        var c2cCampaign = await db.Campaigns.CreateAsync(new Campaign { Name = BuiltInCampaign.ClickToCallName }, "tester");
        var c2c = new ClickToCallLeadRepository(db.Database);
        ClickToCallClaim Call(string id) => new(c2cCampaign.Id, "+12125550199", ["America/New_York"], id, id + "-chan", "pbx1", IsSimulated: false) { ServerCap = Cap - 1 };
        var click = (await c2c.ClaimAsync(Call("c2c-1"), now))!.Value.Attempt;

        // The living node finds six of seven slots taken: one claim of three goes through.
        await using var living = Writer(db);
        var results = await living.ClaimAsync([.. leads.Skip(5).Take(3).Select(l => Claim(l, campaign.Id, "live-" + l.Id))], now);
        Assert.Equal([DialClaimStatus.Claimed, DialClaimStatus.ServerFull, DialClaimStatus.ServerFull], results.Select(r => r.Status));
        Assert.Equal([Cap, Cap, Cap], results.Select(r => r.ServerOpen));

        // A click-to-call on the full server writes nothing and says why.
        var refused = await Assert.ThrowsAsync<ServerFullException>(() => c2c.ClaimAsync(Call("c2c-2") with { PhoneE164 = "+12125550198", ServerCap = Cap }, now));
        Assert.Equal(("pbx1", Cap), (refused.Server, refused.Open));
        Assert.Equal(1L, await db.ScalarAsync("SELECT COUNT(*) FROM attempts WHERE campaign_id = " + c2cCampaign.Id));

        // One of the dead node's calls ends (its adopter read its fate): its slot is free again, and only that one.
        await living.EndAsync(Ending(left[0].Attempt!.Id, now));
        var next = await living.ClaimAsync([.. leads.Skip(6).Take(2).Select(l => Claim(l, campaign.Id, "next-" + l.Id))], now);
        Assert.Equal([DialClaimStatus.Claimed, DialClaimStatus.ServerFull], next.Select(r => r.Status));
        Assert.Equal(Cap, await OpenOnAsync(db, "pbx1"));

        // The count any process reads to learn the others' share: capped, per server.
        var counts = await ServerSlots.CountOpenAsync(db.Database, [("pbx1", 100), ("pbx1x", 100)]);
        Assert.Equal(Cap, counts["pbx1"]);
        Assert.Equal(0, counts["pbx1x"]);
        Assert.Equal(3, (await ServerSlots.CountOpenAsync(db.Database, [("pbx1", 3)]))["pbx1"]);
        Assert.NotEqual(0, click.Id);
    }

    private static IAttemptWriter Writer(TempDatabase db) =>
        db.Database.DataSource is { } postgres ? new PostgresAttemptWriter(postgres, db.Time) : new AttemptWriter(db.Database, db.Time);

    private static DialClaim Claim(Lead lead, long campaignId, string id, string server = "pbx1") =>
        new(new AttemptClaim(lead.Id, id, id + "-chan", server, false), campaignId, lead.PhoneE164) { ServerCap = Cap };

    private static AttemptEnding Ending(long attemptId, DateTimeOffset now) => new()
    {
        AttemptId = attemptId,
        Outcome = CallOutcome.NoAnswer,
        EndedAt = now,
        LeadState = LeadState.Done,
        LeadFinalOutcome = CallOutcome.NoAnswer,
    };

    private static async Task EndAllAsync(IAttemptWriter writer, IEnumerable<DialClaimResult> results, DateTimeOffset now)
    {
        var endings = results.Where(r => r.Attempt is not null).Select(r => Ending(r.Attempt!.Id, now)).ToList();
        Assert.All(await writer.EndManyAsync(endings), e => Assert.True(e.Ended));
    }

    private static Task<long> OpenOnAsync(TempDatabase db, string server) =>
        db.ScalarAsync($"SELECT COUNT(*) FROM attempts WHERE server = '{server}' AND state <> 'ended'");
}
