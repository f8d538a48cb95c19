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
using Microsoft.Data.Sqlite;

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
        var folder = Path.Combine(Path.GetTempPath(), "amidialer-engine-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        Console.WriteLine($"engine bench: {settings.Leads:N0} leads at {settings.Cps} calls/s, arrival {settings.ArrivalText}, time scale {settings.TimeScale}, " +
            $"warm-up {settings.Warmup:N0} calls, events mask '{settings.Events}'");
        Console.WriteLine($"  {Environment.ProcessorCount} cores, server GC {GCSettings.IsServerGC}, inline socket completions {(InlineSocketCompletions.Enabled ? "on" : "off")}, load average {LoadAverage()}");
        try
        {
            using var sim = await SimServerProcess.StartAsync(settings.TimeScale, seed: 1);
            return await RunAgainstAsync(sim, settings, folder);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<int> RunAgainstAsync(SimServerProcess sim, EngineBenchSettings settings, string folder)
    {
        var database = await AmiDialerDatabase.OpenAsync(Path.Combine(folder, "bench.db"));
        var campaigns = new CampaignRepository(database, TimeProvider.System);
        var campaign = await campaigns.CreateAsync(new Campaign
        {
            Name = "engine-bench",
            DialTemplate = "Local/{number}@pstn",
            Destination = new DialplanTarget("agents", "100", 1),
            CallerId = "\"Bench\" <5551234>",
            RingTimeout = TimeSpan.FromSeconds(30),
            MaxConcurrentCalls = 5000,
            CallsPerSecond = settings.Cps,
            CallingHours = DailyWindow.AllDay,
            MaxAttempts = 1,
        }, "bench");
        var numbers = Enumerable.Range(0, settings.Leads).Select(Number).ToList();
        await ImportAsync(database, campaign.Id, numbers, folder);

        await using var engine = new DialerEngine(new DialerEngineOptions
        {
            DatabasePath = database.Path,
            Servers =
            [
                new AmiServerConfig("sim", new AmiClientOptions
                {
                    Host = "127.0.0.1",
                    Port = sim.Port,
                    Username = "dialer",
                    Secret = "dialerpass",
                    EventMask = settings.Events,
                    // The campaign's pacer holds the rate; a second limit in the client would only add queueing.
                    OriginatesPerSecond = 0,
                }, MaxConcurrentCalls: 5000),
            ],
            Simulated = true,
            InstanceName = "engine-bench",
            DialBatchInterval = settings.BatchMs is { } ms ? TimeSpan.FromMilliseconds(ms) : Defaults.DialBatchInterval,
        });
        await engine.StartAsync(useScheduler: false);
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await engine.WaitForServersAsync(connect.Token);
        }

        // Leads become due one after another at the arrival rate, from a second from now.
        var start = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        var due = numbers.Select((_, i) => settings.Arrival is { } rate ? start + TimeSpan.FromSeconds(i / rate) : start).ToList();
        await SetDueTimesAsync(database, campaign.Id, due);

        using var allocations = settings.Allocations ? new AllocationSampler() : null;
        var probe = new WindowProbe(engine, campaign.Id, sim, settings.Warmup, settings.Leads, allocations);
        using var stopProbe = new CancellationTokenSource();
        var probing = probe.RunAsync(stopProbe.Token);
        var wall = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds((settings.Leads / Math.Min(settings.Cps, settings.Arrival ?? settings.Cps) * 3) + 120));
        var result = await engine.RunCampaignAsync(campaign.Id, timeout.Token);
        wall.Stop();
        await stopProbe.CancelAsync();
        await probing;
        var peakWorkingSet = Process.GetCurrentProcess().PeakWorkingSet64;
        // What the run left behind once collected: a leak per call would show here, not in the peak.
        var retained = GC.GetTotalMemory(forceFullCollection: true);

        Console.WriteLine($"run: {result.End} ({result.Message}) after {wall.Elapsed.TotalSeconds:F1} s");
        var originates = await sim.OriginatesAsync(Path.Combine(folder, "originates.tsv"));
        var verified = await VerifyAsync(database, campaign.Id, settings.Leads, originates);
        if (probe.Start is not { } from || probe.End is not { } to)
        {
            Console.WriteLine("NO MEASUREMENT: the run never got past the warm-up.");
            return 1;
        }

        Report(settings, from, to, probe.PeakActive, peakWorkingSet, originates, numbers, due);
        Console.WriteLine($"  managed heap         {retained / 1024.0 / 1024.0:F0} MB live after the run (full collection, engine still open)");
        await PrintOutcomesAsync(database, campaign.Id);
        allocations?.Print(25);
        Console.WriteLine($"  load average at the end {LoadAverage()}");
        return verified && result.End == CampaignRunEnd.Finished ? 0 : 1;
    }

    private static readonly DialerEngineOptions Defaults = new() { DatabasePath = "", Servers = [] };

    private static void Report(EngineBenchSettings settings, WindowMark from, WindowMark to, int peakActive, long peakWorkingSet,
        IReadOnlyList<(string ChannelId, string Number, DateTimeOffset ReceivedAt)> originates, List<string> numbers, List<DateTimeOffset> due)
    {
        var calls = to.Sent - from.Sent;
        var seconds = (to.At - from.At).TotalSeconds;
        var cpu = (to.Cpu - from.Cpu).TotalSeconds;
        var simCpu = (to.SimCpu - from.SimCpu).TotalSeconds;
        var index = new Dictionary<string, int>(numbers.Count, StringComparer.Ordinal);
        for (var i = 0; i < numbers.Count; i++)
        {
            index[numbers[i].TrimStart('+')] = i;
        }

        // Delay of the leads due inside the measured window: from due to the PBX receiving the Originate.
        var delays = originates
            .Select(o => index.TryGetValue(o.Number, out var i) && i >= settings.Warmup ? (o.ReceivedAt - due[i]).TotalMilliseconds : double.NaN)
            .Where(d => !double.IsNaN(d))
            .Order()
            .ToArray();
        Console.WriteLine($"measured window: {calls:N0} Originates in {seconds:F1} s after {from.Sent:N0} warm-up calls");
        Console.WriteLine($"  sustained            {calls / seconds:F1} Originates/s (target {settings.Cps})");
        Console.WriteLine($"  dialer CPU           {cpu:F2} s = {cpu / seconds:F2} cores; per call {cpu / calls * 1e6:F0} us (target <= 200 us, under one core)");
        Console.WriteLine($"  simulator CPU        {simCpu:F2} s = {simCpu / calls * 1e6:F0} us per call (its own process, not counted above)");
        Console.WriteLine($"  due -> Originate     p50 {Percentile(delays, 0.50):F1} ms, p99 {Percentile(delays, 0.99):F1} ms, max {(delays.Length > 0 ? delays[^1] : double.NaN):F1} ms ({delays.Length:N0} leads, as received by the PBX)");
        Console.WriteLine($"  allocated            {(to.Allocated - from.Allocated) / (double)calls / 1024:F1} KB per call; GCs gen0/1/2 {to.Gen0 - from.Gen0}/{to.Gen1 - from.Gen1}/{to.Gen2 - from.Gen2}");
        Console.WriteLine($"  store                {(to.Commits - from.Commits) / seconds:F0} commits/s; {(to.BytesWritten - from.BytesWritten) / (double)calls / 1024:F1} KB written to files per call (WAL, checkpoints; socket sends are not counted)");
        Console.WriteLine($"  context switches     {(to.ContextSwitches - from.ContextSwitches) / (double)calls:F1} per call; thread-pool work items {(to.WorkItems - from.WorkItems) / (double)calls:F1} per call");
        Console.WriteLine($"  peak concurrency     {peakActive:N0} calls (Little's law at this rate and the mix's mean call: see README)");
        Console.WriteLine($"  peak working set     {peakWorkingSet / 1024.0 / 1024.0:F0} MB (whole run, import included)");
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
    private static async Task<bool> VerifyAsync(AmiDialerDatabase database, long campaignId, int leads,
        IReadOnlyList<(string ChannelId, string Number, DateTimeOffset ReceivedAt)> originates)
    {
        await using var connection = await database.OpenSqliteConnectionAsync();
        var attempts = await connection.QuerySingleAsync<(long Total, long Leads, long Open)>(
            "SELECT COUNT(*), COUNT(DISTINCT lead_id), SUM(state <> 'ended') FROM attempts WHERE campaign_id = @campaignId", new { campaignId });
        var notOnce = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM leads WHERE campaign_id = @campaignId AND attempt_count <> 1", new { campaignId });
        var channelIds = (await connection.QueryAsync<string>("SELECT channel_id FROM attempts WHERE campaign_id = @campaignId", new { campaignId }))
            .ToHashSet(StringComparer.Ordinal);
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

    private static async Task PrintOutcomesAsync(AmiDialerDatabase database, long campaignId)
    {
        await using var connection = await database.OpenSqliteConnectionAsync();
        var rows = await connection.QueryAsync<(string Outcome, long Count, double? Talk)>(
            "SELECT outcome, COUNT(*), AVG(talk_seconds) FROM attempts WHERE campaign_id = @campaignId GROUP BY outcome ORDER BY COUNT(*) DESC", new { campaignId });
        Console.WriteLine("  outcomes             " + string.Join(", ", rows.Select(r => $"{r.Outcome} {r.Count:N0}" + (r.Talk is { } t ? $" (talk {t:F0} s)" : ""))));
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
