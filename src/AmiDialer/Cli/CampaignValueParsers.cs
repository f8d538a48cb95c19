using System.Globalization;
using System.Text.RegularExpressions;
using AmiDialer.Core.Model;

namespace AmiDialer.Cli;

/// <summary>
/// Command-line spellings of campaign settings. Each returns null on success or the reason the text is refused.
/// </summary>
internal static partial class CampaignValueParsers
{
    public static string? Window(string text, out DailyWindow window)
    {
        window = default;
        var parts = text.Split('-');
        if (parts.Length != 2 || !Clock(parts[0], out var start) || !Clock(parts[1], out var end))
        {
            return "expected HH:mm-HH:mm, e.g. 08:00-21:00 (00:00-24:00 means any time).";
        }

        if (end <= start)
        {
            return "the end must be after the start.";
        }

        window = new DailyWindow(start, end);
        return null;
    }

    public static string? Days(string text, out IReadOnlyList<DayOfWeek> days)
    {
        days = [];
        var result = new SortedSet<DayOfWeek>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length is < 1 or > 2 || !Day(range[0], out var first) || !Day(range[^1], out var last))
            {
                return "expected days like Mon-Fri or Mon,Wed,Fri.";
            }

            for (var d = first; ; d = (DayOfWeek)(((int)d + 1) % 7))
            {
                result.Add(d);
                if (d == last)
                {
                    break;
                }
            }
        }

        days = result.ToList();
        return null;
    }

    public static string? Destination(string text, out DialplanTarget target)
    {
        target = new DialplanTarget("", "", 1);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 3 || !DialplanName().IsMatch(parts[0]) || !DialplanName().IsMatch(parts[1])
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var priority) || priority < 1)
        {
            return "expected context,extension,priority, e.g. agents,100,1.";
        }

        target = new DialplanTarget(parts[0], parts[1], priority);
        return null;
    }

    /// <summary><c>NAME=value</c> (a constant) or, for <c>--var-field</c>, <c>NAME=column</c>.</summary>
    public static string? Variable(string text, bool field, out ChannelVariable variable)
    {
        variable = new ChannelVariable("", null, null);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return field ? "expected NAME=column." : "expected NAME=value.";
        }

        var name = text[..equals];
        var value = text[(equals + 1)..];
        if (!VariableName().IsMatch(name))
        {
            return $"variable name '{name}' must match [A-Za-z_][A-Za-z0-9_]*.";
        }

        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            return "the value must not contain CR, LF or NUL.";
        }

        if (field && value.Length == 0)
        {
            return "the column name must not be empty.";
        }

        variable = field ? new ChannelVariable(name, null, value) : new ChannelVariable(name, value, null);
        return null;
    }

    public static string? TimeZone(string text) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(text, out _) ? null : "not a known IANA time zone, e.g. America/New_York.";

    public static string? RingTimeout(int seconds) =>
        seconds >= 15 ? null : $"must be at least 15 seconds (was {seconds}).";

    public static string? Region(string text) =>
        text.Length == 2 && text.All(char.IsAsciiLetter) ? null : "expected a two-letter region code such as US.";

    private static bool Clock(string text, out TimeSpan time)
    {
        time = default;
        text = text.Trim();
        if (text == "24:00")
        {
            time = TimeSpan.FromHours(24);
            return true;
        }

        if (TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
        {
            time = t.ToTimeSpan();
            return true;
        }

        return false;
    }

    private static bool Day(string text, out DayOfWeek day)
    {
        foreach (var candidate in Enum.GetValues<DayOfWeek>())
        {
            var name = candidate.ToString();
            if (text.Length >= 3 && name.StartsWith(text, StringComparison.OrdinalIgnoreCase))
            {
                day = candidate;
                return true;
            }
        }

        day = default;
        return false;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();

    [GeneratedRegex("^[A-Za-z0-9_+*#.-]+$")]
    private static partial Regex DialplanName();
}
