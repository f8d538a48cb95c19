using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine;

/// <summary>install-ledger's log lines (what it changed on a PBX): event ids 4780-4789. No secret is ever an argument.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(4780, LogLevel.Information, "AMI server {Server}: created {File} (CreateConfig)")]
    public static partial void LedgerFileCreated(this ILogger logger, string server, string file);

    [LoggerMessage(4781, LogLevel.Information, "AMI server {Server}: wrote the ledger dialplan version {Version} into {File} (UpdateConfig)")]
    public static partial void LedgerFileWritten(this ILogger logger, string server, string file, int version);

    [LoggerMessage(4782, LogLevel.Warning, "AMI server {Server}: writing {File} failed, Asterisk saved nothing: {Error}")]
    public static partial void LedgerWriteFailed(this ILogger logger, string server, string file, string error);

    [LoggerMessage(4783, LogLevel.Information, "AMI server {Server}: dialplan reloaded (Command: dialplan reload)")]
    public static partial void LedgerDialplanReloaded(this ILogger logger, string server);
}
