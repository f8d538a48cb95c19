using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine;

/// <summary>The doctor's and the pre-flight's log lines: event ids 4800-4819 (the engine's ledger check at each login: 4810-4813).</summary>
internal static partial class LogMessages
{
    [LoggerMessage(4800, LogLevel.Information, "Doctor: AMI server {Server} ({Address}): {Ok} OK, {Warn} WARN, {Fail} FAIL")]
    public static partial void DoctorChecked(this ILogger logger, string server, string address, int ok, int warn, int fail);

    [LoggerMessage(4810, LogLevel.Information, "AMI server {Server}: {Found}")]
    public static partial void LedgerChecked(this ILogger logger, string server, string found);

    [LoggerMessage(4811, LogLevel.Error, "AMI server {Server} is not dialed until its next login finds the ledger: {Why}")]
    public static partial void LedgerMissing(this ILogger logger, string server, string why);

    [LoggerMessage(4812, LogLevel.Warning, "AMI server {Server} is dialed without its ledger checked: {Why}")]
    public static partial void LedgerUnverified(this ILogger logger, string server, string why);

    [LoggerMessage(4813, LogLevel.Warning, "AMI server {Server}: the ledger check after the login failed; it is not dialed until the next login checks it")]
    public static partial void LedgerCheckFailed(this ILogger logger, string server, Exception error);
}
