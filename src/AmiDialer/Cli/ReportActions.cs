using System.CommandLine;
using System.Text;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Data.Export;
using AmiDialer.Hosting;
using AmiDialer.Reports;

namespace AmiDialer.Cli;

/// <summary>What <c>report</c> does: the summary or the per-lead rows, as a table, JSON or spreadsheet-safe CSV.</summary>
internal static class ReportActions
{
    public static async Task<int> ReportAsync(CliContext context, ParseResult parse, string name, string format, bool leads, FileInfo? file, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var campaign = await CliServices.CampaignAsync(services, name, ct);
        if (file is null)
        {
            await WriteAsync(services, campaign, format, leads, context.Output, context.Tables, ct);
            return AmiDialerCli.Success;
        }

        if (file.Directory is { Exists: false } folder)
        {
            throw new CliException($"--out: the folder {folder.FullName} does not exist; create it first or choose another path.");
        }

        if (Directory.Exists(file.FullName))
        {
            throw new CliException($"--out: {file.FullName} is a folder; give a file name, e.g. {Path.Combine(file.FullName, name + "." + (format.Is("table") ? "txt" : format.ToLowerInvariant()))}.");
        }

        // Written beside the target and moved into place, so a failed export never leaves a half file under the name asked for.
        var temp = file.FullName + ".partial";
        try
        {
            await using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: format.Is("csv"))))
            {
                await WriteAsync(services, campaign, format, leads, writer, TableStyle.Plain, ct);
            }

            File.Move(temp, file.FullName, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }

            throw new CliException($"--out: cannot write {file.FullName}: {ex.Message.Replace(temp, file.FullName, StringComparison.Ordinal)}{Environment.NewLine}Choose a path in a folder this user can write to.", inner: ex);
        }

        await context.Error.WriteLineAsync($"Report written to {file.FullName}");
        return AmiDialerCli.Success;
    }

    /// <summary>Writes the summary (or per-lead rows) of <paramref name="campaign"/> to <paramref name="output"/>; tables in <paramref name="style"/>.</summary>
    public static async Task WriteAsync(AppServices services, Campaign campaign, string format, bool leads, TextWriter output, TableStyle style, CancellationToken ct)
    {
        if (leads)
        {
            await WriteLeadsAsync(services, campaign, format, output, style, ct);
            return;
        }

        var report = ReportBuilder.Build(campaign, await services.Reports.GetSummaryAsync(campaign.Id, ct)) with { Abandon = await AbandonReport.ReadAsync(services, campaign, ct) };
        if (format.Is("json"))
        {
            await output.WriteLineAsync(ReportJson.ToJson(report));
        }
        else if (format.Is("csv"))
        {
            var csv = new SafeCsvWriter(output);
            ReportCsv.Write(csv, report);
            csv.Flush();
        }
        else
        {
            await output.WriteAsync(ReportTable.Format(report, style));
        }
    }

    private static async Task WriteLeadsAsync(AppServices services, Campaign campaign, string format, TextWriter output, TableStyle style, CancellationToken ct)
    {
        if (format.Is("json"))
        {
            // One object per line would be easier to stream, but the documented output is one JSON array.
            await output.WriteAsync('[');
            var first = true;
            using var buffer = new MemoryStream();
            await foreach (var row in LeadReport.AllAsync(services.Reports, campaign.Id, ct))
            {
                buffer.SetLength(0);
                using (var w = new Utf8JsonWriter(buffer, JsonOutput.Writer()))
                {
                    LeadReport.WriteJson(w, row);
                }

                await output.WriteAsync(first ? "" : ",");
                await output.WriteAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                first = false;
            }

            await output.WriteLineAsync(']');
            return;
        }

        var fields = await LeadReport.FieldNamesAsync(services.Reports, campaign.Id, ct);
        if (format.Is("csv"))
        {
            var csv = new SafeCsvWriter(output);
            csv.WriteRow(LeadReport.Header(fields));
            await foreach (var row in LeadReport.AllAsync(services.Reports, campaign.Id, ct))
            {
                csv.WriteRow(LeadReport.Cells(row, fields));
            }

            csv.Flush();
            return;
        }

        var table = new TextTable([.. LeadReport.Header(fields)]);
        await foreach (var row in LeadReport.AllAsync(services.Reports, campaign.Id, ct))
        {
            table.Add([.. LeadReport.Cells(row, fields)]);
        }

        await output.WriteAsync(table.RowCount == 0 ? $"Campaign '{campaign.Name}' has no leads yet.{Environment.NewLine}" : table.Render(style));
    }
}
