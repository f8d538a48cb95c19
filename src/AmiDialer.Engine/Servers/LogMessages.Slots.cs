using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine;

/// <summary>A server's calls counted over every process (event ids 4900-4909).</summary>
internal static partial class LogMessages
{
    [LoggerMessage(4900, LogLevel.Debug, "AMI server {Server}: {Open} open call(s) over every process, its MaxConcurrentCalls of {Cap}: {Refused} claim(s) left due")]
    public static partial void ServerFullInStore(this ILogger logger, string server, int open, int cap, int refused);

    [LoggerMessage(4901, LogLevel.Warning, "Counting the open calls of every process on the AMI servers failed; counted again at the next look")]
    public static partial void ServerCountFailed(this ILogger logger, Exception error);
}
