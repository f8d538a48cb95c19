using AmiDialer.Configuration;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Cli;

/// <summary>The console logger of the executable: warnings and errors on stderr, as text lines or JSON lines.</summary>
internal static class ConsoleLogging
{
    /// <summary>Stdout carries the command's own output (reports, JSON, CSV), so every log line goes to stderr.</summary>
    public static ILoggerFactory Create(string format) => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(LogLevel.Warning);
        // The web host logs a failed start (a port in use) with its whole stack; serve reports it in one line.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        if (string.Equals(format, LogFormats.Json, StringComparison.OrdinalIgnoreCase))
        {
            // One object per line, for journald, Docker and log shippers: timestamp, level, category, message, state.
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                o.IncludeScopes = false;
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
        }
    });
}
