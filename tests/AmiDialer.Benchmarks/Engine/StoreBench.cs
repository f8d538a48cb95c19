using System.Diagnostics;
using System.Globalization;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Benchmarks.Engine;

/// <summary>
/// The store's share of a dialed call, alone: the engine's reads and writes for each call (the due-leads query, the
/// claim, the live mark, the ending) on one thread, with no AMI, no tracker and no waits, in batches as the engine
/// bench groups them. What the engine's CPU per call cannot go below while it stores a call this way.
/// <c>store [calls=30000] [batch=24] [open=1400] [pace=0] [fence=1] [cap=open+2*batch]</c>: claims <c>batch</c> leads per transaction and ends them
/// <c>open</c> calls later (the engine bench's live calls), <c>batch</c> per transaction; <c>pace=500</c> spreads the
/// work over time as 500 calls a second would (the thread sleeps between batches, as the engine's threads do).
/// <c>postgres=1</c>: the same calls on PostgreSQL (<see cref="PostgresAttemptWriter"/>, <see cref="PostgresDueLeadsQuery"/>)
/// on a throwaway server started here, whose CPU is reported beside the process's. Each claim carries a server cap
/// (<c>cap</c>, as the engine's claims carry its server's MaxConcurrentCalls), just above the open calls by default so
/// every claim transaction counts them all; <c>cap=0</c> claims without one.
/// </summary>
internal static class StoreBench
{
    private static readonly string[] Numbers = ["calls", "batch", "open", "pace", "live", "fence", "postgres", "cap"];

    /// <summary>The server cap every claim carries (<c>cap=</c>); null: none.</summary>
    private static int? ServerCap { get; set; }

    /// <summary>Named whole numbers, and <c>drop=NAME[,NAME]</c>; anything else is refused, naming the argument.</summary>
    private static (Dictionary<string, int> Values, List<string> Drop) Parse(string[] args)
    {
        var values = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var drop = new List<string>();
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            var value = eq > 0 ? arg[(eq + 1)..] : "";
            if (name.Equals("drop", StringComparison.OrdinalIgnoreCase))
            {
                drop.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries));
            }
            else if (!Numbers.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"'{arg}': expected name=value, one of {string.Join(", ", Numbers)} or drop.");
            }
            else if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw new ArgumentException($"'{arg}': {name} must be a whole number.");
            }
            else
            {
                values[name] = number;
            }
        }

        return (values, drop);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var (values, drop) = Parse(args);
        var calls = values.GetValueOrDefault("calls", 30_000);
        var batch = values.GetValueOrDefault("batch", 24);
        var open = values.GetValueOrDefault("open", 1_400);
        var pace = values.GetValueOrDefault("pace", 0);
        var markLive = values.GetValueOrDefault("live", 1) != 0;
        // As the engine claims: each claim fenced on the campaign's lease (fence=0: without, to measure its cost).
        var fenced = values.GetValueOrDefault("fence", 1) != 0;
        var postgres = values.GetValueOrDefault("postgres", 0) != 0;
        var cap = values.GetValueOrDefault("cap", open + 2 * batch);
        ServerCap = cap > 0 ? cap : null;
        if (calls < 10 || batch < 1 || open < 0 || pace < 0)
        {
            throw new ArgumentException($"calls ({calls}) must be at least 10, batch ({batch}) at least 1, open ({open}) and pace ({pace}) at least 0.");
        }
        var warmup = Math.Min(3_000, calls / 10);
        var folder = Path.Combine(Path.GetTempPath(), "amidialer-store-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        Console.WriteLine($"store bench: {calls:N0} calls, {batch} per transaction, {open:N0} open at a time, warm-up {warmup:N0}; one thread, " +
            (pace > 0 ? $"paced at {pace} calls/s" : "flat out") + (markLive ? "" : ", no live marks") + (fenced ? "" : ", no lease fence") + (ServerCap is { } c ? $", server cap {c}" : ", no server cap") + (postgres ? ", on PostgreSQL" : "") + (drop.Count > 0 ? ", without " + string.Join(", ", drop) : ""));
        if (postgres)
        {
            try
            {
                return await PostgresStoreBench.RunAsync(calls, batch, open, pace, markLive, fenced, warmup, folder);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        try
        {
            var database = await AmiDialerDatabase.OpenAsync(Path.Combine(folder, "bench.db"));
            var campaign = await new CampaignRepository(database, TimeProvider.System).CreateAsync(new Campaign
            {
                Name = "store-bench",
                DialTemplate = "Local/{number}@pstn",
                Destination = new DialplanTarget("agents", "100", 1),
                CallerId = "\"Bench\" <5551234>",
                CallingHours = DailyWindow.AllDay,
                MaxAttempts = 1,
            }, "bench");
            await EngineBench.ImportAsync(database, campaign.Id, [.. Enumerable.Range(0, calls + open).Select(EngineBench.Number)], folder);
            if (drop.Count > 0)
            {
                // What an index costs the hot path: an experiment on the bench's own file, never a schema change.
                await using var connection = await database.OpenConnectionAsync();
                foreach (var index in drop)
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = "DROP INDEX \"" + index.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
                    await command.ExecuteNonQueryAsync();
                }
            }

            LeaseFence? fence = null;
            if (fenced)
            {
                fence = new LeaseFence(LeaseKeys.Campaign(campaign.Id), "store-bench");
                await new LeaseRepository(database).TryAcquireAsync(fence.Key, fence.Owner, TimeSpan.FromMinutes(5));
            }

            var leads = new LeadRepository(database);
            await using var writer = new AttemptWriter(database, TimeProvider.System, claimsOnCallerThread: true);
            // The engine's own way of asking: the query prepared once on a connection of its own.
            await using var dueQuery = await leads.OpenDueQueryAsync();
            var (wall, cpu) = await RunCallsAsync(writer, dueQuery, campaign.Id, fence, calls, batch, open, pace, markLive, warmup, () => 0);
            Report(calls - warmup, wall, cpu, "(process, every thread: the WAL checkpointer included)");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The calls on one thread: due leads, claims, live marks, endings <paramref name="open"/> calls later. Measured
    /// after <paramref name="warmup"/> calls: wall time, this process's CPU, <paramref name="elsewhere"/>'s CPU (a
    /// database server's), and the transactions committed.
    /// </summary>
    internal static async Task<(TimeSpan Wall, (double Process, double Elsewhere, long Batches) Cpu)> RunCallsAsync(
        IAttemptWriter writer, IDueLeadsQuery dueQuery, long campaignId, LeaseFence? fence, int calls, int batch, int open, int pace, bool markLive, int warmup, Func<double> elsewhere)
    {
        var live = new Queue<long>();
        var done = 0;
        var process = Process.GetCurrentProcess();
        TimeSpan cpuFrom = default;
        double elsewhereFrom = 0;
        long batchesFrom = 0;
        var wall = new Stopwatch();
        while (done < calls)
        {
            if (done >= warmup && !wall.IsRunning)
            {
                process.Refresh();
                cpuFrom = process.TotalProcessorTime;
                elsewhereFrom = elsewhere();
                batchesFrom = writer.Stats.Batches;
                wall.Start();
            }

            var now = DateTimeOffset.UtcNow;
            // Every lead is fresh: the campaign order that reads them first asks once, as the engine does.
            var due = await dueQuery.GetAsync(campaignId, now, batch, LeadOrder.FreshFirst);
            var claims = due.Select(l =>
            {
                var id = "store-" + l.Id.ToString(CultureInfo.InvariantCulture);
                return new DialClaim(new AttemptClaim(l.Id, id, id, "sim", IsSimulated: false) { LeaseKey = fence?.Key }, campaignId, l.PhoneE164) { LeadState = l.State, AttemptCount = l.AttemptCount, Fence = fence, ServerCap = ServerCap };
            }).ToList();
            foreach (var result in await writer.ClaimAsync(claims, now))
            {
                var attempt = result.Attempt ?? throw new InvalidOperationException($"Claim refused: {result.Status} {result.Error}");
                if (markLive)
                {
                    writer.MarkLive(attempt.Id);
                }

                live.Enqueue(attempt.Id);
            }

            if (live.Count > open)
            {
                var endings = new List<AttemptEnding>();
                while (live.Count > open && endings.Count < batch)
                {
                    var answered = (live.Peek() & 1) == 0;
                    endings.Add(new AttemptEnding
                    {
                        AttemptId = live.Dequeue(),
                        Outcome = answered ? CallOutcome.Answered : CallOutcome.NoAnswer,
                        EndedAt = now,
                        Reason = answered ? "4" : "3",
                        HangupCause = answered ? 16 : 19,
                        HangupCauseText = answered ? "Normal Clearing" : "No answer",
                        AnsweredAt = answered ? now : null,
                        TalkSeconds = answered ? 3 : null,
                        LeadState = LeadState.Done,
                        LeadFinalOutcome = answered ? CallOutcome.Answered : CallOutcome.NoAnswer,
                    });
                }

                await writer.EndManyAsync(endings);
                done += endings.Count;
            }

            if (pace > 0 && wall.IsRunning)
            {
                // A blocking sleep keeps the work on this one thread, as measured flat out.
                var behind = TimeSpan.FromSeconds((done - warmup) / (double)pace) - wall.Elapsed;
                if (behind > TimeSpan.Zero)
                {
                    Thread.Sleep(behind);
                }
            }
        }

        wall.Stop();
        process.Refresh();
        return (wall.Elapsed, ((process.TotalProcessorTime - cpuFrom).TotalSeconds, elsewhere() - elsewhereFrom, writer.Stats.Batches - batchesFrom));
    }

    internal static void Report(int measured, TimeSpan wall, (double Process, double Elsewhere, long Batches) cpu, string what)
    {
        Console.WriteLine($"  {measured:N0} calls in {wall.TotalSeconds:F1} s: {measured / wall.TotalSeconds:N0} calls/s on one thread");
        Console.WriteLine($"  store CPU per call   {cpu.Process / measured * 1e6:F0} us {what}");
        if (cpu.Elsewhere > 0)
        {
            Console.WriteLine($"  server CPU per call  {cpu.Elsewhere / measured * 1e6:F0} us (every process of the PostgreSQL cluster)");
        }

        Console.WriteLine($"  commits              {cpu.Batches / (double)measured:F3} per call");
    }
}
