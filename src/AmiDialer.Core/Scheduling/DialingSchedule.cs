using AmiDialer.Core.Model;

namespace AmiDialer.Core.Scheduling;

/// <summary>
/// When a lead may be dialed: inside the campaign's schedule (start/end instants, days and daily windows in the
/// campaign's zone) AND inside the calling hours by the clock of EVERY zone the callee's number may be in.
/// A number whose zone is unknown is treated as being in the campaign's zone.
/// </summary>
public sealed class DialingSchedule
{
    /// <summary>How far ahead we look before saying "never": schedules repeat within a week, DST within a year.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(400);

    private readonly LocalHours _campaignHours;
    private readonly DailyWindow? _callingHours;

    /// <param name="campaignZone">The campaign's zone: its schedule is read in it, and it stands in for unknown callee zones.</param>
    /// <param name="startAt">No dialing before this instant (null: no limit).</param>
    /// <param name="endAt">No dialing at or after this instant (null: no limit).</param>
    /// <param name="days">Days of the week in the campaign's zone; empty: every day.</param>
    /// <param name="windows">Daily windows in the campaign's zone; empty: all day.</param>
    /// <param name="callingHours">Calling hours in the callee's own zone; null: not applied (click-to-call configured to ignore them).</param>
    public DialingSchedule(
        TimeZoneInfo campaignZone,
        DateTimeOffset? startAt,
        DateTimeOffset? endAt,
        IReadOnlyList<DayOfWeek> days,
        IReadOnlyList<DailyWindow> windows,
        DailyWindow? callingHours)
    {
        CampaignZone = campaignZone;
        StartAt = startAt;
        EndAt = endAt;
        _campaignHours = new LocalHours(campaignZone, windows, days);
        _callingHours = callingHours;
    }

    /// <summary>The same rules with no end.</summary>
    private DialingSchedule(DialingSchedule bounded)
    {
        CampaignZone = bounded.CampaignZone;
        StartAt = bounded.StartAt;
        _campaignHours = bounded._campaignHours;
        _callingHours = bounded._callingHours;
    }

    public TimeZoneInfo CampaignZone { get; }
    public DateTimeOffset? StartAt { get; }
    public DateTimeOffset? EndAt { get; }

    /// <summary>The campaign's rules. Throws <see cref="TimeZoneNotFoundException"/> for an unknown zone (the validator reports it first).</summary>
    public static DialingSchedule For(Campaign campaign) =>
        new(TimeZoneInfo.FindSystemTimeZoneById(campaign.TimeZoneId), campaign.StartAt, campaign.EndAt, campaign.Days, campaign.Windows, campaign.CallingHours);

    /// <summary>
    /// The zones whose clocks count for a callee: each known zone once; an unknown or unrecognised zone (or none at all)
    /// stands for the campaign's zone, so that the callee is never called by a clock we cannot read.
    /// </summary>
    public IReadOnlyList<TimeZoneInfo> CalleeZones(IReadOnlyList<string> zoneIds)
    {
        var zones = new List<TimeZoneInfo>();
        foreach (var id in zoneIds)
        {
            var zone = id != Phone.E164.UnknownZone && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) ? found : CampaignZone;
            if (!zones.Any(z => z.Id == zone.Id))
            {
                zones.Add(zone);
            }
        }

        return zones.Count == 0 ? [CampaignZone] : zones;
    }

    /// <summary>
    /// A lead's next <c>next_eligible_at</c>: <see cref="NextEligibleAt"/>, or when the campaign ends before the lead's
    /// hours open, the instant it would have been due without the end (past it): the run can then say when the next
    /// lead would have been due, and the campaign's end expires it. Null when no instant is ever open for it.
    /// </summary>
    public DateTimeOffset? NextDueAt(DateTimeOffset notBefore, IReadOnlyList<string> calleeZones)
    {
        if (NextEligibleAt(notBefore, calleeZones) is { } due)
        {
            return due;
        }

        return EndAt is null ? null : new DialingSchedule(this).NextEligibleAt(notBefore, calleeZones);
    }

    /// <summary>May the lead be dialed at <paramref name="now"/>? Asked again at the moment of dialing.</summary>
    public bool IsOpen(DateTimeOffset now, IReadOnlyList<string> calleeZones) => NextEligibleAt(now, calleeZones) == now;

    /// <summary>
    /// The first instant (UTC) at or after <paramref name="notBefore"/> at which the lead may be dialed, or null when
    /// there is none before the campaign's end (or within <see cref="Horizon"/>). For a retry, pass the retry time.
    /// </summary>
    public DateTimeOffset? NextEligibleAt(DateTimeOffset notBefore, IReadOnlyList<string> calleeZones)
    {
        var constraints = new List<LocalHours>(4);
        if (!_campaignHours.IsAlwaysOpen)
        {
            constraints.Add(_campaignHours);
        }

        if (_callingHours is { } hours)
        {
            foreach (var zone in CalleeZones(calleeZones))
            {
                var calling = new LocalHours(zone, [hours], null);
                if (!calling.IsAlwaysOpen)
                {
                    constraints.Add(calling);
                }
            }
        }

        var t = (StartAt is { } start && start > notBefore ? start : notBefore).ToUniversalTime();
        var limit = t + Horizon;
        if (EndAt is { } end && end < limit)
        {
            limit = end;
        }

        // Move t forward to the next opening of whichever rule is closed, until all are open at once. Each step lands on
        // a window start or zone transition, so this ends quickly; the cap only guards against a bug looping forever.
        for (var step = 0; step < 10_000 && t < limit; step++)
        {
            var closed = constraints.FirstOrDefault(c => !c.IsOpen(t));
            if (closed is null)
            {
                return t;
            }

            if (closed.NextOpen(t, limit) is not { } next)
            {
                return null;
            }

            t = next.ToUniversalTime();
        }

        return null;
    }
}
