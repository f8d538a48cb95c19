using System.Globalization;
using System.Text;

namespace AmiDialer.Cli;

/// <summary>
/// Long work's progress on stderr: on a terminal, one bar rewritten in place; otherwise (a log, a pipe, a test)
/// plain lines, at most one per <see cref="PlainInterval"/>, so logs stay readable.
/// </summary>
internal sealed class ProgressDisplay(TextWriter writer, bool terminal, TimeProvider time)
{
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(1);
    private const int BarWidth = 30;
    private readonly Lock gate = new();
    private long lastPlainTicks = long.MinValue;
    private int lastWidth;
    private bool drawn;

    /// <summary>Shows the state of the work; <paramref name="percent"/> is null when the total is unknown.</summary>
    public void Update(double? percent, string text, bool force = false)
    {
        lock (gate)
        {
            if (terminal)
            {
                var line = new StringBuilder("\r");
                if (percent is { } p)
                {
                    var filled = (int)Math.Round(Math.Clamp(p, 0, 100) / 100 * BarWidth);
                    line.Append('[').Append('#', filled).Append('.', BarWidth - filled).Append("] ")
                        .Append(p.ToString("0", CultureInfo.InvariantCulture).PadLeft(3)).Append("% ");
                }

                line.Append(text);
                var width = line.Length;
                // Blank out what a longer previous line left behind.
                line.Append(' ', Math.Max(0, lastWidth - width));
                lastWidth = width;
                writer.Write(line.ToString());
                writer.Flush();
                drawn = true;
                return;
            }

            var now = time.GetTimestamp();
            if (!force && lastPlainTicks != long.MinValue && time.GetElapsedTime(lastPlainTicks, now) < PlainInterval)
            {
                return;
            }

            lastPlainTicks = now;
            writer.WriteLine(percent is { } q ? $"{q.ToString("0", CultureInfo.InvariantCulture)}% {text}" : text);
        }
    }

    /// <summary>Ends the bar's line so what follows starts on a fresh one.</summary>
    public void Done()
    {
        lock (gate)
        {
            if (terminal && drawn)
            {
                writer.WriteLine();
                drawn = false;
            }
        }
    }
}
