using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary><c>import file.csv --campaign name</c>: leads from a CSV, with progress and an error CSV for rejected rows.</summary>
internal static class ImportCommand
{
    public static Command Build(CliContext context)
    {
        var file = new Argument<FileInfo>("file.csv") { Description = "The CSV to import (a header row; the phone column is found by name)." }
            .AcceptExistingOnly();
        var campaign = CommonOptions.Campaign(required: true);
        var create = new Option<bool>("--create") { Description = "Create the campaign (with default settings) if it does not exist." };
        var reopen = new Option<bool>("--reopen") { Description = "If the campaign is completed, reopen it (paused, to be resumed) so the new leads are dialed." };
        var region = CommonOptions.Region();
        var phoneColumn = new Option<string?>("--phone-column") { Description = "The column holding the numbers, when its name is not phone, number, mobile, tel...", HelpName = "name" };
        var delimiter = new Option<string?>("--delimiter") { Description = "Field delimiter: , ; tab or | (sniffed when not given).", HelpName = "char" };
        delimiter.CheckText(d => d is "," or ";" or "|" or "tab" or "\\t" or "\t" ? null : $"'{d}' is not one of , ; | tab.");
        var command = new Command("import", "Import leads from a CSV into a campaign.");
        command.Arguments.Add(file);
        command.Options.Add(campaign);
        command.Options.Add(create);
        command.Options.Add(reopen);
        command.Options.Add(region);
        command.Options.Add(phoneColumn);
        command.Options.Add(delimiter);
        command.SetAction((parse, ct) => ImportActions.ImportAsync(
            context,
            parse,
            new ImportRequest(parse.GetValue(file)!, parse.GetValue(campaign)!, parse.GetValue(create), parse.GetValue(region), parse.GetValue(phoneColumn), Delimiter(parse.GetValue(delimiter)), parse.GetValue(reopen)),
            ct));
        return command;
    }

    private static char? Delimiter(string? text) => text switch
    {
        null => null,
        "tab" or "\\t" or "\t" => '\t',
        _ => text[0],
    };
}

internal sealed record ImportRequest(FileInfo File, string Campaign, bool Create, string? Region, string? PhoneColumn, char? Delimiter, bool Reopen = false);
