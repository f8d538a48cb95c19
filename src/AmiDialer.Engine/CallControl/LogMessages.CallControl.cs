using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine;

/// <summary>Call control's log lines: event ids 4500-4699.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(4500, LogLevel.Information, "Attempt {AttemptId}: redirected {Channel} on {Server} to {Destination}")]
    public static partial void CallRedirected(this ILogger logger, long attemptId, string channel, string server, string destination);

    [LoggerMessage(4501, LogLevel.Warning, "Attempt {AttemptId}: Redirect to {Destination} refused: {Why}")]
    public static partial void RedirectRefused(this ILogger logger, long attemptId, string destination, string why);

    [LoggerMessage(4502, LogLevel.Warning, "Attempt {AttemptId}: on-answer route {Destination} is not in the allowed contexts; the call stays where the campaign sent it")]
    public static partial void OnAnswerRouteNotAllowed(this ILogger logger, long attemptId, string destination);

    [LoggerMessage(4510, LogLevel.Information, "Click-to-call attempt {AttemptId}: agent {Agent} then {Destination} via {Server}")]
    public static partial void ClickToCallStarted(this ILogger logger, long attemptId, string agent, string destination, string server);

    [LoggerMessage(4511, LogLevel.Information, "Click-to-call refused ({Error}): {Why}")]
    public static partial void ClickToCallRefused(this ILogger logger, string error, string why);

    [LoggerMessage(4512, LogLevel.Information, "Built-in click-to-call campaign {CampaignId} created")]
    public static partial void ClickToCallCampaignCreated(this ILogger logger, long campaignId);

    [LoggerMessage(4513, LogLevel.Information, "Call attempt {AttemptId}: hang-up of {Channel} on {Server} requested")]
    public static partial void CallHungUp(this ILogger logger, long attemptId, string channel, string server);

    [LoggerMessage(4520, LogLevel.Error, "Call control: the on-answer routing loop failed")]
    public static partial void OnAnswerLoopFailed(this ILogger logger, Exception error);
}
