using System.Globalization;
using System.Text.RegularExpressions;
using AmiDialer.Ami;
using AmiDialer.Testing;

namespace AmiDialer.Simulator.Tests.Infrastructure;

/// <summary>One step of a capture's .txt timeline: something the client sent (C&gt;) or a message it received (S&lt;).</summary>
internal sealed record TimelineEntry(double Seconds, bool FromClient, AmiMessage Message, bool BlankLineOnly, bool BareLf);

/// <summary>Reads the NAME.txt timeline of a single-connection capture (format in the captures' README).</summary>
internal static partial class CaptureTimeline
{
    /// <summary>One connection of a multi-connection capture (the "## connection 'LABEL'" section of NAME.txt).</summary>
    public static IReadOnlyList<TimelineEntry> Load(string name, string connection) => LoadLines(Section(name, connection));

    public static IReadOnlyList<TimelineEntry> Load(string name) => LoadLines(File.ReadLines(RepoPaths.Capture(name + ".txt")));

    private static IEnumerable<string> Section(string name, string connection)
    {
        var inside = false;
        foreach (var raw in File.ReadLines(RepoPaths.Capture(name + ".txt")))
        {
            if (raw.StartsWith("## connection '", StringComparison.Ordinal))
            {
                inside = raw.StartsWith("## connection '" + connection + "'", StringComparison.Ordinal);
                continue;
            }

            if (raw.StartsWith("## message counts on connection", StringComparison.Ordinal))
            {
                inside = false;
            }

            if (inside)
            {
                yield return raw;
            }
        }
    }

    private static IReadOnlyList<TimelineEntry> LoadLines(IEnumerable<string> source)
    {
        var entries = new List<TimelineEntry>();
        double t = 0;
        bool? fromClient = null;
        var lines = new List<string>();
        var bareLf = false;
        var blank = false;
        void Flush()
        {
            if (fromClient is null)
            {
                return;
            }

            var headers = lines.Select(l =>
            {
                var i = l.IndexOf(": ", StringComparison.Ordinal);
                return i < 0 ? new AmiHeader(l.TrimEnd(':'), "") : new AmiHeader(l[..i], l[(i + 2)..]);
            });
            if (!(fromClient == false && lines.Count == 1 && lines[0].StartsWith("Asterisk Call Manager", StringComparison.Ordinal)))
            {
                entries.Add(new TimelineEntry(t, fromClient.Value, new AmiMessage(headers), blank, bareLf));
            }

            fromClient = null;
            lines.Clear();
            bareLf = false;
            blank = false;
        }

        foreach (var raw in source)
        {
            var m = EntryStart().Match(raw);
            if (m.Success)
            {
                Flush();
                t = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                fromClient = m.Groups[2].Value == "C>";
                var first = m.Groups[3].Value;
                if (first == "(blank line)")
                {
                    blank = fromClient == true;
                }
                else
                {
                    lines.Add(first.Split("   (banner")[0]);
                }

                continue;
            }

            if (fromClient is not null && raw.StartsWith("               ", StringComparison.Ordinal))
            {
                var body = raw[15..];
                if (body == "(blank line)")
                {
                    continue;
                }

                if (body.StartsWith("(framed with bare LF", StringComparison.Ordinal))
                {
                    bareLf = true;
                    continue;
                }

                lines.Add(body);
            }
            else
            {
                Flush();
            }
        }

        Flush();
        return entries;
    }

    [GeneratedRegex(@"^\[\+\s*([\d.]+)\] (S<|C>) ?(.*)$")]
    private static partial Regex EntryStart();
}
