using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AmiDialer.Data.Export;
using AmiDialer.Data.Import;
using AmiDialer.Data.Phones;
using AmiDialer.Data.Repositories;
using AmiDialer.Hosting;
using AmiDialer.Reports;
using CsvHelper;
using CsvHelper.Configuration;

namespace AmiDialer.Cli;

/// <summary>What the <c>dnc</c> subcommands do. Numbers are normalised to E.164 first; a bad one is named with its reason.</summary>
internal static class DncActions
{
    private const int Batch = 10_000;

    public static async Task<int> AddAsync(CliContext context, ParseResult parse, string[] numbers, string? campaign, string? region, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var scope = await ScopeAsync(services, campaign, ct);
        var e164 = Normalise(services, numbers, region);
        var added = await services.Dnc.AddManyAsync(e164, scope, DncSource.Manual, CliServices.Actor, cancellationToken: ct);
        await context.Output.WriteLineAsync($"Added {added} number(s) to the do-not-call list {ScopeText(campaign)}; {e164.Count - added} already there.");
        return AmiDialerCli.Success;
    }

    public static async Task<int> RemoveAsync(CliContext context, ParseResult parse, string[] numbers, string? campaign, string? region, bool unblock, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var scope = await ScopeAsync(services, campaign, ct);
        var missing = new List<string>();
        var stillBlocked = 0;
        foreach (var number in Normalise(services, numbers, region))
        {
            var removal = await services.Dnc.RemoveAsync(number, scope, unblock, CliServices.Actor, null, ct);
            if (!removal.Removed)
            {
                missing.Add(number);
                continue;
            }

            stillBlocked += removal.StillBlocked;
            await context.Output.WriteLineAsync(DncRemovalText.Describe(number, removal, unblock));
        }

        await context.Output.WriteLineAsync($"Removed {numbers.Length - missing.Count} number(s) from the do-not-call list {ScopeText(campaign)}.");
        if (!unblock && stillBlocked > 0)
        {
            await context.Output.WriteLineAsync($"{stillBlocked} lead(s) stay blocked: 'amidialer dnc unblock NUMBER' dials those no entry lists again.");
        }

        if (missing.Count > 0)
        {
            throw new CliException($"Not on the do-not-call list {ScopeText(campaign)}: {string.Join(", ", missing)}");
        }

        return AmiDialerCli.Success;
    }

    /// <summary>Unblocks the leads of numbers no entry lists any more (removed earlier without --unblock).</summary>
    public static async Task<int> UnblockAsync(CliContext context, ParseResult parse, string[] numbers, string? campaign, string? region, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var scope = await ScopeAsync(services, campaign, ct);
        foreach (var number in Normalise(services, numbers, region))
        {
            await context.Output.WriteLineAsync(DncRemovalText.Describe(number, await services.Dnc.UnblockAsync(number, scope, CliServices.Actor, ct), unblock: true));
        }

        return AmiDialerCli.Success;
    }

    /// <summary>A CSV with a phone column (found by name, as for leads), or one number per line without a header.</summary>
    public static async Task<int> ImportAsync(CliContext context, ParseResult parse, FileInfo file, string? campaign, string? region, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var scope = await ScopeAsync(services, campaign, ct);
        var normalizer = new PhoneNormalizer(region ?? services.Settings.Dialing.DefaultRegion);
        var progress = new ProgressDisplay(context.Error, context.IsTerminal, services.Time);
        long read = 0, added = 0;
        var rejected = new List<string>();
        var batch = new List<string>(Batch);
        await progress.ShowAsync(async () =>
        {
            using (var reader = new StreamReader(file.FullName, detectEncodingFromByteOrderMarks: true))
            {
                var header = await reader.ReadLineAsync(ct) ?? throw new CliException($"{file.Name}: the file is empty.");
                var delimiter = new[] { ',', ';', '\t', '|' }.MaxBy(d => header.Count(c => c == d));
                using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = delimiter.ToString(), HasHeaderRecord = false, BadDataFound = null, MissingFieldFound = null });
                var headerCells = header.Split(delimiter);
                var column = Array.FindIndex(headerCells, h => CsvLeadImporter.PhoneColumnNames.Contains(Simplify(h)));
                var line = 1L;
                if (column < 0)
                {
                    // No phone header: a plain list of numbers, the first line included.
                    column = 0;
                    Take(header.Split(delimiter)[0], 1);
                }

                while (await csv.ReadAsync())
                {
                    line = csv.Parser.RawRow + 1;
                    Take(csv.TryGetField<string>(column, out var cell) ? cell : null, line);
                    if (batch.Count >= Batch)
                    {
                        added += await FlushAsync();
                        progress.Update(null, $"{read} numbers read, {added} added, {rejected.Count} rejected");
                    }
                }
            }

            added += await FlushAsync();
            return added;
        });
        await context.Output.WriteLineAsync($"Read {read} number(s) from {file.Name}: {added} added to the do-not-call list {ScopeText(campaign)}, {read - added - rejected.Count} already there, {rejected.Count} rejected.");
        foreach (var problem in rejected.Take(20))
        {
            await context.Output.WriteLineAsync("  " + problem);
        }

        return AmiDialerCli.Success;

        void Take(string? cell, long line)
        {
            if (string.IsNullOrWhiteSpace(cell))
            {
                return;
            }

            read++;
            var check = normalizer.Normalize(cell);
            if (check.IsValid)
            {
                batch.Add(check.E164!);
            }
            else
            {
                rejected.Add($"line {line}: '{cell}': {check.Message}");
            }
        }

        async Task<long> FlushAsync()
        {
            if (batch.Count == 0)
            {
                return 0;
            }

            var n = await services.Dnc.AddManyAsync(batch.Distinct(StringComparer.Ordinal).ToList(), scope, DncSource.Import, CliServices.Actor, file.Name, ct);
            batch.Clear();
            return n;
        }
    }

    public static async Task<int> ListAsync(CliContext context, ParseResult parse, string? campaign, string format, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var scope = await ScopeAsync(services, campaign, ct);
        var names = (await services.Campaigns.ListAsync(ct)).ToDictionary(c => c.Id, c => c.Name);
        var entries = new List<DncEntry>();
        for (var offset = 0; ; offset += 1000)
        {
            var page = await services.Dnc.ListAsync(scope, 1000, offset, ct);
            entries.AddRange(page);
            if (page.Count < 1000)
            {
                break;
            }
        }

        string ScopeOf(DncEntry e) => e.CampaignId is { } id ? names.GetValueOrDefault(id, "#" + id.ToString(CultureInfo.InvariantCulture)) : "all";
        string Source(DncEntry e) => e.Source switch { DncSource.Manual => "manual", DncSource.Import => "import", _ => "opt-out" };
        if (format.Is("json"))
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, JsonOutput.Writer()))
            {
                w.WriteStartArray();
                foreach (var e in entries)
                {
                    w.WriteStartObject();
                    w.WriteString("number", e.Number);
                    w.WriteString("campaign", e.CampaignId is null ? null : ScopeOf(e));
                    w.WriteString("source", Source(e));
                    w.WriteString("addedAt", e.AddedAt.ToUniversalTime());
                    w.WriteString("addedBy", e.AddedBy);
                    w.WriteString("note", e.Note);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            await context.Output.WriteLineAsync(Encoding.UTF8.GetString(stream.ToArray()));
        }
        else if (format.Is("csv"))
        {
            var csv = new SafeCsvWriter(context.Output);
            csv.WriteRow(["number", "campaign", "source", "added_at", "added_by", "note"]);
            foreach (var e in entries)
            {
                csv.WriteRow([e.Number, ScopeOf(e), Source(e), e.AddedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), e.AddedBy, e.Note]);
            }

            csv.Flush();
        }
        else if (entries.Count == 0)
        {
            await context.Output.WriteLineAsync($"The do-not-call list {ScopeText(campaign)} is empty.");
        }
        else
        {
            var table = new TextTable("number", "campaign", "source", "added", "by", "note");
            foreach (var e in entries)
            {
                table.Add(e.Number, ScopeOf(e), Source(e), e.AddedAt, e.AddedBy, e.Note);
            }

            await context.Output.WriteAsync(table.Render(context.Tables));
        }

        return AmiDialerCli.Success;
    }

    private static async Task<long?> ScopeAsync(AppServices services, string? campaign, CancellationToken ct) =>
        campaign is null ? null : (await CliServices.CampaignAsync(services, campaign, ct)).Id;

    private static string ScopeText(string? campaign) => campaign is null ? "(all campaigns)" : $"of campaign '{campaign}'";

    /// <summary>Every number in E.164, or a usage error naming each one that is not a number.</summary>
    private static List<string> Normalise(AppServices services, string[] numbers, string? region)
    {
        var normalizer = new PhoneNormalizer(region ?? services.Settings.Dialing.DefaultRegion);
        var result = new List<string>();
        var problems = new List<string>();
        foreach (var number in numbers)
        {
            var check = normalizer.Normalize(number);
            if (check.IsValid)
            {
                result.Add(check.E164!);
            }
            else
            {
                problems.Add($"<number> '{number}': {check.Message}");
            }
        }

        return problems.Count == 0 ? result : throw CliException.Usage(string.Join(Environment.NewLine, problems));
    }

    private static string Simplify(string header) =>
        new(header.Trim().Trim('"').Where(c => c is not (' ' or '_' or '-')).Select(char.ToLowerInvariant).ToArray());
}
