using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary>
/// <c>run --campaign name [--simulate]</c>: dial one campaign in the foreground until nothing more can be dialed,
/// then print its report. <c>run --simulate</c> alone is the demo.
/// </summary>
internal static class RunCommand
{
    public static Command Build(CliContext context)
    {
        var campaign = CommonOptions.Campaign(required: false);
        var simulate = CommonOptions.Simulate();
        var timeScale = CommonOptions.TimeScale();
        var command = new Command(
            "run",
            "Dial a campaign in the foreground with live progress, then print its report. Without --campaign, --simulate runs the demo: "
            + "campaigns/sample.csv against the built-in simulator, in a temporary database unless --db is given. Ctrl-C pauses the campaign.");
        command.Options.Add(campaign);
        command.Options.Add(simulate);
        command.Options.Add(timeScale);
        command.Validators.Add(result =>
        {
            if (result.GetValue(campaign) is null && !result.GetValue(simulate))
            {
                result.AddError("run: give --campaign <name>, or --simulate for the demo (--simulate is never implied).");
            }

            if (result.GetValue(timeScale) is not null && !result.GetValue(simulate))
            {
                result.AddError("--time-scale applies only with --simulate.");
            }
        });
        command.SetAction((parse, ct) => RunActions.RunAsync(
            context, parse, parse.GetValue(campaign), parse.GetValue(simulate), parse.GetValue(timeScale), ct));
        return command;
    }
}
