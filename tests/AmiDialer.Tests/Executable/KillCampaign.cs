using System.Diagnostics;
using System.Globalization;
using System.Text;
using AmiDialer.Data.TestHooks;
using AmiDialer.Tests.Cli;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// A campaign dialed by the real executable against a simulator in another process, killed again and again and
/// started again until it finishes; then what the database says is compared with what the simulator recorded.
/// </summary>
internal sealed class KillCampaign(CliRunner cli, SimulatorProcess simulator, ITestOutputHelper output)
{
    public const string Name = "killed";

    /// <summary>SIGKILL as the shell reports it: 128 + 9.</summary>
    private const int KilledCode = 137;

    /// <summary>Generous: a loaded machine starts .NET slowly; one run of the plan never takes near this long.</summary>
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(90);

    private readonly Dictionary<string, int> kills = new(StringComparer.Ordinal);
    private readonly List<string> violations = [];
    private readonly StringBuilder log = new();
    private int runs;
    private int refusedStarts;

    public int Kills => kills.Values.Sum();

    public ChildServe.Store Store => new(cli.DatabasePath);

    /// <summary>
    /// A simulator scenario whose calls last a second or two at its time scale, so kills find calls ringing and up:
    /// answered ring 2-6 s and talk 4-16 s (PBX time), the rest spread over every failure the dialer tells apart.
    /// </summary>
    public static string Scenario(double timeScale, int seed) => string.Create(CultureInfo.InvariantCulture, $$"""
        {
          "timeScale": {{timeScale}},
          "seed": {{seed}},
          "mix": [
            { "outcome": "answered", "weight": 45, "ringSeconds": [2, 6], "talkSeconds": [4, 16] },
            { "outcome": "noAnswer", "weight": 20, "ringSeconds": [4, 10] },
            { "outcome": "busy", "weight": 12, "ringSeconds": [0, 2] },
            { "outcome": "rejected", "weight": 6, "ringSeconds": [2, 8] },
            { "outcome": "congestion", "weight": 6, "ringSeconds": [0, 1] },
            { "outcome": "unallocated", "weight": 6, "ringSeconds": [0, 1] },
            { "outcome": "channelUnavailable", "weight": 5 }
          ]
        }
        """);

    /// <summary>
    /// Numbers of the fictional 555-01xx range in several area codes. Busy is retried once after a second (a
    /// re-dial that is right); interrupted is always retried; at most four attempts.
    /// </summary>
    public async Task CreateAsync(int leads, int callsPerSecond, int maxConcurrent)
    {
        string[] areas = ["212", "415", "312", "617", "202", "305", "713", "206"];
        var csv = new StringBuilder("phone,name\n");
        for (var i = 0; i < leads; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"+1 {areas[i / 100]} 555 {100 + (i % 100):0000},Lead {i}\n");
        }

        var created = await cli.Db("campaign", "create", Name, "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00",
            "--cps", callsPerSecond.ToString(CultureInfo.InvariantCulture), "--max-concurrent", maxConcurrent.ToString(CultureInfo.InvariantCulture),
            "--ring-timeout", "15", "--retry", "busy=1s:1", "--max-attempts", "4");
        Assert.True(created.Code == 0, created.ToString());
        var imported = await cli.Db("import", cli.File("leads.csv", csv.ToString()), "--campaign", Name);
        Assert.True(imported.Code == 0, imported.ToString());
        Assert.Equal(0, (await cli.Db("campaign", "start", Name, "--force")).Code);
    }

    /// <summary>Attempts of the campaign still open: calls up now.</summary>
    public async Task<long> OpenAttemptsAsync() => await Store.OpenAttemptsAsync(Name);

    /// <summary>The ChannelIds of the campaign's attempts so far.</summary>
    public async Task<List<string>> ChannelIdsAsync() =>
        [.. (await QueryAsync("SELECT channel_id FROM attempts WHERE campaign_id = (SELECT id FROM campaigns WHERE name = $name)")).Select(r => (string)r[0])];

    public static bool Refused(AmiDialerProcess run) => Refused(run.Output + run.Error);

    public static bool Refused(string said) =>
        said.Contains("being dialed by another process", StringComparison.Ordinal) || said.Contains("lease", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs <c>amidialer run</c> once per entry of <paramref name="plan"/>, each dying as the entry says, then once
    /// more to the campaign's end (more if it dies anyway); a run refused because the dead one still holds the lease
    /// is started again. After every run, the simulator's record is checked: no answered callee dialed again, no
    /// number with two live calls. Gives up when <paramref name="budget"/> is spent.
    /// </summary>
    public async Task RunAsync(IReadOnlyList<CrashPlan> plan, TimeSpan budget)
    {
        var clock = Stopwatch.StartNew();
        var next = 0;
        var lastRefused = false;
        while (true)
        {
            if (clock.Elapsed > budget)
            {
                violations.Add($"the campaign did not finish within {budget.TotalSeconds:0} s ({runs} runs, {Kills} kills, {refusedStarts} starts refused)");
                return;
            }

            var crash = next < plan.Count ? plan[next] : null;
            var dialsBefore = simulator.Read().Dials.Count;
            int code;
            AmiDialerProcess run;
            try
            {
                (code, run) = await RunOnceAsync(crash, budget - clock.Elapsed);
            }
            catch (TimeoutException e)
            {
                // A run that neither died nor finished: reported with the figures, not instead of them.
                violations.Add($"run {runs + 1} ({crash?.ToString() ?? "to the end"}): {e.Message}");
                return;
            }

            runs++;
            var dialed = simulator.Read().Dials.Skip(dialsBefore).Select(d => d.ChannelId[..(d.ChannelId.LastIndexOf('-') + 1)]).Distinct().ToList();
            CheckRecord($"run {runs}");
            lastRefused &= code is not 0 and not KilledCode;
            if (code == 0)
            {
                Note($"run {runs}: finished the campaign ({(crash is null ? "no kill planned" : $"before {crash}")}); dialed {string.Join(", ", dialed)}");
                return;
            }

            if (code == KilledCode)
            {
                var how = crash?.Point ?? "random";
                kills[how] = kills.GetValueOrDefault(how) + 1;
                Note($"run {runs}: killed ({crash}); dialed {string.Join(", ", dialed)}");
                next++;
                continue;
            }

            if (Refused(run))
            {
                // The previous run's lease, held by a process that is gone: only time frees it unless the taker
                // knows the holder is dead. Counted, and tried again.
                if (!lastRefused)
                {
                    Note($"run {runs}: refused: {Reason(run)} (started again each second until it is not)");
                }

                lastRefused = true;
                refusedStarts++;
                await Task.Delay(TimeSpan.FromSeconds(1));
                continue;
            }

            violations.Add($"run {runs} ({crash?.ToString() ?? "to the end"}) exited {code}:\n{run}");
            return;
        }
    }

    private async Task<(int Code, AmiDialerProcess Run)> RunOnceAsync(CrashPlan? crash, TimeSpan left)
    {
        var environment = simulator.DialerEnvironment();
        if (crash?.Point is { } point)
        {
            environment[KillSwitch.Variable] = $"{point}:{crash.Pass}";
        }

        var dialsBefore = simulator.Read().Dials.Count;
        var run = AmiDialerProcess.Start(cli.Folder, environment, "run", "--campaign", Name, "--db", cli.DatabasePath);
        await using (run)
        {
            var limit = left < RunLimit ? (left > TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5)) : RunLimit;
            if (crash is { Point: null })
            {
                // Once this run has dialed (the simulator received its first Originate), a random moment later.
                var deadline = DateTime.UtcNow + limit;
                while (!run.HasExited && simulator.Read().Dials.Count == dialsBefore && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                }

                if (!run.HasExited)
                {
                    await Task.Delay(crash.After);
                    run.Kill();
                }
            }

            var code = await run.WaitForExitAsync(limit);
            if (crash?.Point is not null && code == KilledCode)
            {
                Assert.True(run.Error.Contains($"killed at {crash.Point}:{crash.Pass}", StringComparison.Ordinal), $"killed, but not by the hook:\n{run}");
            }

            return (code, run);
        }
    }

    private void CheckRecord(string when)
    {
        var truth = simulator.Read();
        foreach (var redial in truth.RedialsOfAnswered().Where(r => !violations.Any(v => v.EndsWith(r, StringComparison.Ordinal))))
        {
            violations.Add($"after {when}: answered callee dialed again: {redial}");
        }

        foreach (var overlap in truth.OverlappingCalls().Where(o => !violations.Any(v => v.EndsWith(o, StringComparison.Ordinal))))
        {
            violations.Add($"after {when}: two live calls at once: {overlap}");
        }
    }

    /// <summary>
    /// Once the calls are over: every lead final, no attempt open, and each attempt's outcome compared with the
    /// simulator's. With the ledger they must be equal (an Originate the simulator never received is
    /// <c>not-sent</c>); without it the only difference allowed is <c>unknown</c>. Prints the figures, then fails
    /// naming every violation found, the ones seen after each run included.
    /// </summary>
    public async Task VerifyAsync(string title) => await VerifyAsync(title, unknownAllowed: !simulator.Ledger);

    /// <summary>As <see cref="VerifyAsync(string)"/>; <paramref name="unknownAllowed"/> false when a dialer saw every call end.</summary>
    public async Task VerifyAsync(string title, bool unknownAllowed)
    {
        var truth = await SettledTruthAsync();
        CheckRecord("the last call ended");
        var leads = await QueryAsync("SELECT state, COUNT(*) FROM leads WHERE campaign_id = (SELECT id FROM campaigns WHERE name = $name) GROUP BY state");
        var open = leads.Where(r => (string)r[0] is "pending" or "in_progress" or "waiting_retry").Sum(r => (long)r[1]);
        if (open > 0)
        {
            violations.Add($"{open} lead(s) not final: {string.Join(", ", leads.Select(r => $"{r[0]} {r[1]}"))}");
        }

        var attempts = await QueryAsync("SELECT a.channel_id, a.outcome, a.ended_at, l.phone, a.failure_reason, a.dial_status, a.reason, a.answered_at FROM attempts a JOIN leads l ON l.id = a.lead_id WHERE a.campaign_id = (SELECT id FROM campaigns WHERE name = $name) ORDER BY a.id");
        int right = 0, unknown = 0, wrong = 0, notSent = 0, noCall = 0;
        foreach (var row in attempts)
        {
            var (channelId, outcome) = ((string)row[0], row[1] as string);
            if (row[2] is DBNull)
            {
                violations.Add($"attempt {channelId} ({row[3]}) is still open");
                continue;
            }

            string? expected;
            if (truth.Calls.TryGetValue(channelId, out var call))
            {
                expected = call.Outcome;
            }
            else if (truth.Dials.Any(d => d.ChannelId == channelId))
            {
                // Received, but no call ended: the simulator made none (a refused Originate). Nothing to compare.
                noCall++;
                continue;
            }
            else
            {
                expected = "not-sent";
                notSent++;
            }

            if (outcome == expected)
            {
                right++;
            }
            else if (unknownAllowed && outcome == "unknown")
            {
                unknown++;
            }
            else
            {
                wrong++;
                violations.Add($"attempt {channelId} ({row[3]}): {outcome ?? "(none)"}, the simulator says {expected} (failure reason {row[4]}, DialStatus {row[5]}, Reason {row[6]}, answered at {row[7]})");
            }
        }

        var redials = truth.RedialsOfAnswered().Count;
        var dialsPerNumber = truth.Dials.GroupBy(d => d.Number).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        var figures = string.Create(CultureInfo.InvariantCulture, $"""
            {title}
              kills: {Kills} ({string.Join(", ", kills.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"))}) in {runs} runs, {refusedStarts} starts refused
              leads: {leads.Sum(r => (long)r[1])} ({string.Join(", ", leads.Select(r => $"{r[0]} {r[1]}"))})
              dials (Originates the simulator received): {truth.Dials.Count} for {truth.Dials.Select(d => d.Number).Distinct().Count()} numbers, at most {dialsPerNumber} to one number; calls: {truth.Calls.Count}, answered {truth.Calls.Values.Count(c => c.Answered)}
              re-dials of answered callees: {redials}; numbers with two live calls: {truth.OverlappingCalls().Count}
              attempts: {attempts.Count}; outcomes right {right}, unknown {unknown}, wrong {wrong} (never sent, expected not-sent: {notSent}; received but no call: {noCall})
            """);
        output.WriteLine(figures);
        output.WriteLine(log.ToString());
        Assert.True(violations.Count == 0, $"{violations.Count} violation(s):\n{string.Join("\n", violations.Take(40))}\n\n{figures}\n{log}");
    }

    /// <summary>The record once every call the dialer started is over (calls outlive the dialer; they end within seconds at this scale).</summary>
    private async Task<GroundTruth> SettledTruthAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var truth = simulator.Read();
        var quietSince = DateTime.UtcNow;
        var lines = -1;
        while (DateTime.UtcNow < deadline)
        {
            truth = simulator.Read();
            var now = truth.Dials.Count + truth.Calls.Count;
            if (now != lines)
            {
                lines = now;
                quietSince = DateTime.UtcNow;
            }

            // Every Originate has its call's line, or nothing was written for long past the longest call.
            if (truth.DialsWithoutCall == 0 || DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(10))
            {
                break;
            }

            await Task.Delay(200);
        }

        return truth;
    }

    private async Task<List<object[]>> QueryAsync(string sql)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = cli.DatabasePath, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 30, Pooling = false };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$name", Name);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            // DBNull stays DBNull: a null outcome or end is something to report, not to skip.
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    private void Note(string line) => log.AppendLine(line);

    private static string Reason(AmiDialerProcess run) =>
        (run.Output + run.Error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(l => l.Contains("another process", StringComparison.Ordinal) || l.Contains("lease", StringComparison.OrdinalIgnoreCase)) ?? "refused";
}
