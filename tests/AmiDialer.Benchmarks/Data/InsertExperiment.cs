using System.Diagnostics;
using System.Text;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Benchmarks.Data;

/// <summary>
/// The writer alone (synthetic numbers and fields, batches of 100,000): the least CPU and wall time of N runs. To
/// compare settings read from the environment at run time, interleave them in one process with
/// AMI_CONFIGS="NAME=1 OTHER=2;NAME=0" (the runs alternate, so machine noise hits both alike).
/// </summary>
internal static class InsertExperiment
{
    public static async Task<int> RunAsync(string folder, int rows, int reps)
    {
        var configs = (Environment.GetEnvironmentVariable("AMI_CONFIGS") ?? "").Split(';');
        var leads = new (byte[] Phone, byte[] Fields, byte[] Zones, long Line)[rows];
        var zones = Encoding.UTF8.GetBytes("[\"America/New_York\"]");
        for (var i = 0; i < rows; i++)
        {
            var n = 2_000_000_000L + (i * 829_377_551L % 7_999_999_999L);
            leads[i] = (Encoding.UTF8.GetBytes("+1" + n), Encoding.UTF8.GetBytes($"{{\"first_name\":\"First{i % 977}\",\"last_name\":\"Last{i % 1013}\",\"email\":\"user{i}@example.com\",\"city\":\"Boston\",\"account_id\":\"A{i:0000000}\"}}"), zones, i + 2);
        }

        var best = new Dictionary<string, (double Cpu, double Wall)>();
        for (var r = 0; r < reps; r++)
        {
            foreach (var config in configs)
            {
                foreach (var kv in config.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var parts = kv.Split('=');
                    Environment.SetEnvironmentVariable(parts[0], parts[1]);
                }

                var path = Path.Combine(folder, $"x{r}-{Math.Abs(config.GetHashCode())}.db");
                var db = await AmiDialerDatabase.OpenAsync(path);
                var c = await new CampaignRepository(db, TimeProvider.System).CreateAsync(new AmiDialer.Core.Model.Campaign { Name = "p" }, "b");
                GC.Collect();
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                await using (var writer = await LeadImportWriter.OpenAsync(db, c.Id, "x", "US", "b", DateTimeOffset.UtcNow, 400_000, TimeProvider.System, default))
                {
                    for (var i = 0; i < rows; i += 100_000)
                    {
                        await writer.BeginBatchAsync(i);
                        foreach (var l in leads.AsSpan(i, Math.Min(100_000, rows - i)))
                        {
                            writer.Insert(l.Phone, l.Fields, l.Zones, blocked: false, l.Line);
                        }

                        await writer.CommitBatchAsync(_ => new ImportCounts(), null, null, default);
                    }
                }

                var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                var wall = sw.Elapsed.TotalSeconds;
                Console.WriteLine($"[{config}] cpu {cpu:F2} wall {wall:F2} load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
                best[config] = best.TryGetValue(config, out var b) ? (Math.Min(b.Cpu, cpu), Math.Min(b.Wall, wall)) : (cpu, wall);
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in Directory.GetFiles(folder, Path.GetFileName(path) + "*"))
                {
                    File.Delete(f);
                }
            }
        }

        foreach (var (config, b) in best)
        {
            Console.WriteLine($"BEST [{config}] cpu {b.Cpu:F2} wall {b.Wall:F2}");
        }

        return 0;
    }
}
