using Microsoft.Extensions.Logging;

namespace AmiDialer.Data;

/// <summary>Every log line of the store and the importer. Event ids 3000-3999 are stable: dashboards key on them.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Database {Path} migrated from version {From} to {To}")]
    public static partial void DatabaseMigrated(this ILogger logger, string path, int from, int to);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Database {Path} opened at schema version {Version}")]
    public static partial void DatabaseOpened(this ILogger logger, string path, int version);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Import {ImportId} of {FileName} into campaign {CampaignId} started (delimiter '{Delimiter}', encoding {Encoding}, phone column '{PhoneColumn}')")]
    public static partial void ImportStarted(this ILogger logger, long importId, string fileName, long campaignId, string delimiter, string encoding, string phoneColumn);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Import {ImportId} finished: {Read} rows read, {Imported} imported, {Rejected} rejected, {Duplicates} duplicates, {Blocked} blocked in {Seconds:F1} s")]
    public static partial void ImportFinished(this ILogger logger, long importId, long read, long imported, long rejected, long duplicates, long blocked, double seconds);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Import of {FileName} refused: {Reason}")]
    public static partial void ImportRefused(this ILogger logger, string fileName, string reason);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Error, Message = "Import {ImportId} stopped after line {LastLine}: {Reason}")]
    public static partial void ImportFailed(this ILogger logger, Exception exception, long importId, long lastLine, string reason);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Campaign {CampaignId} state {From} -> {To}")]
    public static partial void CampaignStateChanged(this ILogger logger, long campaignId, string from, string to);

    [LoggerMessage(EventId = 3030, Level = LogLevel.Information, Message = "Do-not-call {Action} {Number} (scope {Scope}) by {Actor}")]
    public static partial void DncChanged(this ILogger logger, string action, string number, string scope, string actor);

    [LoggerMessage(EventId = 3031, Level = LogLevel.Information, Message = "Do-not-call: {Count} lead(s) of {Number} unblocked (scope {Scope}) by {Actor}; {StillBlocked} still blocked by another entry")]
    public static partial void DncLeadsUnblocked(this ILogger logger, int count, string number, string scope, string actor, int stillBlocked);

    [LoggerMessage(EventId = 3040, Level = LogLevel.Information, Message = "Lease {Key} taken by {Owner} ({How}; before: {Previous})")]
    public static partial void LeaseAcquired(this ILogger logger, string key, string owner, string how, string previous);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Debug, Message = "Lease {Key} refused to {Owner}: held by {Holder}, heartbeat {Heartbeat}, seen standing still for {StillSeconds:F1} s")]
    public static partial void LeaseRefused(this ILogger logger, string key, string owner, string holder, long heartbeat, double stillSeconds);
}
