using System.CommandLine;
using AmiDialer.Configuration;

namespace AmiDialer.Cli;

/// <summary>The command tree of the amidialer executable. Exit codes: 0 success, 1 failure, 2 bad usage.</summary>
public static class AmiDialerCli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    public static readonly Option<string?> ConfigOption = new("--config")
    {
        Description = "A JSON settings file read after appsettings.json (AMIDIALER_ variables still win).",
        Recursive = true,
    };

    public static readonly Option<string?> DbOption = new("--db")
    {
        Description = "The SQLite database file (overrides Database:Path).",
        Recursive = true,
    };

    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("AmiDialer: campaign dialer and click-to-call for Asterisk, through AMI.");
        root.Options.Add(ConfigOption);
        root.Options.Add(DbOption);
        root.Subcommands.Add(ConfigCommand.Build(output, error));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = Build(output, error);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }

            await error.WriteLineAsync("Run 'amidialer --help' for usage.");
            return Usage;
        }

        if (parse.CommandResult.Command == root && args.Length == 0)
        {
            // No command: show what there is rather than doing nothing silently.
            return await root.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        }
        catch (SettingsException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return Failure;
        }
    }

    /// <summary>Loads the settings the way every command does, honouring --config and --db.</summary>
    public static AmiDialerSettings LoadSettings(ParseResult parse, SettingsUse use)
    {
        var overrides = new List<KeyValuePair<string, string?>>();
        var db = parse.GetValue(DbOption);
        if (db is not null)
        {
            overrides.Add(new("Database:Path", db));
        }

        var configuration = SettingsLoader.BuildConfiguration(parse.GetValue(ConfigOption), overrides);
        return SettingsLoader.Load(configuration, use);
    }
}
