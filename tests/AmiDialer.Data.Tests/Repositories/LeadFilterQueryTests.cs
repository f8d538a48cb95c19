using System.Diagnostics;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using Dapper;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary>
/// The report's filtered lead pages on a 100,000-lead file: a state or outcome filter reads its leads off an index in
/// id order (no scan of the campaign's leads, no sort), before and after SQLite has statistics, and finds the right rows.
/// </summary>
public sealed class LeadFilterQueryTests(ITestOutputHelper output)
{
    private const int Leads = 100_000;

    [Fact]
    public async Task State_and_outcome_pages_are_read_off_their_indexes_on_a_100000_lead_file()
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync("big");
        var other = await db.CreateCampaignAsync("other");
        await using (var connection = await db.Database.OpenConnectionAsync())
        await using (var transaction = connection.BeginTransaction())
        {
            // One lead in ten is busy and exhausted, one in a hundred answered and done, the rest pending; another
            // campaign's leads are interleaved so a walk of the table would cross them.
            await connection.ExecuteAsync(
                """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < @count - 1)
                INSERT INTO leads (campaign_id, phone, fields, time_zones, state, final_outcome, attempt_count, next_eligible_at)
                SELECT CASE WHEN i % 5 = 4 THEN @other ELSE @campaign END, '+1212' || printf('%07d', i), '{}', '[]',
                       CASE WHEN i % 100 = 0 THEN 'done' WHEN i % 10 = 1 THEN 'exhausted' ELSE 'pending' END,
                       CASE WHEN i % 100 = 0 THEN 'answered' WHEN i % 10 = 1 THEN 'busy' ELSE NULL END,
                       CASE WHEN i % 100 = 0 OR i % 10 = 1 THEN 1 ELSE 0 END, '2026-12-01T00:00:00.0000000Z'
                FROM n
                """, new { count = Leads * 5 / 4, campaign = campaign.Id, other = other.Id }, transaction);
            await transaction.CommitAsync();
        }

        var filters = new (string Name, LeadFilter Filter, string Index, long Expected)[]
        {
            ("state", new LeadFilter { State = LeadState.Exhausted }, "ix_leads_campaign_state", 12_500),
            ("outcome", new LeadFilter { Outcome = CallOutcome.Answered }, "ix_leads_campaign_outcome", 1_250),
            ("state and outcome", new LeadFilter { State = LeadState.Done, Outcome = CallOutcome.Answered }, "ix_leads_campaign_", 1_250),
        };
        foreach (var analyzed in new[] { false, true })
        {
            if (analyzed)
            {
                await using var connection = await db.Database.OpenConnectionAsync();
                await connection.ExecuteAsync("ANALYZE main;");
            }

            foreach (var (name, filter, index, expected) in filters)
            {
                foreach (var sql in new[] { ReportRepository.PageIdsSql(filter, SqlDialect.Sqlite), ReportRepository.CountSql(filter, SqlDialect.Sqlite) })
                {
                    var plan = await PlanAsync(db, sql, campaign.Id, filter);
                    output.WriteLine($"{name} (analyzed: {analyzed}): {sql}\n  {string.Join("\n  ", plan)}");
                    Assert.Contains(plan, p => p.Contains(index, StringComparison.Ordinal));
                    Assert.DoesNotContain(plan, p => p.StartsWith("SCAN", StringComparison.Ordinal));
                    Assert.DoesNotContain(plan, p => p.Contains("TEMP B-TREE", StringComparison.Ordinal));
                }

                var clock = Stopwatch.StartNew();
                Assert.Equal(expected, await db.Reports.CountFilteredLeadsAsync(campaign.Id, filter));
                var deep = await db.Reports.ListFilteredLeadRowsAsync(campaign.Id, filter, 0, 25, offset: (int)expected - 10);
                output.WriteLine($"  count + last page: {clock.Elapsed.TotalMilliseconds:0} ms");
                Assert.Equal(10, deep.Count);
                Assert.All(deep, r => Assert.True(filter.State is not { } s || r.State == s));
                Assert.All(deep, r => Assert.True(filter.Outcome is not { } o || r.FinalOutcome == o));
                Assert.Equal(deep.OrderBy(r => r.LeadId).Select(r => r.LeadId), deep.Select(r => r.LeadId));
            }
        }

        // Pending leads are not in the state index (an import would write every lead into it): their page walks the
        // primary key in id order, which is dense where pending leads are many; still no sort of the campaign.
        var pending = new LeadFilter { State = LeadState.Pending };
        foreach (var sql in new[] { ReportRepository.PageIdsSql(pending, SqlDialect.Sqlite), ReportRepository.CountSql(pending, SqlDialect.Sqlite) })
        {
            var plan = await PlanAsync(db, sql, campaign.Id, pending);
            output.WriteLine($"pending: {sql}\n  {string.Join("\n  ", plan)}");
            Assert.DoesNotContain(plan, p => p.Contains("TEMP B-TREE", StringComparison.Ordinal));
            Assert.DoesNotContain(plan, p => p.Contains("ix_leads_campaign_state", StringComparison.Ordinal));
        }

        Assert.Equal(86_250, await db.Reports.CountFilteredLeadsAsync(campaign.Id, pending));
        var lastPending = await db.Reports.ListFilteredLeadRowsAsync(campaign.Id, pending, 0, 25, offset: 86_250 - 10);
        Assert.Equal(10, lastPending.Count);
        Assert.All(lastPending, r => Assert.Equal(LeadState.Pending, r.State));
        Assert.Equal(lastPending.OrderBy(r => r.LeadId).Select(r => r.LeadId), lastPending.Select(r => r.LeadId));

        // Digits anywhere and a last-attempt range read the campaign's leads in id order (no index can answer them):
        // measured for the record, not asserted.
        foreach (var (name, filter) in new[]
        {
            ("digits", new LeadFilter { PhoneDigits = "2345" }),
            ("last attempt", new LeadFilter { LastAttemptFrom = DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture) }),
        })
        {
            var plan = await PlanAsync(db, ReportRepository.PageIdsSql(filter, SqlDialect.Sqlite), campaign.Id, filter);
            var clock = Stopwatch.StartNew();
            var count = await db.Reports.CountFilteredLeadsAsync(campaign.Id, filter);
            var firstPage = await db.Reports.ListFilteredLeadRowsAsync(campaign.Id, filter, 0, 25);
            output.WriteLine($"{name}: {string.Join(" / ", plan)}; {count} match, count + first page {clock.Elapsed.TotalMilliseconds:0} ms");
            Assert.All(firstPage, r => Assert.True(filter.PhoneDigits is null || r.PhoneE164.Contains(filter.PhoneDigits, StringComparison.Ordinal)));
        }

        // A number prefix is read off the (campaign, phone) index.
        var prefix = new LeadFilter { PhonePrefix = "+1212000012" };
        Assert.Contains(await PlanAsync(db, ReportRepository.PageIdsSql(prefix, SqlDialect.Sqlite), campaign.Id, prefix), p => p.Contains("sqlite_autoindex_leads", StringComparison.Ordinal));
        Assert.Equal(8, await db.Reports.CountFilteredLeadsAsync(campaign.Id, prefix)); // 120..129 less the other campaign's 124 and 129
    }

    private static async Task<List<string>> PlanAsync(TempDatabase db, string sql, long campaignId, LeadFilter filter)
    {
        await using var connection = await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        void Add(string name, object? value) => command.Parameters.Add(new SqliteParameter(name, value ?? DBNull.Value));
        Add("@campaignId", campaignId);
        Add("@state", filter.State is { } s ? AmiDialer.Data.Database.DbNames.Of(s) : null);
        Add("@outcome", filter.Outcome?.ToWireName());
        Add("@prefix", filter.PhonePrefix);
        Add("@prefixEnd", filter.PhonePrefix + ":");
        Add("@digits", filter.PhoneDigits);
        Add("@from", null);
        Add("@to", null);
        Add("@afterLeadId", 0);
        Add("@limit", 25);
        Add("@offset", 0);
        Add("@upTo", long.MaxValue);
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }
}
