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

    public static readonly Option<string?> LogFormatOption = LogFormat();

    public static readonly Option<bool> VerboseOption = new("--verbose")
    {
        Description = "When a command fails, also print the full exception and stack trace.",
        Recursive = true,
    };

    /// <summary>Exit code of a command stopped by Ctrl-C (128 + SIGINT), after it paused what it was doing.</summary>
    public const int Interrupted = 130;

    /// <summary>Exit code of a command stopped by SIGTERM (128 + 15), after it stopped gracefully; serve exits 0 instead.</summary>
    public const int Terminated = 143;

    public static RootCommand Build(TextWriter output, TextWriter error) => Build(new CliContext(output, error));

    public static RootCommand Build(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = new RootCommand("AmiDialer: campaign dialer and click-to-call for Asterisk, through AMI.");
        root.Options.Add(ConfigOption);
        root.Options.Add(DbOption);
        root.Options.Add(LogFormatOption);
        root.Options.Add(VerboseOption);
        root.Subcommands.Add(RunCommand.Build(context));
        root.Subcommands.Add(ServeCommand.Build(context));
        root.Subcommands.Add(CampaignCommand.Build(context));
        root.Subcommands.Add(ImportCommand.Build(context));
        root.Subcommands.Add(ReportCommand.Build(context));
        root.Subcommands.Add(DncCommand.Build(context));
        root.Subcommands.Add(AdminCommand.Build(context));
        root.Subcommands.Add(SimulateCommand.Build(context));
        root.Subcommands.Add(DoctorCommand.Build(context));
        root.Subcommands.Add(AgentsCommand.Build(context));
        root.Subcommands.Add(ClusterCommand.Build(context));
        root.Subcommands.Add(PbxCommand.Build(context));
        root.Subcommands.Add(DbCommand.Build(context));
        CallCommands.AddTo(root, context);
        root.Subcommands.Add(ConfigCommand.Build(context.Output, context.Error));
        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, new CliContext(output, error), cancellationToken);

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = Build(context);
        var parse = root.Parse(args);
        using var logging = parse.Errors.Count == 0 && context.Logging is { } makeLogging ? makeLogging(LogFormatOf(parse)) : null;
        if (logging is not null)
        {
            // The commands hold the context they were built with: build them again around the logger just made.
            context = context with { ServicesOptions = context.ServicesOptions with { LoggerFactory = logging } };
            root = Build(context);
            parse = root.Parse(args);
        }

        return await RunAsync(args, context, root, parse, cancellationToken);
    }

    private static async Task<int> RunAsync(string[] args, CliContext context, RootCommand root, ParseResult parse, CancellationToken cancellationToken)
    {
        var output = context.Output;
        var error = context.Error;
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync(ParseErrorText.Describe(problem));
            }

            var arguments = parse.CommandResult.Command.Arguments;
            if (arguments.Count > 0 && parse.Errors.Any(e => e.Message.StartsWith("Required argument missing", StringComparison.Ordinal)))
            {
                await error.WriteLineAsync("Expected: " + string.Join(' ', arguments.Select(a => $"<{a.Name}>")));
            }

            await error.WriteLineAsync($"Run '{CommandPath(parse)} --help' for usage.");
            return Usage;
        }

        if (parse.CommandResult.Command == root && args.Length == 0)
        {
            // No command: show what there is rather than doing nothing silently.
            return await root.Parse(["--help"]).InvokeAsync(Invocation(context), cancellationToken);
        }

        try
        {
            return await parse.InvokeAsync(Invocation(context), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var terminated = context.Signals?.Kind == StopKind.Terminate;
            await error.WriteLineAsync(terminated ? "Terminated." : "Interrupted.");
            return terminated ? Terminated : Interrupted;
        }
        catch (Exception ex)
        {
            // The one place a failure becomes what the operator reads and an exit code: never a bare stack trace.
            return await ReportFailureAsync(ex, parse, error);
        }
    }

    private static async Task<int> ReportFailureAsync(Exception ex, ParseResult parse, TextWriter error)
    {
        var code = Failure;
        switch (ex)
        {
            case SettingsException settings:
                await error.WriteLineAsync(settings.Message);
                break;
            case CliException cli:
                await error.WriteLineAsync(cli.Message);
                code = cli.ExitCode;
                if (code == Usage)
                {
                    await error.WriteLineAsync($"Run '{CommandPath(parse)} --help' for usage.");
                }

                break;
            default:
                foreach (var line in CliFailures.Describe(ex, DatabasePathOf(parse), ConnectionStringOf(parse)))
                {
                    await error.WriteLineAsync(line);
                }

                break;
        }

        if (parse.GetValue(VerboseOption))
        {
            await error.WriteLineAsync(ex.ToString());
        }

        return code;
    }

    /// <summary>The database the command was using, to name it in a message; null when the settings do not say.</summary>
    private static string? DatabasePathOf(ParseResult parse)
    {
        try
        {
            var path = parse.GetValue(DbOption) ?? SettingsLoader.Load(SettingsLoader.BuildConfiguration(parse.GetValue(ConfigOption)), SettingsUse.None).Database.Path;
            return Path.GetFullPath(path);
        }
        catch (Exception)
        {
            // Only for naming the file in a message: a configuration that cannot be read has been reported already.
            return null;
        }
    }

    /// <summary>The PostgreSQL connection string the command was using, to name its server in a message; null on SQLite or when the settings do not say.</summary>
    private static string? ConnectionStringOf(ParseResult parse)
    {
        try
        {
            var database = SettingsLoader.Load(SettingsLoader.BuildConfiguration(parse.GetValue(ConfigOption)), SettingsUse.None).Database;
            return database.Provider == DatabaseProvider.Postgres ? database.ConnectionString : null;
        }
        catch (Exception)
        {
            // Only for naming the server in a message: a configuration that cannot be read has been reported already.
            return null;
        }
    }

    private static Option<string?> LogFormat()
    {
        var option = new Option<string?>("--log-format")
        {
            Description = "How log lines on stderr look: simple (text) or json (one object per line). Default: Logging:Format, else simple.",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong([.. LogFormats.All]);
        return option;
    }

    /// <summary>--log-format, else Logging:Format from the settings; a broken settings file is the command's to report.</summary>
    private static string LogFormatOf(ParseResult parse)
    {
        if (parse.GetValue(LogFormatOption) is { } chosen)
        {
            return chosen;
        }

        try
        {
            var configured = SettingsLoader.BuildConfiguration(parse.GetValue(ConfigOption))["Logging:Format"];
            return LogFormats.IsKnown(configured) ? configured!.Trim().ToLowerInvariant() : LogFormats.Simple;
        }
        catch (Exception ex) when (ex is SettingsException or InvalidDataException or IOException or FormatException)
        {
            return LogFormats.Simple;
        }
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "amidialer" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    // Exceptions reach RunAsync (one place maps them to exit codes); Ctrl-C is Program's to handle, not the parser's.
    private static InvocationConfiguration Invocation(CliContext context) => new()
    {
        Output = context.Output,
        Error = context.Error,
        EnableDefaultExceptionHandler = false,
        ProcessTerminationTimeout = null,
    };

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
        var loaded = SettingsLoader.LoadChecked(configuration, use);
        if (loaded.Warnings.Count > 0 && WarnedParses.TryAdd(parse, Marker))
        {
            // Once per command, however many times it loads the settings; stderr keeps stdout clean for reports.
            var error = parse.InvocationConfiguration.Error;
            foreach (var warning in loaded.Warnings)
            {
                error.WriteLine("Warning: " + warning);
            }
        }

        return loaded.Settings;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ParseResult, object> WarnedParses = [];
    private static readonly object Marker = new();
}
