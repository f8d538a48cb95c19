using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine;

/// <summary>The queue follower's and agent-aware pacing's log lines (4600-4619).</summary>
internal static partial class LogMessages
{
    [LoggerMessage(4600, LogLevel.Debug, "Server {Server}: queue {Queue} read, {Members} member(s)")]
    public static partial void QueueRead(this ILogger logger, string server, string queue, int members);

    [LoggerMessage(4601, LogLevel.Warning, "Server {Server}: QueueStatus failed ({Why}); read again at the next tick")]
    public static partial void QueueReadFailed(this ILogger logger, string server, string why);

    [LoggerMessage(4602, LogLevel.Error, "Server {Server}: the queue fate of call {Caller} was not recorded: {Why}")]
    public static partial void QueueNewsFailed(this ILogger logger, string server, string caller, string why);

    [LoggerMessage(4603, LogLevel.Information, "Campaign {CampaignId} pacing: {Change}")]
    public static partial void PacingChanged(this ILogger logger, long campaignId, string change);

    [LoggerMessage(4604, LogLevel.Warning, "Campaign {CampaignId} follows queue {Queue}, which is not read yet on {Server}: no call until it is")]
    public static partial void QueueNotKnown(this ILogger logger, long campaignId, string queue, string server);

    [LoggerMessage(4605, LogLevel.Warning, "Server {Server}: the wrap-up of queue {Queue} could not be read from queues.conf ({Why}); using {WrapUp}")]
    public static partial void QueueWrapUpUnread(this ILogger logger, string server, string queue, string why, string wrapUp);
}
