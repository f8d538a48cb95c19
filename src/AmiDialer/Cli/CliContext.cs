using AmiDialer.Hosting;
using AmiDialer.Reports;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Cli;

/// <summary>Where a command reads and writes, and how services are built: the console in production, strings in tests.</summary>
public sealed record CliContext(TextWriter Output, TextWriter Error)
{
    /// <summary>Where passwords are read from when not typed on a terminal (admin set-password --password-stdin).</summary>
    public TextReader Input { get; init; } = TextReader.Null;

    /// <summary>True when stderr is an interactive terminal: progress is then drawn as a bar, rewritten in place.</summary>
    public bool IsTerminal { get; init; }

    /// <summary>How tables on <see cref="Output"/> are drawn: plain unless stdout is an interactive terminal.</summary>
    public TableStyle Tables { get; init; } = TableStyle.Plain;

    /// <summary>Clock, logging and simulator time scale for the services a command builds.</summary>
    public AppServicesOptions ServicesOptions { get; init; } = new();

    /// <summary>
    /// Makes the logger for a log format (<c>simple</c>, <c>json</c>) once the command line and the settings say which;
    /// <see cref="AmiDialerCli.RunAsync(string[], CliContext, CancellationToken)"/> then owns it. Null keeps
    /// <see cref="AppServicesOptions.LoggerFactory"/> as given (tests).
    /// </summary>
    public Func<string, ILoggerFactory>? Logging { get; init; }

    /// <summary>
    /// The process's SIGINT and SIGTERM (null in process, in tests: their cancellation token is then Ctrl-C). Says which
    /// one stopped a command: run pauses its campaign on SIGINT only.
    /// </summary>
    public StopSignals? Signals { get; init; }

    /// <summary>The console: a progress bar when stderr is a terminal, boxed tables when stdout is.</summary>
    public static CliContext FromConsole() => new(Console.Out, Console.Error)
    {
        Input = Console.In,
        IsTerminal = !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb",
        Tables = TableStyle.ForConsole(),
        Logging = ConsoleLogging.Create,
    };
}

/// <summary>A failure a command reports as one message and an exit code (1 failure, 2 bad usage).</summary>
public sealed class CliException(string message, int exitCode = AmiDialerCli.Failure, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(message, AmiDialerCli.Usage);
}
