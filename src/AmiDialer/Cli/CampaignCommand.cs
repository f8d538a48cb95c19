using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary><c>campaign create|list|show|update|start|pause|resume|stop|requeue</c>.</summary>
internal static class CampaignCommand
{
    public static Command Build(CliContext context)
    {
        var campaign = new Command("campaign", "Create, inspect, change and control campaigns.");
        campaign.Subcommands.Add(Create(context));
        campaign.Subcommands.Add(List(context));
        campaign.Subcommands.Add(Show(context));
        campaign.Subcommands.Add(Update(context));
        campaign.Subcommands.Add(Control(context, "start", "Start a draft or scheduled campaign (the engine of serve dials it; or use run). A pre-flight check of the AMI servers refuses the start on a blocking failure unless --force."));
        campaign.Subcommands.Add(Control(context, "pause", "Pause a running campaign: no new calls, live calls finish."));
        campaign.Subcommands.Add(Control(context, "resume", "Resume a paused campaign."));
        campaign.Subcommands.Add(Control(context, "stop", "Stop a campaign for good: no lead of it is dialed again."));
        campaign.Subcommands.Add(Requeue(context));
        return campaign;
    }

    /// <summary>One verb for every "these results do not count, dial those leads again"; each option names one kind.</summary>
    private static Command Requeue(CliContext context)
    {
        var name = NameArgument();
        var simulated = new Option<bool>("--simulated")
        {
            Description = "Leads whose last call went to the simulator (serve/run --simulate) go back to pending, with their real attempts only counted; the campaign may then be dialed for real. The attempts stay in the history.",
        };
        var outcome = new Option<string?>("--outcome")
        {
            Description = "unknown: leads whose call ended while the dialer was down (nobody knows whether the callee answered, so they are never re-dialed automatically) go back to pending. Their attempts stay in the history and still count toward the maximum of attempts.",
            HelpName = "unknown",
        };
        var force = new Option<bool>("--force")
        {
            Description = "With --outcome unknown: requeue even leads whose call was abandoned (answered, no agent in time) less than Dialing:AbandonRetryDelay ago, which are otherwise refused; the audit row says it was forced.",
        };
        var command = new Command("requeue", "Return leads to pending whose results should not count, keeping the attempt history.");
        command.Arguments.Add(name);
        command.Options.Add(simulated);
        command.Options.Add(outcome);
        command.Options.Add(force);
        command.Validators.Add(result =>
        {
            var which = result.GetValue(outcome);
            if (!result.GetValue(simulated) && which is null)
            {
                result.AddError("Say which leads to requeue: --simulated or --outcome unknown.");
            }
            else if (result.GetValue(simulated) && which is not null)
            {
                result.AddError("Give one of --simulated and --outcome, not both.");
            }
            else if (which is not null && which != "unknown")
            {
                result.AddError($"--outcome: only 'unknown' can be requeued (was '{which}'); every other outcome is settled by the retry policy.");
            }
            else if (result.GetValue(force) && which is null)
            {
                result.AddError("--force goes with --outcome unknown (it requeues leads inside their abandon retry delay); --simulated needs none.");
            }
        });
        command.SetAction((parse, ct) => parse.GetValue(outcome) is null
            ? CampaignActions.RequeueAsync(context, parse, parse.GetValue(name)!, parse.GetValue(simulated), ct)
            : CampaignActions.RequeueUnknownAsync(context, parse, parse.GetValue(name)!, parse.GetValue(force), ct));
        return command;
    }

    private static Argument<string> NameArgument() =>
        new Argument<string>("name") { Description = "The campaign's name." }.Check(OptionValidation.CampaignName);

    private static Command Create(CliContext context)
    {
        var name = NameArgument();
        var options = new CampaignOptions();
        var command = new Command("create", "Create a draft campaign; import leads next, then start it.");
        command.Arguments.Add(name);
        options.AddTo(command);
        command.SetAction((parse, ct) => CampaignActions.CreateAsync(context, parse, parse.GetValue(name)!, options, ct));
        return command;
    }

    private static Command Update(CliContext context)
    {
        var name = NameArgument();
        var options = new CampaignOptions();
        var command = new Command("update", "Change a campaign's settings; options not given keep their values.");
        command.Arguments.Add(name);
        options.AddTo(command);
        command.SetAction((parse, ct) => CampaignActions.UpdateAsync(context, parse, parse.GetValue(name)!, options, ct));
        return command;
    }

    private static Command List(CliContext context)
    {
        var format = CommonOptions.Format("table", "json");
        var command = new Command("list", "List campaigns with their state and lead counts.");
        command.Options.Add(format);
        command.SetAction((parse, ct) => CampaignActions.ListAsync(context, parse, parse.GetValue(format)!, ct));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var name = NameArgument();
        var format = CommonOptions.Format("table", "json");
        var command = new Command("show", "Show a campaign's settings and progress.");
        command.Arguments.Add(name);
        command.Options.Add(format);
        command.SetAction((parse, ct) => CampaignActions.ShowAsync(context, parse, parse.GetValue(name)!, parse.GetValue(format)!, ct));
        return command;
    }

    private static Command Control(CliContext context, string verb, string description)
    {
        var name = NameArgument();
        var command = new Command(verb, description);
        command.Arguments.Add(name);
        if (verb != "start")
        {
            command.SetAction((parse, ct) => CampaignActions.ControlAsync(context, parse, parse.GetValue(name)!, verb, ct));
            return command;
        }

        var force = new Option<bool>("--force")
        {
            Description = "Start even when the pre-flight check (amidialer doctor's checks for this campaign) finds what would make its calls fail, or no AMI server answers.",
        };
        command.Options.Add(force);
        command.SetAction((parse, ct) => CampaignActions.ControlAsync(context, parse, parse.GetValue(name)!, verb, ct, parse.GetValue(force)));
        return command;
    }
}
