using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary><c>report --campaign name</c>: the outcome summary, or one row per lead with --leads.</summary>
internal static class ReportCommand
{
    public static Command Build(CliContext context)
    {
        var campaign = CommonOptions.Campaign(required: true);
        var format = CommonOptions.Format("table", "json", "csv");
        var leads = new Option<bool>("--leads") { Description = "One row per lead (number, fields, state, outcome, attempts, last attempt, talk seconds, hangup cause)." };
        var output = new Option<FileInfo?>("--out") { Description = "Write to this file instead of standard output.", HelpName = "file" };
        var command = new Command("report", "Outcome report of a campaign.");
        command.Options.Add(campaign);
        command.Options.Add(format);
        command.Options.Add(leads);
        command.Options.Add(output);
        command.SetAction((parse, ct) => ReportActions.ReportAsync(
            context, parse, parse.GetValue(campaign)!, parse.GetValue(format)!, parse.GetValue(leads), parse.GetValue(output), ct));
        return command;
    }
}
