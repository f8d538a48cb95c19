using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary><c>dnc add|remove|unblock|import|list</c>: the do-not-call list, for all campaigns or one.</summary>
internal static class DncCommand
{
    public static Command Build(CliContext context)
    {
        var dnc = new Command("dnc", "The do-not-call list: numbers never dialed.");
        dnc.Subcommands.Add(Add(context));
        dnc.Subcommands.Add(Remove(context));
        dnc.Subcommands.Add(Unblock(context));
        dnc.Subcommands.Add(Import(context));
        dnc.Subcommands.Add(List(context));
        return dnc;
    }

    private static Argument<string[]> Numbers() => new("number") { Description = "Phone numbers (any common format).", Arity = ArgumentArity.OneOrMore };

    private static Option<string?> Scope() => new Option<string?>("--campaign")
    {
        Description = "Only for this campaign (default: every campaign).",
        HelpName = "name",
    }.CheckText(OptionValidation.CampaignName);

    private static Command Add(CliContext context)
    {
        var numbers = Numbers();
        var campaign = Scope();
        var region = CommonOptions.Region();
        var command = new Command("add", "Add numbers to the do-not-call list.");
        command.Arguments.Add(numbers);
        command.Options.Add(campaign);
        command.Options.Add(region);
        command.SetAction((parse, ct) => DncActions.AddAsync(context, parse, parse.GetValue(numbers)!, parse.GetValue(campaign), parse.GetValue(region), ct));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var numbers = Numbers();
        var campaign = Scope();
        var region = CommonOptions.Region();
        var unblock = new Option<bool>("--unblock")
        {
            Description = "Also make the leads the numbers blocked dialable again (audited); a lead another entry still lists stays blocked.",
        };
        var command = new Command("remove", "Remove numbers from the do-not-call list (recorded in the audit log). The leads they blocked stay blocked unless --unblock.");
        command.Arguments.Add(numbers);
        command.Options.Add(campaign);
        command.Options.Add(region);
        command.Options.Add(unblock);
        command.SetAction((parse, ct) => DncActions.RemoveAsync(context, parse, parse.GetValue(numbers)!, parse.GetValue(campaign), parse.GetValue(region), parse.GetValue(unblock), ct));
        return command;
    }

    private static Command Unblock(CliContext context)
    {
        var numbers = Numbers();
        var campaign = Scope();
        var region = CommonOptions.Region();
        var command = new Command("unblock", "Make the blocked leads of numbers no longer on the do-not-call list dialable again (audited).");
        command.Arguments.Add(numbers);
        command.Options.Add(campaign);
        command.Options.Add(region);
        command.SetAction((parse, ct) => DncActions.UnblockAsync(context, parse, parse.GetValue(numbers)!, parse.GetValue(campaign), parse.GetValue(region), ct));
        return command;
    }

    private static Command Import(CliContext context)
    {
        var file = new Argument<FileInfo>("file.csv") { Description = "A CSV with a phone column, or one number per line." }.AcceptExistingOnly();
        var campaign = Scope();
        var region = CommonOptions.Region();
        var command = new Command("import", "Add every number of a file to the do-not-call list.");
        command.Arguments.Add(file);
        command.Options.Add(campaign);
        command.Options.Add(region);
        command.SetAction((parse, ct) => DncActions.ImportAsync(context, parse, parse.GetValue(file)!, parse.GetValue(campaign), parse.GetValue(region), ct));
        return command;
    }

    private static Command List(CliContext context)
    {
        var campaign = Scope();
        var format = CommonOptions.Format("table", "json", "csv");
        var command = new Command("list", "List the do-not-call entries.");
        command.Options.Add(campaign);
        command.Options.Add(format);
        command.SetAction((parse, ct) => DncActions.ListAsync(context, parse, parse.GetValue(campaign), parse.GetValue(format)!, ct));
        return command;
    }
}
