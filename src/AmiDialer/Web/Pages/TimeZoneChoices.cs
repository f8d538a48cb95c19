using System.Globalization;

namespace AmiDialer.Web.Pages;

/// <summary>
/// The campaign form's time-zone suggestions: IANA ids this machine knows, the zones of the campaign's region first
/// (the region of its current zone, else <c>Dialing:DefaultRegion</c>), each labelled with its region, its
/// description and its UTC offset now. Regions come from the tz database's <c>zone.tab</c>; where that file is
/// missing every zone is still offered, in alphabetical order.
/// </summary>
internal static class TimeZoneChoices
{
    private static readonly Lazy<IReadOnlyList<(string Region, string Zone, string Comment)>> ZoneTab = new(ReadZoneTab);

    /// <param name="currentZone">The zone the form shows; its region's zones come first.</param>
    public static IReadOnlyList<(string Id, string Label)> For(string? currentZone, string defaultRegion, DateTimeOffset now)
    {
        var known = TimeZoneInfo.GetSystemTimeZones().Where(z => z.Id.Contains('/', StringComparison.Ordinal) || z.Id == "UTC").ToDictionary(z => z.Id, StringComparer.Ordinal);
        var tab = ZoneTab.Value;
        var region = tab.FirstOrDefault(t => t.Zone == currentZone).Region ?? defaultRegion;
        var first = tab.Where(t => string.Equals(t.Region, region, StringComparison.OrdinalIgnoreCase) && known.ContainsKey(t.Zone)).ToList();
        var regionOf = tab.GroupBy(t => t.Zone, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var choices = new List<(string, string)>(known.Count);
        foreach (var (r, zone, comment) in first)
        {
            choices.Add((zone, Label(r, comment, known[zone], now)));
        }

        var taken = first.Select(f => f.Zone).ToHashSet(StringComparer.Ordinal);
        foreach (var id in known.Keys.Where(k => !taken.Contains(k)).Order(StringComparer.Ordinal))
        {
            var (r, _, comment) = regionOf.GetValueOrDefault(id);
            choices.Add((id, Label(r, comment, known[id], now)));
        }

        return choices;
    }

    private static string Label(string? region, string? comment, TimeZoneInfo zone, DateTimeOffset now)
    {
        var offset = zone.GetUtcOffset(now);
        var utc = offset == TimeSpan.Zero ? "UTC" : "UTC" + (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString("hh\\:mm", CultureInfo.InvariantCulture);
        return string.Join(" · ", new[] { region, comment, utc }.Where(p => !string.IsNullOrEmpty(p)));
    }

    private static IReadOnlyList<(string Region, string Zone, string Comment)> ReadZoneTab()
    {
        var dir = Environment.GetEnvironmentVariable("TZDIR") is { Length: > 0 } tzdir ? tzdir : "/usr/share/zoneinfo";
        var path = Path.Combine(dir, "zone.tab");
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            // region <tab> coordinates <tab> zone [<tab> comment]; '#' lines are comments.
            return [.. File.ReadLines(path).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('\t')).Where(p => p.Length >= 3)
                .Select(p => (p[0], p[2], p.Length > 3 ? p[3] : ""))];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
