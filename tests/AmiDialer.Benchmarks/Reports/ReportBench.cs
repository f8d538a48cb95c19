using System.Diagnostics;
using System.Globalization;
using AmiDialer.Cli;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Benchmarks.Reports;

/// <summary>
/// <c>report [attempts]</c>: the report of a campaign with a million attempts (default), through the real
/// <c>amidialer report --format json</c> path in process, against the baseline of recounting the same figures by
/// scanning leads and attempts (what a report without running counters would have to do). Target: under 300 ms.
/// </summary>
internal static class ReportBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var attempts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var folder = Directory.CreateTempSubdirectory("amidialer-report-bench-").FullName;
        var path = Path.Combine(folder, "bench.db");
        try
        {
            var database = await AmiDialerDatabase.OpenAsync(path);
            var campaigns = new CampaignRepository(database, TimeProvider.System);
            var campaign = await campaigns.CreateAsync(new Campaign { Name = "bench" }, "bench");
            var fill = Stopwatch.StartNew();
            await FillAsync(database, campaign.Id, attempts);
            Console.WriteLine($"filled {attempts / 2} leads and {attempts} attempts in {fill.Elapsed.TotalSeconds:0.0} s");

            // Baseline: recount every figure by scanning leads and attempts (also sets the counters the report reads).
            var reports = new ReportRepository(database);
            var scan = Stopwatch.StartNew();
            var rebuilt = await reports.RebuildCountersAsync(campaign.Id);
            scan.Stop();
            if (rebuilt.Attempts != attempts)
            {
                throw new InvalidOperationException($"expected {attempts} attempts, counted {rebuilt.Attempts}");
            }

            var timings = new List<double>();
            string json = "";
            for (var i = 0; i < 23; i++)
            {
                using var output = new StringWriter();
                using var error = new StringWriter();
                var watch = Stopwatch.StartNew();
                var code = await AmiDialerCli.RunAsync(["report", "--campaign", "bench", "--format", "json", "--db", path], output, error, CancellationToken.None);
                watch.Stop();
                if (code != 0)
                {
                    throw new InvalidOperationException("report failed: " + error);
                }

                json = output.ToString();
                if (i >= 3)
                {
                    timings.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            timings.Sort();
            var median = timings[timings.Count / 2];
            var max = timings[^1];
            Console.WriteLine($"report --format json of {attempts} attempts: median {median:0.0} ms, max {max:0.0} ms over {timings.Count} runs (target < 300 ms)");
            Console.WriteLine($"baseline full recount (scan of leads and attempts): {scan.Elapsed.TotalMilliseconds:0} ms; ratio report/baseline = {median / scan.Elapsed.TotalMilliseconds:0.0000}");
            Console.WriteLine("report: " + (json.Length > 300 ? json[..300] + "..." : json.Trim()));
            return median < 300 ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Two attempts per lead, a spread of outcomes and states, over 48 hours: written straight into the tables.</summary>
    private static async Task FillAsync(AmiDialerDatabase database, long campaignId, int attempts)
    {
        string[] outcomes = ["answered", "busy", "no-answer", "congestion", "rejected", "invalid-number", "failed"];
        await using var connection = await database.OpenSqliteConnectionAsync();
        await using var transaction = connection.BeginTransaction();
        await using var lead = connection.CreateCommand();
        lead.Transaction = transaction;
        lead.CommandText = "INSERT INTO leads (id, campaign_id, phone, fields, time_zones, state, final_outcome, attempt_count) VALUES ($id, $c, $phone, '{\"name\":\"x\"}', '[\"America/New_York\"]', $state, $outcome, 2)";
        var leadId = lead.Parameters.Add("$id", SqliteType.Integer);
        lead.Parameters.AddWithValue("$c", campaignId);
        var phone = lead.Parameters.Add("$phone", SqliteType.Text);
        var state = lead.Parameters.Add("$state", SqliteType.Text);
        var leadOutcome = lead.Parameters.Add("$outcome", SqliteType.Text);
        await using var attempt = connection.CreateCommand();
        attempt.Transaction = transaction;
        attempt.CommandText = """
            INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, ended_at, outcome, talk_seconds, is_simulated)
            VALUES ($lead, $c, $action, $action, 'pbx1', 'ended', $at, $at, $outcome, $talk, 1)
            """;
        var attemptLead = attempt.Parameters.Add("$lead", SqliteType.Integer);
        attempt.Parameters.AddWithValue("$c", campaignId);
        var action = attempt.Parameters.Add("$action", SqliteType.Text);
        var at = attempt.Parameters.Add("$at", SqliteType.Text);
        var outcome = attempt.Parameters.Add("$outcome", SqliteType.Text);
        var talk = attempt.Parameters.Add("$talk", SqliteType.Real);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < attempts; i++)
        {
            var l = (i / 2) + 1;
            var o = outcomes[i % outcomes.Length];
            if (i % 2 == 0)
            {
                leadId.Value = l;
                phone.Value = "+1212" + (5_000_000 + l).ToString(CultureInfo.InvariantCulture);
                state.Value = l % 10 == 0 ? "waiting_retry" : "done";
                leadOutcome.Value = l % 10 == 0 ? DBNull.Value : o;
                await lead.ExecuteNonQueryAsync();
            }

            attemptLead.Value = l;
            action.Value = "a" + i.ToString(CultureInfo.InvariantCulture);
            at.Value = start.AddSeconds(i * (48 * 3600.0 / attempts)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'+00:00'", CultureInfo.InvariantCulture);
            outcome.Value = o;
            talk.Value = o == "answered" ? 30 + (i % 60) : DBNull.Value;
            await attempt.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}
