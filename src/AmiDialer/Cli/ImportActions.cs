using System.CommandLine;
using System.Globalization;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Reports;

namespace AmiDialer.Cli;

/// <summary>What <c>import</c> does: stream the CSV into the campaign with progress, then print the summary.</summary>
internal static class ImportActions
{
    public static async Task<int> ImportAsync(CliContext context, ParseResult parse, ImportRequest request, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var campaign = await services.Campaigns.GetByNameAsync(request.Campaign, ct);
        if (campaign is null)
        {
            if (!request.Create)
            {
                throw new CliException($"No campaign named '{request.Campaign}': create it first with 'amidialer campaign create {CliServices.Quote(request.Campaign)}', or add --create.");
            }

            campaign = await services.Campaigns.CreateAsync(CampaignActions.Defaults(services, request.Campaign), CliServices.Actor, ct);
            await context.Output.WriteLineAsync($"Created campaign '{campaign.Name}' (draft).");
        }

        // Looking settles the records of imports whose process died; the last one of this file says where it stopped.
        if ((await services.Imports.ListAsync(campaign.Id, ct)).LastOrDefault(r => r.FileName == request.File.Name) is { Status: ImportStatus.Interrupted } interrupted)
        {
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Import {interrupted.Id} of {request.File.Name} into '{campaign.Name}' was interrupted after line {interrupted.LastCommittedLine}; this import completes it (rows already imported are skipped as duplicates)."));
        }

        var progress = new ProgressDisplay(context.Error, context.IsTerminal, services.Time);
        ImportResult result;
        try
        {
            result = await progress.ShowAsync(() => services.Importer.ImportFileAsync(
                request.File.FullName,
                new CsvImportOptions
                {
                    CampaignId = campaign.Id,
                    DefaultRegion = request.Region ?? services.Settings.Dialing.DefaultRegion,
                    PhoneColumn = request.PhoneColumn,
                    Delimiter = request.Delimiter,
                    Actor = CliServices.Actor,
                },
                new ImportProgressReporter(progress),
                ct));
        }
        catch (CsvImportRefusedException ex)
        {
            throw new CliException($"{request.File.Name}: refused, nothing imported: {ex.Message}");
        }

        await WriteSummaryAsync(context.Output, context.Tables, request.File.Name, campaign.Name, result);
        var (unsendable, reason) = await UnsendableLeads.CountAsync(services.Leads, campaign, result.ImportId, ct);
        if (unsendable > 0)
        {
            await context.Output.WriteLineAsync($"Will not be dialed: {unsendable} lead(s) whose field used as a channel variable cannot be sent, e.g. {reason}.");
        }
        if (campaign.State == CampaignState.Completed && result.Imported > 0)
        {
            // Leads in a completed campaign are never dialed: say so, or reopen it when asked.
            if (!request.Reopen)
            {
                await context.Output.WriteLineAsync($"Campaign '{campaign.Name}' is completed: the {result.Imported} new lead(s) will not be dialed. Import with --reopen to reopen it.");
            }
            else if (await services.Campaigns.TransitionAsync(campaign.Id, [CampaignState.Completed], CampaignState.Paused, CliServices.Actor, ct))
            {
                await context.Output.WriteLineAsync($"Reopened campaign '{campaign.Name}': it is paused; resume it (amidialer campaign resume {CliServices.Quote(campaign.Name)}) to dial the new leads.");
            }
        }

        return result.Message is null ? AmiDialerCli.Success : AmiDialerCli.Failure;
    }

    private static async Task WriteSummaryAsync(TextWriter output, TableStyle style, string file, string campaign, ImportResult r)
    {
        var delimiter = r.Delimiter == '\t' ? "tab" : r.Delimiter.ToString();
        await output.WriteLineAsync($"Imported {file} into '{campaign}' in {r.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (phone column '{r.PhoneColumn}', delimiter '{delimiter}', {r.EncodingName}).");
        var table = new TextTable("rows", "count");
        table.Add("read", r.RowsRead);
        table.Add("imported", r.Imported);
        table.Add("rejected", r.Rejected);
        table.Add("duplicates skipped", r.Duplicates);
        table.Add("blocked (do-not-call)", r.Blocked);
        await output.WriteAsync(table.Render(style));
        foreach (var error in r.FirstErrors.Take(10))
        {
            await output.WriteLineAsync($"  {error}");
        }

        if (r.Rejected > 10)
        {
            await output.WriteLineAsync($"  ... and {r.Rejected - Math.Min(10, r.FirstErrors.Count)} more.");
        }

        if (r.ErrorCsvPath is not null)
        {
            await output.WriteLineAsync($"Rejected rows, with line, column and reason: {r.ErrorCsvPath}");
            await output.WriteLineAsync("Fix them there and import that file again; rows already imported are skipped as duplicates.");
        }

        if (r.Message is not null)
        {
            await output.WriteLineAsync($"Import stopped early: {r.Message}");
        }
    }

    private sealed class ImportProgressReporter(ProgressDisplay display) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => display.Update(
            value.Percent,
            string.Create(CultureInfo.InvariantCulture, $"{value.RowsRead} rows read, {value.Imported} imported, {value.Rejected} rejected, {value.Duplicates} duplicates, {value.Blocked} blocked ({value.RowsPerSecond:0} rows/s)"));
    }
}
