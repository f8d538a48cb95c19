namespace AmiDialer.Core.Scheduling;

/// <summary>Finds the instants at which a zone's UTC offset changes (daylight saving, or a zone changing its rules).</summary>
internal static class ZoneTransitions
{
    /// <summary>
    /// Each instant in [<paramref name="from"/>, <paramref name="to"/>) at which the offset differs from the instant
    /// just before. Sampled a day apart, then bisected to the second (zones change offset on whole seconds). Two
    /// changes within one day that cancel out would be missed; no zone does that.
    /// </summary>
    public static IEnumerable<DateTimeOffset> Between(TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset to)
    {
        var step = TimeSpan.FromDays(1);
        var a = new DateTimeOffset(from.UtcTicks - (from.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var offsetA = zone.GetUtcOffset(a);
        while (a < to)
        {
            var b = a + step;
            var offsetB = zone.GetUtcOffset(b);
            if (offsetB != offsetA)
            {
                var (lo, hi) = (a, b);
                while (hi - lo > TimeSpan.FromSeconds(1))
                {
                    var mid = lo + TimeSpan.FromSeconds(Math.Floor((hi - lo).TotalSeconds / 2));
                    if (zone.GetUtcOffset(mid) == offsetA)
                    {
                        lo = mid;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                yield return hi;
            }

            (a, offsetA) = (b, offsetB);
        }
    }
}
