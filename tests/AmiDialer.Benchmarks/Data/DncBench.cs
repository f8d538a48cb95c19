using System.Diagnostics;
using System.Globalization;
using AmiDialer.Cli;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Benchmarks.Data;

/// <summary>
/// <c>dnc [leads] [numbers]</c>: <c>amidialer dnc import</c> of 10,000 numbers (default; half of them leads) into a
/// database of a million leads (default), run in process, while a stand-in for the dialer commits a small write
/// transaction every few milliseconds and times how long each waits for the lock. The baseline, measured in the same
/// run, is the lookup the list used before (a scan of every lead per number, <c>(@campaignId IS NULL OR ...)</c>),
/// timed on a sample and scaled to the list. Targets: the import under 2 s, no wait of the dialer over 100 ms.
/// </summary>
internal static class DncBench
{
    private const string OldLookupSql = """
        SELECT id, campaign_id, state FROM leads
        WHERE phone = @number AND state IN ('pending', 'waiting_retry') AND (@campaignId IS NULL OR campaign_id = @campaignId)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var leads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var numbers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
        var folder = Directory.CreateTempSubdirectory("amidialer-dnc-bench-").FullName;
        var path = Path.Combine(folder, "bench.db");
        try
        {
            var database = await AmiDialerDatabase.OpenAsync(path);
            var campaigns = new CampaignRepository(database, TimeProvider.System);
            var main = await campaigns.CreateAsync(new Campaign { Name = "bench" }, "bench");
            for (var i = 1; i <= 4; i++)
            {
                await campaigns.CreateAsync(new Campaign { Name = "other" + i.ToString(CultureInfo.InvariantCulture) }, "bench");
            }

            var fill = Stopwatch.StartNew();
            await FillAsync(database, main.Id, leads);
            Console.WriteLine($"filled {leads} leads (and 4 empty campaigns) in {fill.Elapsed.TotalSeconds:0.0} s");

            // Every other number of the list is a lead's (spread over the whole campaign); the rest are not in it.
            var list = Path.Combine(folder, "dnc.csv");
            var step = Math.Max(1, leads / numbers);
            await File.WriteAllLinesAsync(list, ["phone", .. Enumerable.Range(0, numbers).Select(i => Phone(i % 2 == 0 ? (i / 2) * 2 * step % leads : leads + i))]);

            var sample = Math.Min(20, numbers);
            var baseline = await TimeOldLookupAsync(database, sample, step, leads);
            var baselineTotal = baseline * numbers;

            using var stop = new CancellationTokenSource();
            var waits = new List<double>();
            var dialer = Task.Run(() => DialAsync(database, waits, stop.Token));
            using var output = new StringWriter();
            using var error = new StringWriter();
            var watch = Stopwatch.StartNew();
            var code = await AmiDialerCli.RunAsync(["dnc", "import", list, "--db", path], output, error, CancellationToken.None);
            watch.Stop();
            if (code != 0)
            {
                throw new InvalidOperationException("dnc import failed: " + output + error);
            }

            // The same again through the repository, for how its transactions went (another list of as many numbers).
            var second = Enumerable.Range(0, numbers).Select(i => Phone(i % 2 == 0 ? ((i / 2) * 2 * step + 1) % leads : leads + numbers + i)).ToList();
            var direct = Stopwatch.StartNew();
            var stats = await new DncRepository(database, TimeProvider.System).AddInChunksAsync(second, null, DncSource.Import, "bench", null, CancellationToken.None);
            direct.Stop();

            await stop.CancelAsync();
            await dialer;
            var blocked = await ScalarAsync(database, "SELECT count(*) FROM leads WHERE state = 'blocked'");
            var listed = await ScalarAsync(database, "SELECT count(*) FROM dnc");
            waits.Sort();
            var p99 = waits.Count == 0 ? 0 : waits[(int)(waits.Count * 0.99)];
            var longest = waits.Count == 0 ? 0 : waits[^1];
            Console.WriteLine($"dnc import of {numbers} numbers into {leads} leads: {watch.Elapsed.TotalMilliseconds:0} ms (target < 2000 ms); {listed} listed, {blocked} leads blocked");
            Console.WriteLine($"baseline (old lookup, a scan per number): {baseline * 1000:0.0} ms per number over {sample}, so {baselineTotal:0.0} s for the list; ratio new/baseline = {watch.Elapsed.TotalSeconds / baselineTotal:0.0000}");
            Console.WriteLine($"dialer stand-in meanwhile: {waits.Count} write transactions, p99 {p99:0.0} ms, longest {longest:0.0} ms (target < 100 ms)");
            Console.WriteLine($"repository add of another {numbers}: {direct.Elapsed.TotalMilliseconds:0} ms in {stats.Chunks} transactions, longest hold {stats.LongestHold.TotalMilliseconds:0.0} ms, holding {stats.TotalHold.TotalMilliseconds:0} ms in all; {stats.Added} new");
            Console.WriteLine(output.ToString().Trim());
            return watch.Elapsed.TotalMilliseconds < 2000 && stats.LongestHold.TotalMilliseconds < 100 ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Phone(int i) => "+1212" + (5_000_000 + i).ToString(CultureInfo.InvariantCulture);

    /// <summary>Seconds per number of the old lookup, read only (nothing is blocked by it).</summary>
    private static async Task<double> TimeOldLookupAsync(AmiDialerDatabase database, int sample, int step, int leads)
    {
        await using var connection = await database.OpenConnectionAsync();
        var watch = Stopwatch.StartNew();
        var found = 0;
        for (var i = 0; i < sample; i++)
        {
            found += (await connection.QueryAsync(OldLookupSql, new { number = Phone(i * 2 * step % leads), campaignId = (long?)null })).Count();
        }

        watch.Stop();
        if (found != sample)
        {
            throw new InvalidOperationException($"the baseline found {found} leads of {sample}");
        }

        return watch.Elapsed.TotalSeconds / sample;
    }

    /// <summary>The dialer's share of the lock: a small write transaction every 5 ms, each timed from BEGIN to COMMIT.</summary>
    private static async Task DialAsync(AmiDialerDatabase database, List<double> waits, CancellationToken stop)
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            var began = Stopwatch.GetTimestamp();
            await using (var transaction = connection.BeginTransaction())
            {
                await connection.ExecuteAsync("INSERT INTO audit_log (at, actor, action, subject) VALUES ('x', 'bench', 'tick', 'x')", transaction: transaction);
                await transaction.CommitAsync(CancellationToken.None);
            }

            waits.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
            await Task.Delay(5, CancellationToken.None);
        }
    }

    private static async Task FillAsync(AmiDialerDatabase database, long campaignId, int count)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = connection.BeginTransaction();
        await connection.ExecuteAsync(
            """
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @count)
            INSERT INTO leads (campaign_id, phone, fields, time_zones, state, next_eligible_at)
            SELECT @campaignId, '+1212' || (5000000 + i), '{"name":"x"}', '["America/New_York"]', 'pending', '2026-12-01T00:00:00.0000000Z' FROM n
            """, new { campaignId, count }, transaction);
        await transaction.CommitAsync();
        await new ReportRepository(database).RebuildCountersAsync(campaignId);
    }

    private static async Task<long> ScalarAsync(AmiDialerDatabase database, string sql)
    {
        await using var connection = await database.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
