using System.Globalization;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Dapper;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary>Adding many numbers: key lookups by number, short transactions, the leads blocked and counted.</summary>
public sealed class DncBulkAddTests(PostgresFixture postgres) : StoreTests(postgres)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Blocking_looks_leads_up_by_campaign_and_number_never_scanning_them(bool everywhere)
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await using var connection = await db.Database.OpenConnectionAsync();
        var plan = (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            "EXPLAIN QUERY PLAN " + (everywhere ? DncRepository.DialableEverywhereSql(SqlDialect.Sqlite) : DncRepository.DialableInCampaignSql(SqlDialect.Sqlite)),
            new { numbers = "[\"+12125550100\"]", campaignId = c.Id })).Select(r => r.Detail).ToList();

        var leads = plan.Where(d => d.Contains(" l ", StringComparison.Ordinal) || d.EndsWith(" l", StringComparison.Ordinal)).ToList();
        Assert.True(leads.Count == 1, string.Join(" | ", plan));
        Assert.StartsWith("SEARCH l USING INDEX sqlite_autoindex_leads_1 (campaign_id=? AND phone=?)", leads[0], StringComparison.Ordinal);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_large_list_blocks_every_dialable_lead_once_counts_and_audits_it_and_skips_what_is_listed(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var a = await db.CreateCampaignAsync("a");
        var b = await db.CreateCampaignAsync("b");
        await InsertLeadsAsync(db, a.Id, 0, 3000);
        await InsertLeadsAsync(db, b.Id, 1000, 3000);
        Assert.True(await db.Dnc.AddAsync(Phone(5), b.Id, DncSource.Manual, "alice"));

        // 0-1999 everywhere, twice over and with one already listed for b only: each is new once, for every campaign.
        var numbers = Enumerable.Range(0, 2000).Select(Phone).ToList();
        var added = await db.Dnc.AddManyAsync([.. numbers, .. numbers], null, DncSource.Import, "bob", "list.csv");

        Assert.Equal(2000, added);
        Assert.Equal(2001, await db.ScalarAsync("SELECT count(*) FROM dnc"));
        Assert.Equal(2000, await db.ScalarAsync("SELECT count(*) FROM leads WHERE campaign_id = " + a.Id + " AND state = 'blocked'"));
        Assert.Equal(1000, await db.ScalarAsync("SELECT count(*) FROM leads WHERE campaign_id = " + b.Id + " AND state = 'blocked'"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM leads WHERE state = 'blocked' AND next_eligible_at IS NOT NULL"));
        var summaryA = await db.Reports.GetSummaryAsync(a.Id);
        Assert.Equal(2000, summaryA.LeadsByState[LeadState.Blocked]);
        Assert.Equal(1000, summaryA.LeadsByState[LeadState.Pending]);
        var summaryB = await db.Reports.GetSummaryAsync(b.Id);
        Assert.Equal(1000, summaryB.LeadsByState[LeadState.Blocked]);
        Assert.Equal(2000, summaryB.LeadsByState[LeadState.Pending]);
        Assert.Equal(2000, await db.ScalarAsync("SELECT count(*) FROM audit_log WHERE action = 'dnc.add' AND actor = 'bob'"));
        Assert.Equal(summaryA.LeadsByState, (await db.Reports.RebuildCountersAsync(a.Id)).LeadsByState);

        // A campaign's own list touches that campaign only; a bad number refuses the whole list before any write.
        Assert.Equal(1, await db.Dnc.AddManyAsync([Phone(2500), Phone(2500)], a.Id, DncSource.Manual, "carol"));
        Assert.Equal(LeadState.Blocked, (await db.Leads.GetByPhoneAsync(a.Id, Phone(2500)))!.State);
        Assert.Equal(LeadState.Pending, (await db.Leads.GetByPhoneAsync(b.Id, Phone(2500)))!.State);
        await Assert.ThrowsAsync<ArgumentException>(() => db.Dnc.AddManyAsync([Phone(2600), "0100"], null, DncSource.Manual, "carol"));
        Assert.False(await db.Dnc.IsBlockedAsync(Phone(2600), a.Id));
    }

    [Fact]
    public async Task A_large_add_commits_in_chunks_that_another_writer_gets_between()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await InsertLeadsAsync(db, c.Id, 0, 60_000);
        const int Total = 60_000;
        var numbers = Enumerable.Range(0, Total).Select(Phone).ToList();

        // The other writer stands for the dialer: short write transactions, each noting how far the list had got.
        using var stop = new CancellationTokenSource();
        var seen = new List<long>();
        var writer = Task.Run(async () =>
        {
            await using var connection = await db.Database.OpenConnectionAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var transaction = connection.BeginTransaction();
                await connection.ExecuteAsync("INSERT INTO audit_log (at, actor, action, subject) VALUES ('x', 'dialer', 'tick', 'x')", transaction: transaction);
                var listed = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM dnc", transaction: transaction);
                await transaction.CommitAsync();
                seen.Add(listed);
                await Task.Delay(1);
            }
        });

        var added = await db.Dnc.AddManyAsync(numbers, null, DncSource.Import, "bob");
        await stop.CancelAsync();
        await writer;

        Assert.Equal(Total, added);
        Assert.Equal(Total, await db.ScalarAsync("SELECT count(*) FROM leads WHERE state = 'blocked'"));
        var between = seen.Where(n => n is > 0 and < Total).Distinct().Count();
        Assert.True(between >= 2, $"the other writer committed between chunks {between} time(s); counts it saw: {string.Join(",", seen.Distinct())}");
    }

    private static string Phone(int i) => "+1212" + (5_000_000 + i).ToString(CultureInfo.InvariantCulture);

    private static async Task InsertLeadsAsync(TempDatabase db, long campaignId, int from, int count)
    {
        await using var connection = await db.Database.OpenConnectionAsync();
        await using var transaction = connection.BeginTransaction();
        await connection.ExecuteAsync(
            """
            WITH RECURSIVE n(i) AS (SELECT @from UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @from + @count)
            INSERT INTO leads (campaign_id, phone, fields, time_zones, state, next_eligible_at)
            SELECT @campaignId, '+1212' || (5000000 + i), '{}', '[]', 'pending', '2026-12-01T00:00:00.0000000Z' FROM n
            """, new { campaignId, from, count }, transaction);
        await transaction.CommitAsync();
        await db.Reports.RebuildCountersAsync(campaignId);
    }
}
