using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Data.Tests.Repositories;

public sealed class AttemptWriterTests
{
    private static async Task<(TempDatabase Db, Campaign Campaign, IReadOnlyList<Lead> Leads)> WithLeadsAsync(int count)
    {
        var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignWithLeadsAsync(count);
        return (db, campaign, await db.Leads.GetDueAsync(campaign.Id, db.Time.GetUtcNow(), count));
    }

    private static DialClaim Claim(Lead lead, string? actionId = null) =>
        new(new AttemptClaim(lead.Id, actionId ?? "act-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "pbx1", false), lead.CampaignId, lead.PhoneE164);

    private static AttemptEnding Busy(long attemptId, DateTimeOffset at) => new()
    {
        AttemptId = attemptId,
        Outcome = CallOutcome.Busy,
        EndedAt = at,
        Reason = "1",
        HangupCause = 17,
        LeadState = LeadState.Done,
        LeadFinalOutcome = CallOutcome.Busy,
    };

    [Fact]
    public async Task Claims_in_one_call_share_one_transaction_and_are_on_disk_when_it_returns()
    {
        var (db, c, leads) = await WithLeadsAsync(5);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database, claimsOnCallerThread: true);

        var claiming = writer.ClaimAsync(leads.Select(l => Claim(l)).ToList(), db.Time.GetUtcNow());

        // An idle writer writes the claim on the caller's thread: no hand-over to another thread and back.
        Assert.True(claiming.IsCompleted);
        var results = await claiming;
        Assert.All(results, r => Assert.Equal(DialClaimStatus.Claimed, r.Status));
        Assert.All(results, r => Assert.Equal(0, r.PriorAttempts));
        Assert.Equal((1L, 1L), writer.Stats);
        Assert.Equal(5, await db.ScalarAsync("SELECT COUNT(*) FROM attempts WHERE state = 'dialing'"));
        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(5, summary.LeadsByState.GetValueOrDefault(LeadState.InProgress));
        Assert.Equal(0, summary.LeadsByState.GetValueOrDefault(LeadState.Pending));
        Assert.Equal(5, summary.Attempts);
    }

    [Fact]
    public async Task A_claim_that_fails_in_the_store_is_rolled_back_alone()
    {
        var (db, c, leads) = await WithLeadsAsync(3);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database);

        // The second claim reuses the first's ActionID: the unique index refuses its attempt row after its lead was updated.
        var results = await writer.ClaimAsync([Claim(leads[0], "same"), Claim(leads[1], "same"), Claim(leads[2])], db.Time.GetUtcNow());

        Assert.Equal(DialClaimStatus.Claimed, results[0].Status);
        Assert.Equal(DialClaimStatus.NotClaimable, results[1].Status);
        Assert.Contains("action_id", results[1].Error, StringComparison.Ordinal);
        Assert.Equal(DialClaimStatus.Claimed, results[2].Status);
        var failed = await db.Leads.GetAsync(leads[1].Id);
        Assert.Equal(LeadState.Pending, failed!.State);
        Assert.Equal(0, failed.AttemptCount);
        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(2, summary.LeadsByState.GetValueOrDefault(LeadState.InProgress));
        Assert.Equal(1, summary.LeadsByState.GetValueOrDefault(LeadState.Pending));
        Assert.Equal(2, summary.Attempts);
    }

    [Fact]
    public async Task The_writer_keeps_its_statement_journals_in_memory_and_pools_its_connection_back_as_it_found_it()
    {
        var (db, _, leads) = await WithLeadsAsync(3);
        await using var __ = db;
        var writer = new AttemptWriter(db.Database);

        // A failed claim rolls back to its savepoint: the in-memory journal must undo it like the file would.
        var results = await writer.ClaimAsync([Claim(leads[0], "same"), Claim(leads[1], "same"), Claim(leads[2])], db.Time.GetUtcNow());
        await writer.DisposeAsync();

        Assert.Equal([DialClaimStatus.Claimed, DialClaimStatus.NotClaimable, DialClaimStatus.Claimed], results.Select(r => r.Status));
        Assert.Equal(0, (await db.Leads.GetAsync(leads[1].Id))!.AttemptCount);
        // Every idle pooled handle, the writer's among them, is held at once: none may keep temp_store = MEMORY (2).
        var connections = new List<Microsoft.Data.Sqlite.SqliteConnection>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var connection = await db.Database.OpenSqliteConnectionAsync();
                connections.Add(connection);
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA temp_store";
                Assert.Equal(0L, command.ExecuteScalar());
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_claim_given_the_lead_state_it_was_read_in_is_refused_when_the_lead_has_changed_since()
    {
        var (db, c, leads) = await WithLeadsAsync(3);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database);
        var now = db.Time.GetUtcNow();

        var results = await writer.ClaimAsync(
            [Claim(leads[0]) with { LeadState = LeadState.Pending }, Claim(leads[1]) with { LeadState = LeadState.WaitingRetry }, Claim(leads[2]) with { LeadState = LeadState.Pending }],
            now);
        var again = await writer.ClaimAsync([Claim(leads[0]) with { LeadState = LeadState.Pending }], now);

        Assert.Equal([DialClaimStatus.Claimed, DialClaimStatus.NotClaimable, DialClaimStatus.Claimed], results.Select(r => r.Status));
        Assert.Equal(DialClaimStatus.NotClaimable, again[0].Status);
        Assert.Equal(LeadState.Pending, (await db.Leads.GetAsync(leads[1].Id))!.State);
        Assert.Equal(1, (await db.Leads.GetAsync(leads[0].Id))!.AttemptCount);
        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(2, summary.LeadsByState.GetValueOrDefault(LeadState.InProgress));
        Assert.Equal(1, summary.LeadsByState.GetValueOrDefault(LeadState.Pending));
        Assert.Equal(2, summary.Attempts);
    }

    [Fact]
    public async Task A_claim_given_the_attempt_count_it_was_read_with_is_refused_when_the_count_has_changed_since()
    {
        var (db, c, leads) = await WithLeadsAsync(2);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database);
        // Another process dialed the lead and put it back to wait: same state as read, one attempt more.
        await db.ScalarAsync($"UPDATE leads SET attempt_count = 2 WHERE id = {leads[1].Id} RETURNING id");
        var now = db.Time.GetUtcNow();

        var stale = await writer.ClaimAsync([Claim(leads[1]) with { LeadState = LeadState.Pending, AttemptCount = 1 }], now);
        var results = await writer.ClaimAsync(
            [Claim(leads[0]) with { LeadState = LeadState.Pending, AttemptCount = 0 }, Claim(leads[1]) with { LeadState = LeadState.Pending, AttemptCount = 2 }],
            now);

        Assert.Equal(DialClaimStatus.NotClaimable, Assert.Single(stale).Status);
        Assert.Equal([DialClaimStatus.Claimed, DialClaimStatus.Claimed], results.Select(r => r.Status));
        Assert.Equal([0, 2], results.Select(r => r.PriorAttempts));
        Assert.Equal(3, (await db.Leads.GetAsync(leads[1].Id))!.AttemptCount);
        Assert.Equal(2, (await db.Reports.GetSummaryAsync(c.Id)).Attempts);
    }

    [Fact]
    public async Task An_ending_that_carries_its_claimed_attempt_writes_what_one_read_from_the_store_writes()
    {
        var (db, c, leads) = await WithLeadsAsync(2);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database);
        var now = db.Time.GetUtcNow();
        var claimed = (await writer.ClaimAsync(leads.Select(l => Claim(l)).ToList(), now)).Select(r => r.Attempt!).ToList();
        var carried = new ClaimedAttempt(claimed[0].LeadId, claimed[0].CampaignId, claimed[0].CreatedAt);

        var ended = await writer.EndManyAsync(
            [Busy(claimed[0].Id, now.AddSeconds(5)) with { Claimed = carried }, Busy(claimed[1].Id, now.AddSeconds(5))]);
        var again = await writer.EndAsync(Busy(claimed[0].Id, now.AddSeconds(6)) with { Claimed = carried });

        Assert.Equal([true, true], ended.Select(e => e.Ended));
        Assert.False(again);
        Assert.All(await Task.WhenAll(leads.Select(l => db.Leads.GetAsync(l.Id))), l => Assert.Equal((LeadState.Done, CallOutcome.Busy), (l!.State, l.FinalOutcome)));
        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(2, summary.LeadsByState.GetValueOrDefault(LeadState.Done));
        Assert.Equal(0, summary.LeadsByState.GetValueOrDefault(LeadState.InProgress));
        Assert.Equal(2, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Busy));
        Assert.Equal(2, summary.AttemptsByOutcome.GetValueOrDefault(CallOutcome.Busy));
        Assert.Equal(2, Assert.Single(summary.ByHour).Attempts);
        Assert.Equal(1, await db.ScalarAsync($"SELECT COUNT(*) FROM attempts WHERE id = {claimed[0].Id} AND ended_at = '{Data.Database.DapperTypeHandlers.ToDb(now.AddSeconds(5))}'"));
    }

    [Fact]
    public async Task Endings_are_counted_in_the_hour_their_attempts_were_created()
    {
        var (db, c, leads) = await WithLeadsAsync(3);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database);
        var now = db.Time.GetUtcNow();
        var first = (await writer.ClaimAsync([Claim(leads[0]), Claim(leads[1])], now)).Select(r => r.Attempt!).ToList();
        var later = (await writer.ClaimAsync([Claim(leads[2])], now.AddHours(1))).Single().Attempt!;

        // Ended together, in one batch, and in the order that makes a remembered hour wrong if it were kept too long.
        await writer.EndManyAsync([Busy(first[0].Id, now.AddHours(1)), Busy(later.Id, now.AddHours(1)), Busy(first[1].Id, now.AddHours(1))]);

        var byHour = (await db.Reports.GetSummaryAsync(c.Id)).ByHour;
        Assert.Equal(2, byHour.Count);
        Assert.Equal([2L, 1L], byHour.OrderBy(h => h.HourUtc).Select(h => h.Attempts));
    }

    [Fact]
    public async Task A_lead_is_claimed_once_and_a_number_on_the_dnc_list_is_blocked_instead()
    {
        var (db, c, leads) = await WithLeadsAsync(2);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database);
        // Written behind the repository's back (as another process might), so the lead is still pending: only the claim can catch it.
        await db.ScalarAsync($"INSERT INTO dnc (number, campaign_id, source, added_at, added_by) VALUES ('{leads[1].PhoneE164}', NULL, 'manual', '2026-12-01T13:00:00.0000000Z', 'x') RETURNING id");
        Assert.Equal(LeadState.Pending, (await db.Leads.GetAsync(leads[1].Id))!.State);
        var now = db.Time.GetUtcNow();

        var first = await writer.ClaimAsync([Claim(leads[0]), Claim(leads[1])], now);
        var again = await writer.ClaimAsync([Claim(leads[0])], now);

        Assert.Equal(DialClaimStatus.Claimed, first[0].Status);
        Assert.Equal(DialClaimStatus.Blocked, first[1].Status);
        Assert.Equal(DialClaimStatus.NotClaimable, again[0].Status);
        Assert.Equal(LeadState.Blocked, (await db.Leads.GetAsync(leads[1].Id))!.State);
        Assert.Equal(1, await db.ScalarAsync("SELECT COUNT(*) FROM attempts"));
        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(1, summary.LeadsByState.GetValueOrDefault(LeadState.Blocked));
    }

    [Fact]
    public async Task Endings_queued_together_are_group_committed_with_the_counters_of_each()
    {
        var (db, c, leads) = await WithLeadsAsync(40);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database);
        var now = db.Time.GetUtcNow();
        var claimed = await writer.ClaimAsync(leads.Select(l => Claim(l)).ToList(), now);
        foreach (var r in claimed)
        {
            writer.MarkLive(r.Attempt!.Id);
        }

        // The marks are written with the next batch: an exclusive read queued after them sees them.
        Assert.Equal(40, await writer.RunExclusiveAsync(() => db.ScalarAsync("SELECT COUNT(*) FROM attempts WHERE state = 'live'")));
        var before = writer.Stats;
        var endings = claimed.Select(r => writer.EndAsync(Busy(r.Attempt!.Id, now + TimeSpan.FromSeconds(3)))).ToList();
        endings.Add(writer.EndAsync(Busy(claimed[0].Attempt!.Id, now + TimeSpan.FromSeconds(4))));
        var ended = await Task.WhenAll(endings);

        Assert.Equal(40, ended.Count(e => e));
        Assert.False(ended[^1]); // ending an ended attempt changes nothing
        var after = writer.Stats;
        Assert.Equal(41, after.Requests - before.Requests);
        Assert.True(after.Batches - before.Batches < 10, $"{after.Batches - before.Batches} transactions for 41 endings");
        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(40, summary.LeadsByState.GetValueOrDefault(LeadState.Done));
        Assert.Equal(0, summary.LeadsByState.GetValueOrDefault(LeadState.InProgress));
        Assert.Equal(40, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Busy));
        Assert.Equal(40, summary.AttemptsByOutcome.GetValueOrDefault(CallOutcome.Busy));
        Assert.Equal(40, Assert.Single(summary.ByHour).Attempts);
        Assert.Equal(40, await db.ScalarAsync("SELECT COUNT(*) FROM attempts WHERE state = 'ended' AND outcome = 'busy' AND hangup_cause = 17"));
    }

    [Fact]
    public async Task The_writer_runs_its_statements_out_of_lookaside_memory_rather_than_malloc()
    {
        var (db, _, leads) = await WithLeadsAsync(60);
        await using var __ = db;
        await using var writer = new AttemptWriter(db.Database);
        var now = db.Time.GetUtcNow();
        Assert.Null(writer.LookasideCounts);
        foreach (var chunk in leads.Chunk(12))
        {
            var claimed = await writer.ClaimAsync(chunk.Select(l => Claim(l)).ToList(), now);
            await writer.EndManyAsync(claimed.Select(r => Busy(r.Attempt!.Id, now + TimeSpan.FromSeconds(3))).ToList());
        }

        // With the statements prepared the ordinary way, they took the 40 slots and nearly every allocation missed.
        var (hits, missesFull) = writer.LookasideCounts!.Value;
        Assert.True(hits > 1000, $"{hits} lookaside hits");
        Assert.True(missesFull * 50 < hits, $"{missesFull} allocations found lookaside full, {hits} were served from it");
    }

    [Fact]
    public async Task An_ending_that_fails_in_the_store_is_rolled_back_alone_and_its_batch_keeps_the_rest()
    {
        var (db, c, leads) = await WithLeadsAsync(3);
        await using var _ = db;
        await using var writer = new AttemptWriter(db.Database);
        var now = db.Time.GetUtcNow();
        var claimed = await writer.ClaimAsync(leads.Select(l => Claim(l)).ToList(), now);
        var ids = claimed.Select(r => r.Attempt!.Id).ToList();
        await using (var connection = await db.Database.OpenSqliteConnectionAsync())
        {
            // Made by another connection: the writer's prepared statements see the schema change and fire it.
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE TRIGGER refuse_one BEFORE UPDATE OF state ON attempts WHEN NEW.id = {ids[1]} AND NEW.state = 'ended' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END";
            command.ExecuteNonQuery();
        }

        // The marks ride with the endings' batch: the batch is written again after the failure, marks included.
        foreach (var id in ids)
        {
            writer.MarkLive(id);
        }

        var results = await writer.EndManyAsync(ids.Select(id => Busy(id, now + TimeSpan.FromSeconds(2))).ToList());

        Assert.True(results[0].Ended);
        Assert.Contains("refused by the test", results[1].Error?.Message, StringComparison.Ordinal);
        Assert.True(results[2].Ended);
        Assert.Equal(2, await db.ScalarAsync("SELECT COUNT(*) FROM attempts WHERE state = 'ended' AND outcome = 'busy'"));
        Assert.Equal(1, await db.ScalarAsync($"SELECT COUNT(*) FROM attempts WHERE id = {ids[1]} AND state = 'live'"));
        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(2, summary.LeadsByState.GetValueOrDefault(LeadState.Done));
        Assert.Equal(1, summary.LeadsByState.GetValueOrDefault(LeadState.InProgress));
        Assert.Equal(2, summary.AttemptsByOutcome.GetValueOrDefault(CallOutcome.Busy));
    }

    [Fact]
    public async Task Live_marks_with_no_batch_to_ride_with_are_written_together_after_a_short_delay()
    {
        var (db, _, leads) = await WithLeadsAsync(30);
        await using var __ = db;
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(db.Time.GetUtcNow());
        await using var writer = new AttemptWriter(db.Database, time);
        var claimed = await writer.ClaimAsync(leads.Select(l => Claim(l)).ToList(), db.Time.GetUtcNow());
        var before = writer.Stats;
        foreach (var r in claimed)
        {
            writer.MarkLive(r.Attempt!.Id);
        }

        await Task.Delay(100);
        Assert.Equal(before, writer.Stats); // no commit of its own yet: a batch may still come to carry them
        time.Advance(AttemptWriter.LiveMarkDelay);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await db.ScalarAsync("SELECT COUNT(*) FROM attempts WHERE state = 'live'") < 30)
        {
            Assert.True(DateTime.UtcNow < deadline, "the marks were not written");
            await Task.Delay(10);
        }

        Assert.Equal(1, writer.Stats.Batches - before.Batches);
    }

    [Fact]
    public async Task Exclusive_writes_run_in_queue_order_between_batches_and_their_failures_reach_their_caller()
    {
        var (db, _, leads) = await WithLeadsAsync(1);
        await using var __ = db;
        await using var writer = new AttemptWriter(db.Database);
        var order = new List<string>();
        var claim = writer.ClaimAsync([Claim(leads[0])], db.Time.GetUtcNow());
        var exclusive = writer.RunExclusiveAsync(async () =>
        {
            order.Add("exclusive");
            return await db.ScalarAsync("SELECT COUNT(*) FROM attempts");
        });
        var failing = writer.RunExclusiveAsync<int>(() => throw new InvalidOperationException("boom"));

        Assert.Equal(DialClaimStatus.Claimed, (await claim)[0].Status);
        Assert.Equal(1, await exclusive); // the claim queued before it was committed first
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal(["exclusive"], order);
    }
}
