using System.Globalization;

namespace AmiDialer.Core.Scheduling;

/// <summary>A wall-clock date and time read in a named zone (a <c>datetime-local</c> field), and written back the same way.</summary>
public static class ZonedLocalTime
{
    private static readonly string[] Formats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];

    /// <summary>
    /// The instant <paramref name="text"/> (<c>2026-12-01T09:00</c>, seconds optional) names in <paramref name="zone"/>.
    /// A time the clocks skip (spring forward) is refused, naming why; a time that happens twice (fall back) is the
    /// first of the two, before the clocks go back. Text with its own offset (<c>...-05:00</c>, <c>...Z</c>) keeps it.
    /// </summary>
    /// <param name="problem">Why it was refused, without the field's name.</param>
    public static bool TryParse(string text, TimeZoneInfo zone, out DateTimeOffset instant, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(zone);
        instant = default;
        problem = null;
        var trimmed = text.Trim();
        if (!DateTime.TryParseExact(trimmed, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            if (trimmed.Length > 16 && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant) && HasOffset(trimmed))
            {
                return true;
            }

            problem = $"'{trimmed}' is not a date and time such as 2026-12-01T09:00";
            return false;
        }

        if (zone.IsInvalidTime(local))
        {
            problem = $"{local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} does not exist in {zone.Id}: the clocks skip it (daylight saving); choose a time after the change";
            return false;
        }

        // Of a repeated hour, the first pass: the offset before the clocks go back is the larger one.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        instant = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset);
        return true;
    }

    /// <summary><paramref name="instant"/> as <c>datetime-local</c> text in <paramref name="zone"/>; seconds only when not zero, so nothing is lost on a save.</summary>
    public static string Format(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return local.ToString(local.Second == 0 && local.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm" : "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
}
