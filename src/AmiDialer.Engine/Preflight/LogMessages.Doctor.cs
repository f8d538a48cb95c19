using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine;

/// <summary>The doctor's and the pre-flight's log lines: event ids 4800-4819.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(4800, LogLevel.Information, "Doctor: AMI server {Server} ({Address}): {Ok} OK, {Warn} WARN, {Fail} FAIL")]
    public static partial void DoctorChecked(this ILogger logger, string server, string address, int ok, int warn, int fail);
}
