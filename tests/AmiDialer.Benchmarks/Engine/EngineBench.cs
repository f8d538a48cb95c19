using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using AmiDialer.Ami;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine;
using Dapper;
using AmiDialer.Benchmarks.Data;
using AmiDialer.Testing.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AmiDialer.Benchmarks.Engine;

/// <summary>
/// Issue 6's benchmark: one campaign dialed by the real engine (store, pacer, AMI client, tracker) against the
/// simulator running in its own process (<see cref="SimServer"/>), so this process's CPU time is the dialer's alone.
/// Leads become due at a steady rate; after <c>warmup</c> Originates, the window up to the last Originate is measured:
/// sustained Originates per second, dialer CPU per call, delay from a lead's due time to its Originate reaching the
/// PBX, allocation per call, peak memory and concurrency. Afterwards every lead must have exactly one attempt and
/// every attempt exactly one Originate. Outcomes: the simulator's <c>RealisticMix</c>.
/// </summary>
internal static class EngineBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        // As amidialer run/serve do, before any socket: the figures are the shipped configuration's.
        InlineSocketCompletions.EnableUnlessSet();
        var settings = EngineBenchSettings.Parse(args);
        var servers = settings.Servers ?? settings.Nodes.Max();
        var campaigns = settings.Campaigns ?? settings.Nodes.Max();
        if (settings.Nodes.Any(n => n > 1) && settings.Stores.Contains("sqlite"))
        {
            throw new ArgumentException("nodes > 1 needs store=postgres: nodes share one PostgreSQL database.");
        }

        Console.WriteLine($"engine bench: {settings.Leads:N0} leads at {settings.Cps} calls/s, arrival {settings.ArrivalText}, time scale {settings.TimeScale}, " +
            $"warm-up {settings.Warmup:N0} calls, events mask '{settings.Events}'; {campaigns} campaign(s) on {servers} simulated server(s)");
        Console.WriteLine($"  {Environment.ProcessorCount} cores, server GC {GCSettings.IsServerGC}, inline socket completions {(InlineSocketCompletions.Enabled ? "on" : "off")}, load average {LoadAverage()}");
        var summaries = new List<string>();
        var ok = true;
        foreach (var store in settings.Stores)
        {
            foreach (var nodes in settings.Nodes)
            {
                Console.WriteLine();
                Console.WriteLine($"== {store}, {nodes} node(s)");
                var folder = Path.Combine(Path.GetTempPath(), $"amidialer-engine-bench-{Environment.ProcessId}-{store}-{nodes}");
                Directory.CreateDirectory(folder);
                PostgresFixture? postgres = null;
                var sims = new List<SimServerProcess>();
                try
                {
                    if (store == "postgres")
                    {
                        postgres = new PostgresFixture();
                        await postgres.InitializeAsync();
                    }

                    for (var i = 0; i < servers; i++)
                    {
                        sims.Add(await SimServerProcess.StartAsync(settings.TimeScale, seed: i + 1));
                    }

                    var (passed, summary) = await RunAgainstAsync(sims, postgres, nodes, campaigns, settings, folder);
                    ok &= passed;
                    summaries.Add($"{store,-8} {nodes} node(s): {summary}");
                }
                finally
                {
                    sims.ForEach(s => s.Dispose());
                    SqliteConnection.ClearAllPools();
                    NpgsqlConnection.ClearAllPools();
                    if (postgres is not null)
                    {
                        await postgres.DisposeAsync();
                    }

                    Directory.Delete(folder, recursive: true);
                }
            }
        }

        if (summaries.Count > 1)
        {
            Console.WriteLine();
            Console.WriteLine("summary (same run):");
            summaries.ForEach(s => Console.WriteLine("  " + s));
        }

        return ok ? 0 : 1;
    }

    private static async Task<(bool Ok, string Summary)> RunAgainstAsync(List<SimServerProcess> sims, PostgresFixture? postgres, int nodeCount, int campaignCount,
        EngineBenchSettings settings, string folder)
    {
        // One store per node: on PostgreSQL each its own data source (its own connections) on one database.
        var connectionString = postgres is null ? null : await postgres.CreateDatabaseAsync("engine");
        var databases = new List<AmiDialerDatabase>();
        for (var n = 0; n < nodeCount; n++)
        {
            databases.Add(connectionString is null
                ? await AmiDialerDatabase.OpenAsync(Path.Combine(folder, "bench.db"))
                : await AmiDialerDatabase.OpenPostgresAsync(connectionString, Path.Combine(folder, $"node{n}", "bench.db")));
        }

        var database = databases[0];
        var campaignRepository = new CampaignRepository(database, TimeProvider.System);
        var campaigns = new List<long>();
        var numbers = new List<List<string>>();
        var due = new List<DateTimeOffset>();
        var dueAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var start = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        for (var c = 0; c < campaignCount; c++)
        {
            var campaign = await campaignRepository.CreateAsync(new Campaign
            {
                Name = $"engine-bench-{c + 1}",
                DialTemplate = "Local/{number}@pstn",
                Destination = new DialplanTarget("agents", "100", 1),
                CallerId = "\"Bench\" <5551234>",
                RingTimeout = TimeSpan.FromSeconds(30),
                MaxConcurrentCalls = 5000,
                CallsPerSecond = settings.Cps / campaignCount,
                CallingHours = DailyWindow.AllDay,
                MaxAttempts = 1,
            }, "bench");
            campaigns.Add(campaign.Id);
            var mine = Enumerable.Range(0, settings.Leads).Where(i => i % campaignCount == c).Select(Number).ToList();
            await ImportAsync(database, campaign.Id, mine, folder);
            numbers.Add(mine);
        }

        var engines = new List<DialerEngine>();
        try
        {
            for (var n = 0; n < nodeCount; n++)
            {
                var engine = new DialerEngine(new DialerEngineOptions
                {
                    DatabasePath = databases[n].Path,
                    Database = databases[n],
                    Servers = [.. sims.Select((sim, i) => new AmiServerConfig($"sim{i + 1}", new AmiClientOptions
                    {
                        Host = "127.0.0.1",
                        Port = sim.Port,
                        Username = "dialer",
                        Secret = "dialerpass",
                        EventMask = settings.Events,
                        // The campaign's pacer holds the rate; a second limit in the client would only add queueing.
                        OriginatesPerSecond = 0,
                    }, MaxConcurrentCalls: 5000))],
                    Simulated = true,
                    InstanceName = $"engine-bench-node{n + 1}",
                    DialBatchInterval = settings.BatchMs is { } ms ? TimeSpan.FromMilliseconds(ms) : Defaults.DialBatchInterval,
                });
                engines.Add(engine);
                await engine.StartAsync(useScheduler: false);
                using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await engine.WaitForServersAsync(connect.Token);
            }

            // Leads become due one after another at the arrival rate, spread evenly over the campaigns, from a moment from now.
            start = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
            for (var c = 0; c < campaignCount; c++)
            {
                var mine = numbers[c];
                var times = mine.Select((_, j) => settings.Arrival is { } rate ? start + TimeSpan.FromSeconds(((j * campaignCount) + c) / rate) : start).ToList();
                await SetDueTimesAsync(database, campaigns[c], times);
                for (var j = 0; j < mine.Count; j++)
                {
                    dueAt[mine[j].TrimStart('+')] = times[j];
                }
            }

            due.AddRange(dueAt.Values.Order());
            var dialed = campaigns.Select((id, c) => (engines[c % nodeCount], id)).ToList();
            using var allocations = settings.Allocations ? new AllocationSampler() : null;
            Func<double>? serverCpu = postgres is null ? null : () => PostgresImportBench.ServerCpu(postgres.Port);
            var probe = new WindowProbe(dialed, sims, settings.Warmup, settings.Leads, allocations, serverCpu);
            using var stopProbe = new CancellationTokenSource();
            var probing = probe.RunAsync(stopProbe.Token);
            var wall = Stopwatch.StartNew();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds((settings.Leads / Math.Min(settings.Cps, settings.Arrival ?? settings.Cps) * 3) + 120));
            var results = await Task.WhenAll(dialed.Select(d => d.Item1.RunCampaignAsync(d.id, timeout.Token)));
            wall.Stop();
            await stopProbe.CancelAsync();
            await probing;
            var peakWorkingSet = Process.GetCurrentProcess().PeakWorkingSet64;
            // What the run left behind once collected: a leak per call would show here, not in the peak.
            var retained = GC.GetTotalMemory(forceFullCollection: true);

            Console.WriteLine($"run: {string.Join(", ", results.Select(r => $"{r.End} ({r.Message})").Distinct())} after {wall.Elapsed.TotalSeconds:F1} s");
            var originates = new List<(string ChannelId, string Number, DateTimeOffset ReceivedAt)>();
            foreach (var sim in sims)
            {
                originates.AddRange(await sim.OriginatesAsync(Path.Combine(folder, "originates.tsv")));
            }

            var verified = await VerifyAsync(database, campaigns, settings.Leads, originates);
            if (probe.Start is not { } from || probe.End is not { } to)
            {
                Console.WriteLine("NO MEASUREMENT: the run never got past the warm-up.");
                return (false, "no measurement");
            }

            var summary = Report(settings, from, to, probe.PeakActive, peakWorkingSet, originates, dueAt, due.Count > settings.Warmup ? due[settings.Warmup] : start);
            Console.WriteLine($"  managed heap         {retained / 1024.0 / 1024.0:F0} MB live after the run (full collection, engines still open)");
            await PrintOutcomesAsync(database, campaigns);
            allocations?.Print(25);
            Console.WriteLine($"  load average at the end {LoadAverage()}");
            return (verified && results.All(r => r.End == CampaignRunEnd.Finished), summary);
        }
        finally
        {
            foreach (var engine in engines)
            {
                await engine.DisposeAsync();
            }

            foreach (var db in databases)
            {
                await db.DisposeAsync();
            }
        }
    }

    private static readonly DialerEngineOptions Defaults = new() { DatabasePath = "", Servers = [] };

    private static string Report(EngineBenchSettings settings, WindowMark from, WindowMark to, int peakActive, long peakWorkingSet,
        IReadOnlyList<(string ChannelId, string Number, DateTimeOffset ReceivedAt)> originates, Dictionary<string, DateTimeOffset> dueAt, DateTimeOffset measuredFrom)
    {
        var calls = to.Sent - from.Sent;
        var seconds = (to.At - from.At).TotalSeconds;
        var cpu = (to.Cpu - from.Cpu).TotalSeconds;
        var simCpu = (to.SimCpu - from.SimCpu).TotalSeconds;
        var serverCpu = to.ServerCpu - from.ServerCpu;

        // Delay of the leads due after the warm-up's: from due to the PBX receiving the Originate.
        var delays = originates
            .Select(o => dueAt.TryGetValue(o.Number, out var at) && at >= measuredFrom ? (o.ReceivedAt - at).TotalMilliseconds : double.NaN)
            .Where(d => !double.IsNaN(d))
            .Order()
            .ToArray();
        Console.WriteLine($"measured window: {calls:N0} Originates in {seconds:F1} s after {from.Sent:N0} warm-up calls");
        Console.WriteLine($"  sustained            {calls / seconds:F1} Originates/s (target {settings.Cps})");
        Console.WriteLine($"  dialer CPU           {cpu:F2} s = {cpu / seconds:F2} cores; per call {cpu / calls * 1e6:F0} us (target <= 200 us, under one core)");
        if (serverCpu > 0)
        {
            Console.WriteLine($"  PostgreSQL CPU       {serverCpu:F2} s = {serverCpu / seconds:F2} cores; per call {serverCpu / calls * 1e6:F0} us (every process of the cluster)");
        }

        Console.WriteLine($"  simulator CPU        {simCpu:F2} s = {simCpu / calls * 1e6:F0} us per call (its own process(es), not counted above)");
        Console.WriteLine($"  due -> Originate     p50 {Percentile(delays, 0.50):F1} ms, p99 {Percentile(delays, 0.99):F1} ms, max {(delays.Length > 0 ? delays[^1] : double.NaN):F1} ms ({delays.Length:N0} leads, as received by the PBX)");
        Console.WriteLine($"  allocated            {(to.Allocated - from.Allocated) / (double)calls / 1024:F1} KB per call; GCs gen0/1/2 {to.Gen0 - from.Gen0}/{to.Gen1 - from.Gen1}/{to.Gen2 - from.Gen2}");
        Console.WriteLine($"  store                {(to.Commits - from.Commits) / seconds:F0} commits/s; {(to.BytesWritten - from.BytesWritten) / (double)calls / 1024:F1} KB written to files per call (WAL, checkpoints; socket sends are not counted)");
        Console.WriteLine($"  context switches     {(to.ContextSwitches - from.ContextSwitches) / (double)calls:F1} per call; thread-pool work items {(to.WorkItems - from.WorkItems) / (double)calls:F1} per call");
        Console.WriteLine($"  peak concurrency     {peakActive:N0} calls (Little's law at this rate and the mix's mean call: see README)");
        Console.WriteLine($"  peak working set     {peakWorkingSet / 1024.0 / 1024.0:F0} MB (whole run, import included)");
        return string.Create(CultureInfo.InvariantCulture,
            $"{calls / seconds:F1} calls/s, dialer CPU {cpu / calls * 1e6:F0} us/call{(serverCpu > 0 ? $" + PostgreSQL {serverCpu / calls * 1e6:F0} us/call" : "")}, p99 due->Originate {Percentile(delays, 0.99):F0} ms, load {LoadAverage().Split(' ')[0]}");
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    internal static string Number(int i) =>
        "+1415" + (2000000 + i).ToString("0000000", CultureInfo.InvariantCulture);

    internal static async Task ImportAsync(AmiDialerDatabase database, long campaignId, List<string> numbers, string folder)
    {
        var csv = new StringBuilder("phone,name\n");
        for (var i = 0; i < numbers.Count; i++)
        {
            csv.Append(numbers[i]).Append(",Lead ").Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        var result = await new CsvLeadImporter(database, TimeProvider.System).ImportAsync(stream, "leads.csv", new CsvImportOptions
        {
            CampaignId = campaignId,
            ErrorCsvPath = Path.Combine(folder, "errors.csv"),
        });
        if (result.Imported != numbers.Count)
        {
            throw new InvalidOperationException($"Imported {result.Imported} of {numbers.Count} leads.");
        }
    }

    /// <summary>Lead i (in import order) becomes due at <paramref name="due"/>[i].</summary>
    private static async Task SetDueTimesAsync(AmiDialerDatabase database, long campaignId, List<DateTimeOffset> due)
    {
        if (database.Provider == StoreProvider.Postgres)
        {
            await using var pg = await database.OpenPostgresConnectionAsync();
            await using var update = new NpgsqlCommand("""
                UPDATE leads l SET next_eligible_at = d.at
                FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM leads WHERE campaign_id = $1) o
                JOIN unnest($2::timestamptz[]) WITH ORDINALITY AS d(at, n) ON d.n = o.n
                WHERE l.id = o.id
                """, pg);
            update.Parameters.Add(new NpgsqlParameter<long> { TypedValue = campaignId });
            update.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. due.Select(d => d.UtcDateTime)] });
            await update.ExecuteNonQueryAsync();
            await using var analyze = new NpgsqlCommand("ANALYZE leads", pg);
            await analyze.ExecuteNonQueryAsync();
            return;
        }

        await using var connection = await database.OpenSqliteConnectionAsync();
        var ids = (await connection.QueryAsync<long>("SELECT id FROM leads WHERE campaign_id = @campaignId ORDER BY id", new { campaignId })).ToList();
        await using var transaction = connection.BeginTransaction();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE leads SET next_eligible_at = $at WHERE id = $id";
        var at = command.Parameters.Add("$at", SqliteType.Text);
        var id = command.Parameters.Add("$id", SqliteType.Integer);
        for (var i = 0; i < ids.Count; i++)
        {
            at.Value = DapperTypeHandlers.ToDb(due[i]);
            id.Value = ids[i];
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>Every lead dialed exactly once: one attempt per lead in the store, one Originate per attempt at the PBX.</summary>
    private static async Task<bool> VerifyAsync(AmiDialerDatabase database, List<long> campaigns, int leads,
        IReadOnlyList<(string ChannelId, string Number, DateTimeOffset ReceivedAt)> originates)
    {
        await using var connection = await database.OpenConnectionAsync();
        // The bench's own ids, written inline: the same SQL on both stores.
        var ids = string.Join(",", campaigns);
        var attempts = await connection.QuerySingleAsync<(long Total, long Leads, long Open)>(
            $"SELECT COUNT(*), COUNT(DISTINCT lead_id), COALESCE(SUM(CASE WHEN state <> 'ended' THEN 1 ELSE 0 END), 0) FROM attempts WHERE campaign_id IN ({ids})");
        var notOnce = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM leads WHERE campaign_id IN ({ids}) AND attempt_count <> 1");
        var channelIds = (await connection.QueryAsync<string>($"SELECT channel_id FROM attempts WHERE campaign_id IN ({ids})")).ToHashSet(StringComparer.Ordinal);
        var sentChannels = originates.Select(o => o.ChannelId).ToList();
        var distinctSent = sentChannels.Distinct(StringComparer.Ordinal).Count();
        var distinctNumbers = originates.Select(o => o.Number).Distinct(StringComparer.Ordinal).Count();
        var unmatched = sentChannels.Count(c => !channelIds.Contains(c));
        var ok = attempts.Total == leads && attempts.Leads == leads && attempts.Open == 0 && notOnce == 0
            && sentChannels.Count == leads && distinctSent == leads && distinctNumbers == leads && unmatched == 0;
        Console.WriteLine($"verified: {(ok ? "OK" : "FAILED")}: {attempts.Total:N0} attempts for {attempts.Leads:N0} leads ({attempts.Open} open, {notOnce} leads not dialed exactly once); " +
            $"PBX received {sentChannels.Count:N0} Originates, {distinctSent:N0} ChannelIds, {distinctNumbers:N0} numbers, {unmatched} without an attempt");
        return ok;
    }

    private static async Task PrintOutcomesAsync(AmiDialerDatabase database, List<long> campaigns)
    {
        await using var connection = await database.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string Outcome, long Count, double? Talk)>(
            $"SELECT outcome, COUNT(*), AVG(talk_seconds) FROM attempts WHERE campaign_id IN ({string.Join(",", campaigns)}) GROUP BY outcome ORDER BY COUNT(*) DESC");
        Console.WriteLine("  outcomes             " + string.Join(", ", rows.Select(r => $"{r.Outcome} {r.Count:N0}" + (r.Talk is { } t ? $" (talk {t:F0} s)" : ""))));
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
