using AmiDialer.Core.Model;

namespace AmiDialer.Core.Retries;

/// <summary>After <see cref="Outcome"/>, try again <see cref="Delay"/> later, at most <see cref="Retries"/> times over the lead's life.</summary>
public sealed record RetryRule(CallOutcome Outcome, TimeSpan Delay, int Retries)
{
    public override string ToString() => $"{Outcome.ToWireName()}={FormatDelay(Delay)}:{Retries}";

    internal static string FormatDelay(TimeSpan d) =>
        d.Ticks % TimeSpan.TicksPerDay == 0 ? $"{(long)d.TotalDays}d"
        : d.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)d.TotalHours}h"
        : d.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)d.TotalMinutes}m"
        : $"{(long)d.TotalSeconds}s";
}
