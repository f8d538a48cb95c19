using System.Diagnostics;
using System.Globalization;
using AmiDialer.Data.Database;
using AmiDialer.Data.Import;
using AmiDialer.Testing.Postgres;
using Npgsql;

namespace AmiDialer.Benchmarks.Data;

/// <summary>
/// Issue 25's import benchmark: <c>import ROWS postgres [runs=N] [role=plain]</c>. The same generated CSV as
/// <see cref="ImportBenchmark"/> imported into a fresh PostgreSQL database by a fresh process (binary COPY straight into
/// leads, as the cluster's superuser unless <c>role=plain</c>, which keeps the row-by-row foreign-key check), against <c>psql \copy</c> of the same file into a plain table of the same
/// server right before it. Target: at most 2x the baseline's wall time. The server is a throwaway cluster started here
/// (<see cref="PostgresFixture"/>: fsync, synchronous_commit and full_page_writes off, alike for both sides); its CPU
/// (every process of the cluster, from /proc) is reported beside the client's.
/// </summary>
internal static class PostgresImportBench
{
    public static async Task<int> RunAsync(string csv, string folder, int rows, (int Bad, int Duplicates) expected, int runs, string[] settings, bool plainRole)
    {
        Console.WriteLine(plainRole
            ? "Importing as a plain role: the batches keep PostgreSQL's row-by-row foreign-key check."
            : "Importing as the cluster's superuser: the batches skip the row-by-row foreign-key check (role=plain to keep it).");
        var server = new PostgresFixture();
        await server.InitializeAsync();
        try
        {
            var results = new List<(double Baseline, double BaselineServerCpu, ChildRun Import)>();
            for (var run = 1; run <= runs; run++)
            {
                var baselineDb = await server.CreateDatabaseAsync("baseline");
                var serverBefore = ServerCpu(server.Port);
                var baseline = PsqlCopy(csv, baselineDb);
                var baselineServer = ServerCpu(server.Port) - serverBefore;
                await DropAsync(server, baselineDb);

                var target = await server.CreateDatabaseAsync("import");
                await PostgresSchema.MigrateAsync(target);
                var importer = plainRole ? await PlainRoleAsync(target) : target;
                serverBefore = ServerCpu(server.Port);
                var import = await ImportBenchmark.ImportInChildAsync(csv, Path.Combine(folder, $"pg-run-{run}"), rows, expected, [.. settings, "pg=" + importer], "import-once-pg");
                var importServer = ServerCpu(server.Port) - serverBefore;
                await DropAsync(server, target);
                var child = new ChildRun(import, importServer);
                results.Add((baseline.Wall, baselineServer, child));
                Console.WriteLine($"Run {run}: baseline psql \\copy {baseline.Wall:F2} s (psql CPU {baseline.Cpu:F2} s, server CPU {baselineServer:F2} s); " +
                    $"AmiDialer import {import.Wall:F2} s ({rows / import.Wall:N0} rows/s, CPU {import.Cpu:F2} s, server CPU {importServer:F2} s, peak {import.PeakMb:F0} MB): " +
                    $"{import.Wall / baseline.Wall:F2}x{(import.Correct ? "" : "  WRONG COUNTS")}");
                foreach (var line in import.Details)
                {
                    Console.WriteLine("    " + line);
                }
            }

            var ratios = results.Select(r => r.Import.Import.Wall / r.Baseline).ToArray();
            Console.WriteLine($"Median of {runs} runs: baseline {ImportBenchmark.Median(results.Select(r => r.Baseline)):F2} s (server CPU {ImportBenchmark.Median(results.Select(r => r.BaselineServerCpu)):F2} s), " +
                $"import {ImportBenchmark.Median(results.Select(r => r.Import.Import.Wall)):F2} s ({rows / ImportBenchmark.Median(results.Select(r => r.Import.Import.Wall)):N0} rows/s), " +
                $"CPU {ImportBenchmark.Median(results.Select(r => r.Import.Import.Cpu)):F2} s + server {ImportBenchmark.Median(results.Select(r => r.Import.ServerCpu)):F2} s");
            Console.WriteLine($"Ratio to baseline: median {ImportBenchmark.Median(ratios):F2}x (runs {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture) + "x"))}; target <= 2x)");
            Console.WriteLine($"Peak working set of the import process: {results.Max(r => r.Import.Import.PeakMb):F0} MB at most");
            Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, load average {ImportBenchmark.LoadAverage()}");
            return results.All(r => r.Import.Import.Correct) ? 0 : 1;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>A login role without superuser (so it may not set session_replication_role) owning nothing but granted the tables.</summary>
    private static async Task<string> PlainRoleAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var role = "importer_" + builder.Database;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var grant = new NpgsqlCommand($"""
            CREATE ROLE {role} LOGIN;
            GRANT ALL ON ALL TABLES IN SCHEMA public TO {role};
            GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role};
            """, connection);
        await grant.ExecuteNonQueryAsync();
        builder.Username = role;
        return builder.ConnectionString;
    }

    private sealed record ChildRun(ImportBenchmark.ChildImport Import, double ServerCpu);

    /// <summary>
    /// The hidden <c>import-once-pg CSV FOLDER ROWS BAD DUPLICATES pg=CONNECTION [workers=N] [batch=N]</c> mode: one import
    /// into the migrated database in this process, its figures on stdout, and a last <c>RESULT</c> line for the parent.
    /// </summary>
    public static async Task<int> RunOnceAsync(string[] args)
    {
        var (csv, folder) = (args[0], args[1]);
        var rows = int.Parse(args[2], CultureInfo.InvariantCulture);
        var bad = int.Parse(args[3], CultureInfo.InvariantCulture);
        var duplicates = int.Parse(args[4], CultureInfo.InvariantCulture);
        Directory.CreateDirectory(folder);
        await using var dataSource = NpgsqlDataSource.Create(ImportBenchmark.Option(args, "pg")!);
        long campaignId;
        await using (var create = dataSource.CreateCommand("""
            INSERT INTO campaigns (name, state, time_zone, dial_template, destination_context, destination_extension, destination_priority,
                ring_timeout_ms, variables, max_concurrent_calls, calls_per_second, days, windows, calling_hours, retry_policy,
                max_attempts, is_simulated, created_at, updated_at)
            VALUES ('bench', 'draft', 'UTC', 'PJSIP/{number}', 'dialer', 's', 1, 30000, '{}', 10, 10, '[]', '[]', '{}', '{}', 3, false, now(), now())
            RETURNING id
            """))
        {
            campaignId = (long)(await create.ExecuteScalarAsync())!;
        }

        var importer = new CsvLeadImporter(dataSource, folder, TimeProvider.System);
        var options = new CsvImportOptions { CampaignId = campaignId };
        if (ImportBenchmark.Option(args, "workers") is { } workers)
        {
            options = options with { ValidationWorkers = int.Parse(workers, CultureInfo.InvariantCulture) };
        }

        if (ImportBenchmark.Option(args, "batch") is { } batch)
        {
            options = options with { BatchSize = int.Parse(batch, CultureInfo.InvariantCulture) };
        }

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = await importer.ImportFileAsync(csv, options);
        clock.Stop();
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Console.WriteLine($"{result.Imported:N0} imported, {result.Rejected:N0} rejected, {result.Duplicates:N0} duplicates; " +
            $"writer waited for validation {result.WriterWaited.TotalSeconds:F2} s, wrote {result.WriterInserting.TotalSeconds:F2} s (of which opening batches {result.WriterBeginning.TotalSeconds:F2} s, committing {result.WriterCommitting.TotalSeconds:F2} s)");
        await using (var count = dataSource.CreateCommand($"SELECT count(*) FROM leads WHERE campaign_id = {campaignId}"))
        {
            var stored = (long)(await count.ExecuteScalarAsync())!;
            var correct = result.Rejected == bad && result.Duplicates == duplicates && result.Imported == rows - bad - duplicates && stored == result.Imported;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT wall={clock.Elapsed.TotalSeconds:F3} cpu={cpu.TotalSeconds:F3} peak={peak / 1024.0 / 1024.0:F1} correct={correct}"));
            return correct ? 0 : 1;
        }
    }

    /// <summary>psql's <c>\copy</c> of the file into a plain table of text columns, under bash's <c>time</c>.</summary>
    private static (double Wall, double Cpu) PsqlCopy(string csv, string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var (wall, cpu) = TimedShell.Run(
            """
            psql -X -q -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U "$3" -d "$4" -c 'CREATE TABLE plain (phone text, first_name text, last_name text, email text, city text, account_id text)' &&
            TIMEFORMAT='%R %U %S'; time psql -X -q -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U "$3" -d "$4" -c "\copy plain FROM '$5' WITH (FORMAT csv, HEADER true)"
            """,
            [target.Host!, target.Port.ToString(CultureInfo.InvariantCulture), target.Username!, target.Database!, csv],
            "psql \\copy (apt-get install -y postgresql-client?)");
        return (wall.TotalSeconds, cpu.TotalSeconds);
    }

    private static async Task DropAsync(PostgresFixture server, string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// CPU seconds (user + system) of the cluster listening on <paramref name="port"/>: its postmaster (found by the port
    /// on its command line) and every process it started, live ones only, so read it around what is measured while
    /// the backends of that work are still alive, or the checkpointer and walwriter alone when they are not.
    /// </summary>
    internal static double ServerCpu(int port)
    {
        var ticks = 0L;
        var perSecond = 100.0;
        int? postmaster = null;
        var parents = new Dictionary<int, int>();
        var cpu = new Dictionary<int, long>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                cpu[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                    + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
                if (cmdline.Contains("postgres", StringComparison.Ordinal) && cmdline.Contains($"-p {port} ", StringComparison.Ordinal))
                {
                    postmaster = pid;
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        if (postmaster is { } root)
        {
            // Its own time plus that of its children that ended (cutime, cstime: fields 13 and 14 above) and the live ones.
            ticks = cpu[root] + parents.Where(p => p.Value == root).Sum(p => cpu.GetValueOrDefault(p.Key));
        }

        return ticks / perSecond;
    }
}
