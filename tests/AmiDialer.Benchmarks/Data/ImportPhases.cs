using System.Diagnostics;
using System.Globalization;
using AmiDialer.Data.Database;
using AmiDialer.Data.Phones;
using AmiDialer.Data.Repositories;
using CsvHelper;
using CsvHelper.Configuration;

namespace AmiDialer.Benchmarks.Data;

internal static class ImportPhases
{
    public static async Task<int> RunAsync(string csv, string folder)
    {
        static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;
        var phones = new List<string>();
        var t0 = Cpu();
        using (var reader = new StreamReader(csv))
        using (var parser = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture)))
        {
            while (parser.Read())
            {
                phones.Add(parser.Record![0]);
            }
        }

        var t1 = Cpu();
        Console.WriteLine($"phase parse: {(t1 - t0).TotalSeconds:F2} s CPU for {phones.Count:N0} rows");
        var normalizer = new PhoneNormalizer("US");
        foreach (var p in phones.Take(2000)) normalizer.Normalize(p);
        var t2 = Cpu();
        var e164 = new List<string>();
        foreach (var p in phones)
        {
            var r = normalizer.Normalize(p);
            if (r.IsValid) e164.Add(r.E164!);
        }

        var t3 = Cpu();
        Console.WriteLine($"phase normalize: {(t3 - t2).TotalSeconds:F2} s CPU ({(t3 - t2).TotalMicroseconds / phones.Count:F2} us/row); warm-up {(t2 - t1).TotalSeconds:F2} s");
        var db = await AmiDialerDatabase.OpenAsync(Path.Combine(folder, "phases.db"));
        var c = await new CampaignRepository(db, TimeProvider.System).CreateAsync(new AmiDialer.Core.Model.Campaign { Name = "p" }, "b");
        await using var writer = await LeadImportWriter.OpenAsync(db, c.Id, "x", "US", "b", DateTimeOffset.UtcNow, 400_000, TimeProvider.System, default);
        var t4 = Cpu();
        var sw = Stopwatch.StartNew();
        var fields = System.Text.Encoding.UTF8.GetBytes("{\"first_name\":\"First1\",\"last_name\":\"Last1\",\"email\":\"user1@example.com\",\"city\":\"Boston\",\"account_id\":\"A0000001\"}");
        var zones = System.Text.Encoding.UTF8.GetBytes("[\"America/New_York\"]");
        for (var i = 0; i < e164.Count; i += 100_000)
        {
            await writer.BeginBatchAsync(i);
            foreach (var n in e164.Skip(i).Take(100_000))
            {
                writer.Insert(System.Text.Encoding.UTF8.GetBytes(n), fields, zones, blocked: false, i);
            }

            await writer.CommitBatchAsync(_ => new ImportCounts(), null, null, default);
        }

        var t5 = Cpu();
        Console.WriteLine($"phase insert: {(t5 - t4).TotalSeconds:F2} s CPU ({(t5 - t4).TotalMicroseconds / e164.Count:F2} us/row), wall {sw.Elapsed.TotalSeconds:F2}");
        return 0;
    }
}
