using AmiDialer.Core.Model;
using AmiDialer.Core.Scheduling;

namespace AmiDialer.Engine.Dialing;

/// <summary>When a lead is next due, by Core's schedule (campaign schedule and the callee's hours in all its zones).</summary>
internal static class LeadTiming
{
    /// <summary>
    /// The lead's next <c>next_eligible_at</c>. When the campaign ends before the lead's hours open, this is still the
    /// instant it would have been due (past the end): the run can then say when the next lead would have been due,
    /// and the campaign's end expires it.
    /// </summary>
    public static DateTimeOffset? NextDue(Campaign campaign, DialingSchedule schedule, DateTimeOffset notBefore, IReadOnlyList<string> zones)
    {
        if (schedule.NextEligibleAt(notBefore, zones) is { } due)
        {
            return due;
        }

        if (campaign.EndAt is null)
        {
            return null;
        }

        var unbounded = new DialingSchedule(schedule.CampaignZone, campaign.StartAt, null, campaign.Days, campaign.Windows, campaign.CallingHours);
        return unbounded.NextEligibleAt(notBefore, zones);
    }
}
