using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine;

/// <summary>The outcome ledger's log lines: event ids 4700-4719.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(4700, LogLevel.Information, "AMI server {Server}: attempt {AttemptId} ({ChannelId}) ended unseen; ledger says {Value}")]
    public static partial void LedgerRead(this ILogger logger, string server, long attemptId, string channelId, string value);

    [LoggerMessage(4701, LogLevel.Information, "AMI server {Server}: attempt {AttemptId} ({ChannelId}) has no ledger key, no channel and no restart since its claim: its Originate never reached Asterisk")]
    public static partial void LedgerNotSent(this ILogger logger, string server, long attemptId, string channelId);

    [LoggerMessage(4702, LogLevel.Warning, "AMI server {Server}: the ledger of attempt {AttemptId} ({Key}) could not be read; the attempt stays open and is looked at again")]
    public static partial void LedgerReadFailed(this ILogger logger, string server, long attemptId, string key, Exception error);

    [LoggerMessage(4703, LogLevel.Warning, "AMI server {Server}: ledger key {Key} could not be deleted; tried again after the next login")]
    public static partial void LedgerDeleteFailed(this ILogger logger, string server, string key, Exception error);
}
