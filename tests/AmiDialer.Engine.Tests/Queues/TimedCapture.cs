using System.Globalization;
using System.Text.RegularExpressions;
using AmiDialer.Ami;
using AmiDialer.Testing;

namespace AmiDialer.Engine.Tests.Queues;

/// <summary>
/// The messages a capture's client received, each at its recorded time (the NAME.txt timeline: "[+ seconds] S&lt;" and
/// the indented header lines under it): the queue rules are about time (the 2 s from answer to agent), which the .raw
/// bytes do not carry.
/// </summary>
internal static partial class TimedCapture
{
    public static readonly DateTimeOffset Epoch = new(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Each message at the connection's recorded start ("connected 2026-12-07 01:01:17 UTC", whole seconds) plus its
    /// offset, so the epoch seconds Asterisk writes (LastCall) fall where they did.
    /// </summary>
    public static List<(DateTimeOffset At, AmiMessage Message)> Received(string name)
    {
        var result = new List<(DateTimeOffset, AmiMessage)>();
        var epoch = Epoch;
        double? at = null;
        var headers = new List<AmiHeader>();
        void Flush()
        {
            if (at is { } t && headers.Count > 0)
            {
                result.Add((epoch + TimeSpan.FromSeconds(t), new AmiMessage(headers)));
            }

            at = null;
            headers = [];
        }

        foreach (var line in File.ReadLines(RepoPaths.Capture(name + ".txt")).SkipWhile(l => !l.StartsWith("## connection '", StringComparison.Ordinal)))
        {
            if (Connected().Match(line) is { Success: true } connected)
            {
                epoch = DateTimeOffset.ParseExact(connected.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                continue;
            }

            var start = EntryStart().Match(line);
            if (start.Success)
            {
                Flush();
                if (start.Groups[2].Value == "S<" && !start.Groups[3].Value.StartsWith("Asterisk Call Manager", StringComparison.Ordinal))
                {
                    at = double.Parse(start.Groups[1].Value, CultureInfo.InvariantCulture);
                    Add(start.Groups[3].Value);
                }
            }
            else if (at is not null && line.StartsWith("               ", StringComparison.Ordinal))
            {
                Add(line[15..]);
            }
            else
            {
                Flush();
            }
        }

        Flush();
        return result;

        void Add(string text)
        {
            var i = text.IndexOf(": ", StringComparison.Ordinal);
            if (text != "(blank line)" && !text.StartsWith('('))
            {
                headers.Add(i < 0 ? new AmiHeader(text.TrimEnd(':'), "") : new AmiHeader(text[..i], text[(i + 2)..]));
            }
        }
    }

    [GeneratedRegex(@"^## connection '[^']*'\s+\(connected (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")]
    private static partial Regex Connected();

    [GeneratedRegex(@"^\[\+\s*([\d.]+)\] (S<|C>) ?(.*)$")]
    private static partial Regex EntryStart();
}
