using System.Globalization;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Scheduling;

/// <summary>Why a dialable lead is not being dialed right now.</summary>
public enum WaitKind
{
    /// <summary>Due: it waits only for a free line (concurrency or calls per second).</summary>
    DueNow,
    /// <summary>Waiting for its retry time.</summary>
    RetryNotDue,
    /// <summary>The calling hours are closed by the clock of (one of) the callee's zones.</summary>
    OutsideCallingHours,
    /// <summary>The campaign's own days, daily windows or start time keep it.</summary>
    OutsideCampaignSchedule,
    /// <summary>Due later for another reason (a requeue or import that set its time).</summary>
    NotDueYet,
    /// <summary>No allowed instant before the campaign's end: it will expire.</summary>
    NeverDue,
}

/// <summary>Why one lead waits and until when (<see cref="Until"/> null only for <see cref="WaitKind.NeverDue"/>).</summary>
public sealed record LeadWait(WaitKind Kind, DateTimeOffset? Until)
{
    /// <summary>
    /// Why a pending or waiting-to-retry lead is not dialed at <paramref name="now"/>. The store keeps only the time a
    /// lead is due, so the reason is read back from the schedule: a due time that is an opening of the lead's hours (closed
    /// a second before, open at it) is the hours' doing; otherwise a retry's is the retry delay's.
    /// </summary>
    public static LeadWait Of(LeadState state, DateTimeOffset? nextEligibleAt, IReadOnlyList<string> calleeZones, DateTimeOffset now, DialingSchedule schedule, DialingSchedule campaignOnly)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(campaignOnly);
        if (nextEligibleAt is not { } due)
        {
            return new LeadWait(WaitKind.NeverDue, null);
        }

        if (due <= now)
        {
            if (schedule.IsOpen(now, calleeZones))
            {
                return new LeadWait(WaitKind.DueNow, now);
            }

            // Due but closed now: the engine moves it to the next opening when it reaches it.
            var open = schedule.NextDueAt(now, calleeZones);
            return open is null ? new LeadWait(WaitKind.NeverDue, null) : new LeadWait(Closed(now, calleeZones, campaignOnly), open);
        }

        var before = due - TimeSpan.FromSeconds(1);
        if (before > now && !schedule.IsOpen(before, calleeZones) && schedule.IsOpen(due, calleeZones))
        {
            return new LeadWait(Closed(before, calleeZones, campaignOnly), due);
        }

        return new LeadWait(state == LeadState.WaitingRetry ? WaitKind.RetryNotDue : WaitKind.NotDueYet, due);
    }

    /// <summary>The campaign's rules without the callee's calling hours: tells the campaign's windows from the callee's clock.</summary>
    public static DialingSchedule CampaignOnly(Campaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        return new DialingSchedule(TimeZoneInfo.FindSystemTimeZoneById(campaign.TimeZoneId), campaign.StartAt, campaign.EndAt, campaign.Days, campaign.Windows, callingHours: null);
    }

    /// <summary>The reason as the pages say it, times in <paramref name="zone"/> with the zone named.</summary>
    public string Describe(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var until = Until is { } u ? ZonedTime.Format(u, zone) : "";
        return Kind switch
        {
            WaitKind.DueNow => "due now, waiting for a free line",
            WaitKind.RetryNotDue => $"retry not due until {until}",
            WaitKind.OutsideCallingHours => $"outside calling hours in their zone until {until}",
            WaitKind.OutsideCampaignSchedule => $"outside the campaign's days and windows until {until}",
            WaitKind.NotDueYet => $"not due until {until}",
            _ => "no allowed time before the campaign ends: it will expire",
        };
    }

    private static WaitKind Closed(DateTimeOffset at, IReadOnlyList<string> calleeZones, DialingSchedule campaignOnly) =>
        campaignOnly.IsOpen(at, calleeZones) ? WaitKind.OutsideCallingHours : WaitKind.OutsideCampaignSchedule;
}

/// <summary>Instants as a view shows them: one zone per view, named after the time.</summary>
public static class ZonedTime
{
    /// <summary><c>2026-12-07 09:00 America/New_York</c>; UTC is written <c>2026-12-07 14:00Z</c>.</summary>
    public static string Format(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (zone == TimeZoneInfo.Utc)
        {
            return instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
        }

        return TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + zone.Id;
    }
}
