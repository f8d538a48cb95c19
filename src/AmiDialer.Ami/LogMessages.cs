using Microsoft.Extensions.Logging;

namespace AmiDialer.Ami;

/// <summary>Every log line of the AMI layer, with stable event ids (1000-1999). No secret is ever a parameter.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(1000, LogLevel.Information, "AMI connecting to {Host}:{Port} (attempt {Attempt})")]
    public static partial void Connecting(ILogger logger, string host, int port, int attempt);

    [LoggerMessage(1001, LogLevel.Information, "AMI logged in to {Host}:{Port} as {Username} ({Banner}), connection generation {Generation}")]
    public static partial void LoggedIn(ILogger logger, string host, int port, string username, string? banner, long generation);

    [LoggerMessage(1002, LogLevel.Warning, "AMI connection to {Host}:{Port} lost: {Reason}; {InFlight} in-flight actions failed")]
    public static partial void ConnectionLost(ILogger logger, string host, int port, string reason, int inFlight, Exception? exception);

    [LoggerMessage(1013, LogLevel.Information, "AMI connection to {Host}:{Port} closed by this client; {InFlight} in-flight actions failed")]
    public static partial void ConnectionClosed(ILogger logger, string host, int port, int inFlight);

    [LoggerMessage(1003, LogLevel.Warning, "AMI connect to {Host}:{Port} failed (attempt {Attempt}): {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, int attempt, string reason, Exception? exception);

    [LoggerMessage(1004, LogLevel.Error, "AMI login to {Host}:{Port} as {Username} refused: {Reason}; next try in {RetryDelay}")]
    public static partial void AuthenticationFailed(ILogger logger, string host, int port, string username, string reason, TimeSpan retryDelay);

    [LoggerMessage(1005, LogLevel.Debug, "AMI reconnect to {Host}:{Port} in {Delay}")]
    public static partial void ReconnectScheduled(ILogger logger, string host, int port, TimeSpan delay);

    [LoggerMessage(1006, LogLevel.Warning, "AMI malformed frame from {Host}:{Port} skipped: {Error}")]
    public static partial void MalformedFrame(ILogger logger, string host, int port, string error);

    [LoggerMessage(1007, LogLevel.Debug, "AMI response for unknown or expired ActionID {ActionId}")]
    public static partial void UnmatchedResponse(ILogger logger, string actionId);

    [LoggerMessage(1008, LogLevel.Error, "AMI event buffer full ({Capacity} events): the event consumer is too slow; dropping the connection rather than an event")]
    public static partial void EventBufferFull(ILogger logger, int capacity);

    [LoggerMessage(1009, LogLevel.Warning, "AMI keep-alive Ping to {Host}:{Port} unanswered within {Deadline}")]
    public static partial void PingTimedOut(ILogger logger, string host, int port, TimeSpan deadline);

    [LoggerMessage(1010, LogLevel.Warning, "AMI action {Action} ({ActionId}) got no response within {Timeout}")]
    public static partial void ActionTimedOut(ILogger logger, string action, string actionId, TimeSpan timeout);

    [LoggerMessage(1011, LogLevel.Information, "AMI client for {Host}:{Port} stopped")]
    public static partial void Stopped(ILogger logger, string host, int port);

    [LoggerMessage(1012, LogLevel.Debug, "AMI response without ActionID: {Response} {Message}")]
    public static partial void ResponseWithoutActionId(ILogger logger, string? response, string? message);
}
