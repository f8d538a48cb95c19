using AmiDialer.Core.Model;

namespace AmiDialer.Core.Scheduling;

/// <summary>
/// "Open on these days, in these windows, by the clock of this zone." An instant is open when the wall clock of the
/// zone AT THAT INSTANT shows an allowed day and time; that one definition makes daylight-saving changes come out
/// right: wall times skipped by a spring-forward never occur, and wall times repeated by a fall-back are open both times.
/// </summary>
internal sealed class LocalHours
{
    private readonly IReadOnlyList<DailyWindow> _windows;
    private readonly IReadOnlySet<DayOfWeek>? _days;

    /// <param name="zone">Whose wall clock counts.</param>
    /// <param name="windows">Daily windows; empty means all day.</param>
    /// <param name="days">Allowed days; null or empty means every day.</param>
    public LocalHours(TimeZoneInfo zone, IReadOnlyList<DailyWindow> windows, IReadOnlyCollection<DayOfWeek>? days)
    {
        Zone = zone;
        _windows = windows.Count == 0 ? [DailyWindow.AllDay] : windows;
        _days = days is { Count: > 0 and < 7 } ? days.ToHashSet() : null;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>True when this constraint never closes, so it can be left out.</summary>
    public bool IsAlwaysOpen => _days is null && _windows.Any(w => w.Start <= TimeSpan.Zero && w.End >= TimeSpan.FromHours(24));

    private bool IsNeverOpen => _windows.All(w => w.End <= w.Start) || _days is { Count: 0 };

    public bool IsOpen(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Zone);
        if (_days is not null && !_days.Contains(local.DayOfWeek))
        {
            return false;
        }

        var time = local.TimeOfDay;
        foreach (var w in _windows)
        {
            if (time >= w.Start && time < w.End)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first instant at or after <paramref name="from"/> that is open, or null if none before <paramref name="limit"/>.</summary>
    public DateTimeOffset? NextOpen(DateTimeOffset from, DateTimeOffset limit)
    {
        if (IsOpen(from))
        {
            return from;
        }

        if (IsNeverOpen)
        {
            return null;
        }

        // An instant becomes open only where the wall clock reaches a window start, or where it jumps (a zone
        // transition, which can land inside a window). So those are the only candidates; look a week at a time,
        // since the days rule repeats weekly.
        for (var chunk = from; chunk < limit; chunk = chunk.AddDays(7))
        {
            var chunkEnd = chunk.AddDays(8);
            DateTimeOffset? best = null;
            foreach (var candidate in Candidates(chunk, chunkEnd))
            {
                if (candidate >= from && candidate < limit && (best is null || candidate < best) && IsOpen(candidate))
                {
                    best = candidate;
                }
            }

            if (best is not null)
            {
                return best;
            }
        }

        return null;
    }

    private IEnumerable<DateTimeOffset> Candidates(DateTimeOffset from, DateTimeOffset to)
    {
        var firstDay = TimeZoneInfo.ConvertTime(from, Zone).Date.AddDays(-1);
        var lastDay = TimeZoneInfo.ConvertTime(to, Zone).Date.AddDays(1);
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            foreach (var w in _windows)
            {
                foreach (var instant in Instants(DateTime.SpecifyKind(day + w.Start, DateTimeKind.Unspecified)))
                {
                    yield return instant;
                }
            }
        }

        foreach (var transition in ZoneTransitions.Between(Zone, from.AddDays(-1), to))
        {
            yield return transition;
        }
    }

    /// <summary>The instants at which the wall clock shows <paramref name="local"/>: none in a gap, two in an overlap.</summary>
    private IEnumerable<DateTimeOffset> Instants(DateTime local)
    {
        if (Zone.IsInvalidTime(local))
        {
            yield break;
        }

        if (Zone.IsAmbiguousTime(local))
        {
            foreach (var offset in Zone.GetAmbiguousTimeOffsets(local))
            {
                yield return new DateTimeOffset(local, offset);
            }

            yield break;
        }

        yield return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }
}
