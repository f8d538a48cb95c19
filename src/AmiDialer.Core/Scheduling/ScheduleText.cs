using System.Globalization;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Scheduling;

/// <summary>
/// Parsers for the schedule as people write it: windows <c>08:00-21:00</c> (with <c>24:00</c> as an end, so
/// <c>00:00-24:00</c> is any time), lists <c>09:00-12:00,13:00-17:00</c>, and days <c>Mon-Fri</c> or <c>Mon,Wed,Fri</c>.
/// Errors name the part that is wrong.
/// </summary>
public static class ScheduleText
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    public static bool TryParseWindow(string? text, out DailyWindow window, out string? error)
    {
        window = default;
        var parts = (text ?? "").Split('-');
        if (parts.Length != 2)
        {
            error = $"'{text}' must look like 08:00-21:00";
            return false;
        }

        if (!TryParseClock(parts[0], allow24: false, out var start, out error) || !TryParseClock(parts[1], allow24: true, out var end, out error))
        {
            error = $"'{text}': {error}";
            return false;
        }

        if (end <= start)
        {
            // Overnight windows would need a day rule of their own (which day does 22:00-06:00 belong to?); two windows say it plainly.
            error = end == start
                ? $"'{text}' is empty (start equals end); use 00:00-24:00 for any time"
                : $"'{text}' ends before it starts; split an overnight window in two, e.g. 22:00-24:00,00:00-06:00";
            return false;
        }

        window = new DailyWindow(start, end);
        error = null;
        return true;
    }

    public static DailyWindow ParseWindow(string text) =>
        TryParseWindow(text, out var window, out var error) ? window : throw new FormatException(error);

    /// <summary>A comma-separated list of windows; an empty text is an empty list (meaning: all day).</summary>
    public static bool TryParseWindows(string? text, out IReadOnlyList<DailyWindow> windows, out string? error)
    {
        var list = new List<DailyWindow>();
        windows = list;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var item in text.Split(','))
        {
            if (!TryParseWindow(item.Trim(), out var window, out error))
            {
                return false;
            }

            list.Add(window);
        }

        return true;
    }

    public static IReadOnlyList<DailyWindow> ParseWindows(string text) =>
        TryParseWindows(text, out var windows, out var error) ? windows : throw new FormatException(error);

    /// <summary>
    /// Days as <c>Mon-Fri</c>, <c>Mon,Wed,Fri</c> or a mix (<c>Mon-Wed,Sat</c>); a range may wrap (<c>Fri-Mon</c>).
    /// Names are the English three-letter abbreviations or full names, any case. The result is sorted Sunday first.
    /// </summary>
    public static bool TryParseDays(string? text, out IReadOnlyList<DayOfWeek> days, out string? error)
    {
        days = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "no days given (e.g. Mon-Fri)";
            return false;
        }

        var set = new SortedSet<DayOfWeek>();
        foreach (var rawItem in text.Split(','))
        {
            var item = rawItem.Trim();
            var ends = item.Split('-');
            if (ends.Length > 2 || !TryParseDay(ends[0], out var first) || !TryParseDay(ends[^1], out var last))
            {
                error = $"'{item}' is not a day or a range of days (use Mon, Tue, Wed, Thu, Fri, Sat, Sun, e.g. Mon-Fri)";
                return false;
            }

            for (var d = first; ; d = (DayOfWeek)(((int)d + 1) % 7))
            {
                set.Add(d);
                if (d == last)
                {
                    break;
                }
            }
        }

        days = set.ToList();
        error = null;
        return true;
    }

    public static IReadOnlyList<DayOfWeek> ParseDays(string text) =>
        TryParseDays(text, out var days, out var error) ? days : throw new FormatException(error);

    /// <summary><c>Mon,Tue,Wed</c> style (Monday first), the inverse of <see cref="TryParseDays"/>; empty for no days.</summary>
    public static string FormatDays(IEnumerable<DayOfWeek> days) =>
        string.Join(',', days.Distinct().OrderBy(d => ((int)d + 6) % 7).Select(d => DayNames[(int)d]));

    public static string FormatWindows(IEnumerable<DailyWindow> windows) => string.Join(',', windows);

    private static bool TryParseDay(string text, out DayOfWeek day)
    {
        var t = text.Trim();
        for (var i = 0; i < 7; i++)
        {
            if (string.Equals(t, DayNames[i], StringComparison.OrdinalIgnoreCase)
                || string.Equals(t, ((DayOfWeek)i).ToString(), StringComparison.OrdinalIgnoreCase))
            {
                day = (DayOfWeek)i;
                return true;
            }
        }

        day = default;
        return false;
    }

    private static bool TryParseClock(string text, bool allow24, out TimeSpan time, out string? error)
    {
        var t = text.Trim();
        error = null;
        if (t == "24:00")
        {
            time = TimeSpan.FromHours(24);
            if (!allow24)
            {
                error = "24:00 can only end a window";
            }

            return allow24;
        }

        if (TimeOnly.TryParseExact(t, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var clock))
        {
            time = clock.ToTimeSpan();
            return true;
        }

        time = default;
        error = $"'{t}' is not a time of day HH:mm (00:00 to 23:59, or 24:00 as an end)";
        return false;
    }
}
