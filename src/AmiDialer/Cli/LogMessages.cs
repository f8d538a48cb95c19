using Microsoft.Extensions.Logging;

namespace AmiDialer.Cli;

/// <summary>Log events of the executable (CLI and hosting), ids 5000-5999.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Command {Command} started")]
    public static partial void CommandStarted(this ILogger logger, string command);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "Command {Command} failed")]
    public static partial void CommandFailed(this ILogger logger, string command, Exception exception);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Dialing campaign {Campaign} in the foreground (simulated: {Simulated})")]
    public static partial void RunStarted(this ILogger logger, string campaign, bool simulated);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Interrupted: pausing campaign {Campaign}")]
    public static partial void PausingOnInterrupt(this ILogger logger, string campaign);
}
