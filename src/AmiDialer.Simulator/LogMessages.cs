using System.Net;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Simulator;

/// <summary>The simulator's log lines (event ids 2000-2999). Secrets are never logged.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "AMI simulator listening on {EndPoint}")]
    public static partial void Listening(this ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Connection {ConnectionId} from {Remote}")]
    public static partial void Accepted(this ILogger logger, int connectionId, EndPoint? remote);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed: {Reason}")]
    public static partial void Closed(this ILogger logger, int connectionId, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Connection {ConnectionId} logged in as {Username}")]
    public static partial void LoggedIn(this ILogger logger, int connectionId, string username);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: login failed for user {Username}")]
    public static partial void LoginFailed(this ILogger logger, int connectionId, string username);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Connection {ConnectionId} dropped: the client did not read for {Timeout} (write timeout)")]
    public static partial void WriteTimedOut(this ILogger logger, int connectionId, TimeSpan timeout);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: malformed action skipped: {Error}")]
    public static partial void MalformedAction(this ILogger logger, int connectionId, string error);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Fault injected: {Fault}")]
    public static partial void Fault(this ILogger logger, string fault);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Simulated Asterisk {Kind}: down for {Downtime}")]
    public static partial void Restarting(this ILogger logger, string kind, TimeSpan downtime);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information, Message = "Simulated Asterisk is back on {EndPoint}")]
    public static partial void Restarted(this ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Error, Message = "Connection {ConnectionId}: action {Action} failed inside the simulator")]
    public static partial void ActionFailed(this ILogger logger, Exception exception, int connectionId, string? action);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Connection {ConnectionId} dropped: more than {Bytes} bytes queued for it")]
    public static partial void QueueOverflow(this ILogger logger, int connectionId, int bytes);
}
