using System.Diagnostics;
using System.Globalization;
using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Benchmarks.Data;

/// <summary>
/// Issue 5's import benchmark: a generated CSV (phone plus five fields, ~2% bad rows, ~1% duplicates) imported into a
/// fresh database, against sqlite3's own <c>.import</c> of the same file into a plain table, timed in the same run.
/// Target: at most 3x the baseline's wall time, peak memory at most 300 MB.
/// </summary>
internal static class ImportBenchmark
{
    private static readonly string[] AreaCodes =
        ["212", "415", "312", "303", "808", "907", "617", "206", "713", "602", "404", "305", "702", "503", "214", "480", "615", "704", "916", "971"];

    private static readonly string[] Cities = ["New York", "San Francisco", "Chicago", "Denver", "Honolulu", "Anchorage", "Boston", "Seattle", "Houston", "Phoenix"];

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var runs = int.Parse(Option(args, "runs") ?? "3", CultureInfo.InvariantCulture);
        var folder = Path.Combine(Path.GetTempPath(), "amidialer-import-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        try
        {
            if (args.Length > 1 && args[1] == "writer")
            {
                return await InsertExperiment.RunAsync(folder, rows, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3);
            }

            var csv = Path.Combine(folder, "leads.csv");
            var expected = Generate(csv, rows);
            var size = new FileInfo(csv).Length;
            Console.WriteLine($"Generated {rows:N0} rows ({size / 1e6:F1} MB): {expected.Bad:N0} bad, {expected.Duplicates:N0} duplicates.");

            if (args.Length > 1 && args[1] == "postgres")
            {
                return await PostgresImportBench.RunAsync(csv, folder, rows, expected, runs, [.. args.Where(a => a.StartsWith("workers=", StringComparison.Ordinal) || a.StartsWith("batch=", StringComparison.Ordinal))],
                    Option(args, "role") == "plain");
            }

            if (args.Length > 1 && args[1] == "phases")
            {
                var baseline = SqliteShellImport(csv, Path.Combine(folder, "baseline.db"));
                Console.WriteLine($"Baseline sqlite3 .import into a plain table: {baseline.Wall.TotalSeconds:F2} s, CPU {baseline.Cpu.TotalSeconds:F2} s");
                return await ImportPhases.RunAsync(csv, folder);
            }

            // Each import runs in a fresh process, as `amidialer import` does (JIT included), right after a baseline
            // run: the machine's drift then hits both sides of each ratio alike, and medians damp single outliers.
            var results = new List<(double Baseline, double BaselineCpu, ChildImport Import)>();
            for (var run = 1; run <= runs; run++)
            {
                var baselineDb = Path.Combine(folder, $"baseline-{run}.db");
                var baseline = SqliteShellImport(csv, baselineDb);
                File.Delete(baselineDb);
                var import = await ImportInChildAsync(csv, Path.Combine(folder, $"run-{run}"), rows, expected, [.. args.Where(a => a.StartsWith("workers=", StringComparison.Ordinal) || a.StartsWith("batch=", StringComparison.Ordinal))]);
                results.Add((baseline.Wall.TotalSeconds, baseline.Cpu.TotalSeconds, import));
                Console.WriteLine($"Run {run}: baseline sqlite3 .import {baseline.Wall.TotalSeconds:F2} s (CPU {baseline.Cpu.TotalSeconds:F2} s); " +
                    $"AmiDialer import {import.Wall:F2} s ({rows / import.Wall:N0} rows/s, CPU {import.Cpu:F2} s, peak {import.PeakMb:F0} MB): " +
                    $"{import.Wall / baseline.Wall.TotalSeconds:F2}x{(import.Correct ? "" : "  WRONG COUNTS")}");
                foreach (var line in import.Details)
                {
                    Console.WriteLine("    " + line);
                }
            }

            var ratios = results.Select(r => r.Import.Wall / r.Baseline).ToArray();
            Console.WriteLine($"Median of {runs} runs: baseline {Median(results.Select(r => r.Baseline)):F2} s, import {Median(results.Select(r => r.Import.Wall)):F2} s " +
                $"({rows / Median(results.Select(r => r.Import.Wall)):N0} rows/s), CPU {Median(results.Select(r => r.Import.Cpu)):F2} s against {Median(results.Select(r => r.BaselineCpu)):F2} s");
            Console.WriteLine($"Ratio to baseline: median {Median(ratios):F2}x (runs {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture) + "x"))}; target <= 3x)");
            Console.WriteLine($"Peak working set of the import process: {results.Max(r => r.Import.PeakMb):F0} MB at most (target <= 300 MB)");
            Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");
            return results.All(r => r.Import.Correct) ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The hidden <c>import-once CSV FOLDER ROWS BAD DUPLICATES [workers=N] [batch=N]</c> mode: one import into a fresh database
    /// in this process, its figures on stdout, and a last <c>RESULT</c> line for the parent.
    /// </summary>
    public static async Task<int> RunOnceAsync(string[] args)
    {
        var (csv, folder) = (args[0], args[1]);
        var rows = int.Parse(args[2], CultureInfo.InvariantCulture);
        var bad = int.Parse(args[3], CultureInfo.InvariantCulture);
        var duplicates = int.Parse(args[4], CultureInfo.InvariantCulture);
        Directory.CreateDirectory(folder);
        var database = await AmiDialerDatabase.OpenAsync(Path.Combine(folder, "amidialer.db"));
        var campaign = await new CampaignRepository(database, TimeProvider.System).CreateAsync(new Campaign { Name = "bench" }, "bench");
        var importer = new CsvLeadImporter(database, TimeProvider.System);
        var options = new CsvImportOptions { CampaignId = campaign.Id };
        if (Option(args, "workers") is { } workers)
        {
            options = options with { ValidationWorkers = int.Parse(workers, CultureInfo.InvariantCulture) };
        }

        if (Option(args, "batch") is { } batch)
        {
            options = options with { BatchSize = int.Parse(batch, CultureInfo.InvariantCulture) };
        }

        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = await importer.ImportFileAsync(csv, options);
        clock.Stop();
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        Console.WriteLine($"{result.Imported:N0} imported, {result.Rejected:N0} rejected, {result.Duplicates:N0} duplicates; " +
            $"before the first row and after the last commit (sniffing, opening, closing) {(clock.Elapsed - result.Elapsed).TotalSeconds:F2} s");
        Console.WriteLine($"writer waited for validation {result.WriterWaited.TotalSeconds:F2} s, inserted {result.WriterInserting.TotalSeconds:F2} s (of which opening batches {result.WriterBeginning.TotalSeconds:F2} s, committing {result.WriterCommitting.TotalSeconds:F2} s)");
        Console.WriteLine($"GC: {GC.CollectionCount(0) - gcBefore.Item1} gen0, {GC.CollectionCount(1) - gcBefore.Item2} gen1, {GC.CollectionCount(2) - gcBefore.Item3} gen2, paused {(GC.GetTotalPauseDuration() - gcBefore.Item4).TotalSeconds:F2} s, allocated {(GC.GetTotalAllocatedBytes() - gcBefore.Item5) / 1e6:F0} MB");
        var correct = result.Rejected == bad && result.Duplicates == duplicates && result.Imported == rows - bad - duplicates;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT wall={clock.Elapsed.TotalSeconds:F3} cpu={cpu.TotalSeconds:F3} peak={peak / 1024.0 / 1024.0:F1} correct={correct}"));
        SqliteConnection.ClearAllPools();
        return correct ? 0 : 1;
    }

    internal sealed record ChildImport(double Wall, double Cpu, double PeakMb, bool Correct, IReadOnlyList<string> Details);

    internal static async Task<ChildImport> ImportInChildAsync(string csv, string folder, int rows, (int Bad, int Duplicates) expected, string[] settings, string mode = "import-once")
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable this is.");
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Run as `dotnet AmiDialer.Benchmarks.dll`: the child needs the dll too.
            info.ArgumentList.Add(typeof(ImportBenchmark).Assembly.Location);
        }

        foreach (var arg in new[] { mode, csv, folder, rows.ToString(CultureInfo.InvariantCulture), expected.Bad.ToString(CultureInfo.InvariantCulture), expected.Duplicates.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var setting in settings)
        {
            info.ArgumentList.Add(setting);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("The import process did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = lines.LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("The import process failed:\n" + output);
        var values = result["RESULT ".Length..].Split(' ').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        double Number(string name) => double.Parse(values[name], CultureInfo.InvariantCulture);
        return new ChildImport(Number("wall"), Number("cpu"), Number("peak"), values["correct"] == "True", [.. lines.Where(l => !l.StartsWith("RESULT ", StringComparison.Ordinal))]);
    }

    internal static string? Option(string[] args, string name) =>
        args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static (int Bad, int Duplicates) Generate(string path, int rows)
    {
        var bad = 0;
        var duplicates = 0;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write("phone,first_name,last_name,email,city,account_id\n");
        var previous = "";
        for (var i = 0; i < rows; i++)
        {
            string phone;
            if (i % 50 == 7)
            {
                bad++;
                phone = (i / 50 % 4) switch { 0 => "not a number", 1 => "12345", 2 => "(999) 555-0101", _ => "" };
            }
            else if (i % 100 == 3 && previous.Length > 0)
            {
                duplicates++;
                phone = "+1 " + previous;
            }
            else
            {
                var npa = AreaCodes[i % AreaCodes.Length];
                var rest = i / AreaCodes.Length;
                var nxx = 200 + (rest % 800);
                var line = (rest / 800 * 7919) % 10000;
                previous = $"{npa}-{nxx}-{line:0000}";
                phone = (i % 5) switch
                {
                    0 => $"({npa}) {nxx}-{line:0000}",
                    1 => previous,
                    2 => $"+1 {npa} {nxx} {line:0000}",
                    3 => $"{npa}{nxx}{line:0000}",
                    _ => $"1-{npa}-{nxx}-{line:0000}",
                };
            }

            writer.Write(phone);
            writer.Write(string.Create(CultureInfo.InvariantCulture, $",First{i % 977},Last{i % 1013},user{i}@example.com,{Cities[i % Cities.Length]},A{i:0000000}\n"));
        }

        return (bad, duplicates);
    }

    /// <summary>Runs the baseline under bash's <c>time</c> to get its CPU (user + sys) as well as its wall time.</summary>
    private static (TimeSpan Wall, TimeSpan Cpu) SqliteShellImport(string csv, string db) =>
        TimedShell.Run("TIMEFORMAT='%R %U %S'; time sqlite3 \"$1\" -cmd '.mode csv' \".import $2 plain\"", [db, csv], "sqlite3 .import (apt-get install -y sqlite3?)");

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
