using Microsoft.Extensions.Logging;

namespace AmiDialer.Web;

/// <summary>The web layer's log messages; event ids 6000-6999.</summary>
internal static partial class WebLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Web UI and API listening on {Urls}")]
    public static partial void Listening(ILogger logger, string urls);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Admin logged in from {RemoteIp}")]
    public static partial void LoggedIn(ILogger logger, string? remoteIp);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Failed login from {RemoteIp}")]
    public static partial void LoginFailed(ILogger logger, string? remoteIp);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Warning, Message = "Login refused from {RemoteIp}: {Failures} failed logins in the lockout window")]
    public static partial void LoginLockedOut(ILogger logger, string remoteIp, int failures);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Rejected API key from {RemoteIp}")]
    public static partial void ApiKeyRejected(ILogger logger, string? remoteIp);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Antiforgery check failed for {Method} {Path}")]
    public static partial void AntiforgeryFailed(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: {Reason}")]
    public static partial void StoreUnavailable(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Upload refused: larger than {Limit} bytes")]
    public static partial void UploadTooLarge(ILogger logger, long limit);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "Admin logged out")]
    public static partial void LoggedOut(ILogger logger);
}
