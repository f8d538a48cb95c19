using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Benchmarks.Data;
using AmiDialer.Configuration;
using AmiDialer.Hosting;
using AmiDialer.Web;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Benchmarks.Web;

/// <summary>
/// Issue 21's upload benchmark: the import bench's generated CSV uploaded through the real web host (multipart over
/// loopback, spooled, imported) against the CLI's import of the same file, each in a fresh process, alternating, in
/// the same run. Target: the upload at most 1.5x the CLI import.
/// </summary>
internal static class UploadBench
{
    private const string ApiKey = "bench-key-0123456789abcdef";

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var r) ? r : 1_000_000;
        var runs = int.Parse(ImportBenchmark.Option(args, "runs") ?? "3", CultureInfo.InvariantCulture);
        var folder = Path.Combine(Path.GetTempPath(), "amidialer-upload-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        try
        {
            var csv = Path.Combine(folder, "leads.csv");
            var expected = ImportBenchmark.Generate(csv, rows);
            Console.WriteLine($"Generated {rows:N0} rows ({new FileInfo(csv).Length / 1e6:F1} MB): {expected.Bad:N0} bad, {expected.Duplicates:N0} duplicates.");
            var cli = new List<double>();
            var cpuRatios = new List<double>();
            var upload = new List<double>();
            var correct = true;
            for (var run = 1; run <= runs; run++)
            {
                var import = await ImportBenchmark.ImportInChildAsync(csv, Path.Combine(folder, $"cli-{run}"), rows, expected, []);
                var web = await ImportBenchmark.ImportInChildAsync(csv, Path.Combine(folder, $"web-{run}"), rows, expected, [], "upload-once");
                cli.Add(import.Wall);
                cpuRatios.Add(web.Cpu / import.Cpu);
                upload.Add(web.Wall);
                correct &= import.Correct && web.Correct;
                Console.WriteLine($"Run {run}: CLI import {import.Wall:F2} s (CPU {import.Cpu:F2} s, peak {import.PeakMb:F0} MB); upload through the web host {web.Wall:F2} s " +
                    $"(CPU {web.Cpu:F2} s, peak {web.PeakMb:F0} MB): {web.Wall / import.Wall:F2}x{(import.Correct && web.Correct ? "" : "  WRONG COUNTS")}");
                foreach (var line in web.Details)
                {
                    Console.WriteLine("    " + line);
                }
            }

            var ratios = upload.Zip(cli, (u, c) => u / c).ToArray();
            Console.WriteLine($"Median of {runs} runs: CLI import {ImportBenchmark.Median(cli):F2} s, upload {ImportBenchmark.Median(upload):F2} s");
            Console.WriteLine($"Ratio upload / CLI import: median {ImportBenchmark.Median(ratios):F2}x (runs {string.Join(", ", ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture) + "x"))}; target <= 1.5x)");
            Console.WriteLine($"CPU ratio (upload's client and server / CLI import): median {ImportBenchmark.Median(cpuRatios):F2}x");
            Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, load average {ImportBenchmark.LoadAverage()}");
            return correct ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The hidden <c>upload-once CSV FOLDER ROWS BAD DUPLICATES</c> mode: the real host on a loopback port over a fresh
    /// database, the file posted to it as the page does, timed from the first byte sent to the summary received.
    /// </summary>
    public static async Task<int> RunOnceAsync(string[] args)
    {
        var (csv, folder) = (args[0], args[1]);
        var rows = int.Parse(args[2], CultureInfo.InvariantCulture);
        var bad = int.Parse(args[3], CultureInfo.InvariantCulture);
        var duplicates = int.Parse(args[4], CultureInfo.InvariantCulture);
        Directory.CreateDirectory(folder);
        var settings = new AmiDialerSettings();
        settings.Database.Path = Path.Combine(folder, "amidialer.db");
        settings.Web.ApiKeys = [ApiKey];
        await using var services = await AppServices.CreateAsync(settings, simulate: false, new AppServicesOptions(), CancellationToken.None);
        await using var app = WebServer.Build(services, "http://127.0.0.1:0");
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        using var created = await client.PostAsJsonAsync("/api/campaigns", new { name = "bench", callingHours = "00:00-24:00" });
        var campaignId = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(File.OpenRead(csv), 1 << 16);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", Path.GetFileName(csv));
        using var response = await client.PostAsync($"/api/campaigns/{campaignId}/imports", form);
        var body = await response.Content.ReadAsStringAsync();
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        if (!response.IsSuccessStatusCode)
        {
            Console.WriteLine($"HTTP {(int)response.StatusCode}: {body}");
            return 1;
        }

        var summary = JsonDocument.Parse(body).RootElement;
        long Count(string name) => summary.GetProperty(name).GetInt64();
        Console.WriteLine($"{Count("imported"):N0} imported, {Count("rejected"):N0} rejected, {Count("duplicates"):N0} duplicates; CPU {cpu.TotalSeconds:F2} s (client and server)");
        var correct = Count("rejected") == bad && Count("duplicates") == duplicates && Count("imported") == rows - bad - duplicates;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT wall={clock.Elapsed.TotalSeconds:F3} cpu={cpu.TotalSeconds:F3} peak={peak / 1024.0 / 1024.0:F1} correct={correct}"));
        await app.StopAsync();
        return correct ? 0 : 1;
    }
}
