using AmiDialer.Core.Model;
using AmiDialer.Core.Scheduling;

namespace AmiDialer.Core.Tests.Scheduling;

public sealed class LeadWaitTests
{
    private const string NewYork = "America/New_York";
    private const string LosAngeles = "America/Los_Angeles";
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById(NewYork);
    private static readonly DailyWindow Hours = new(TimeSpan.FromHours(8), TimeSpan.FromHours(21));

    private static DialingSchedule Schedule(string? windows = null, DailyWindow? hours = null) =>
        new(Zone, null, null, [], windows is null ? [] : ScheduleText.ParseWindows(windows), hours);

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static LeadWait Of(LeadState state, DateTimeOffset? due, string zone, DateTimeOffset now, string? windows = null) =>
        LeadWait.Of(state, due, [zone], now, Schedule(windows, Hours), Schedule(windows));

    [Fact]
    public void A_due_lead_inside_its_hours_waits_only_for_a_line()
    {
        var now = Utc("2026-06-10T15:00:00"); // 11:00 New York
        var wait = Of(LeadState.Pending, now.AddMinutes(-5), NewYork, now);
        Assert.Equal(WaitKind.DueNow, wait.Kind);
        Assert.Equal("due now, waiting for a free line", wait.Describe(Zone));
    }

    [Fact]
    public void A_retry_due_later_inside_open_hours_is_a_retry_not_due()
    {
        var now = Utc("2026-06-10T15:00:00");
        var wait = Of(LeadState.WaitingRetry, now.AddMinutes(2), NewYork, now);
        Assert.Equal(new LeadWait(WaitKind.RetryNotDue, now.AddMinutes(2)), wait);
        Assert.Equal("retry not due until 2026-06-10 11:02 America/New_York", wait.Describe(Zone));
    }

    [Fact]
    public void A_lead_moved_to_the_opening_of_its_callees_hours_waits_for_the_calling_hours()
    {
        var now = Utc("2026-06-10T13:00:00"); // 09:00 New York, 06:00 Los Angeles
        var opening = Utc("2026-06-10T15:00:00"); // 08:00 Los Angeles
        var wait = Of(LeadState.Pending, opening, LosAngeles, now);
        Assert.Equal(new LeadWait(WaitKind.OutsideCallingHours, opening), wait);
        Assert.Equal("outside calling hours in their zone until 2026-06-10 11:00 America/New_York", wait.Describe(Zone));
        // The same time for a retry is still the hours' doing: the lead was closed just before it.
        Assert.Equal(WaitKind.OutsideCallingHours, Of(LeadState.WaitingRetry, opening, LosAngeles, now).Kind);
    }

    [Fact]
    public void A_due_lead_whose_hours_are_closed_now_waits_for_their_opening()
    {
        var now = Utc("2026-06-10T13:00:00"); // 06:00 Los Angeles
        Assert.Equal(new LeadWait(WaitKind.OutsideCallingHours, Utc("2026-06-10T15:00:00")), Of(LeadState.Pending, now.AddHours(-1), LosAngeles, now));
    }

    [Fact]
    public void The_campaigns_own_windows_are_told_from_the_callees_hours()
    {
        var now = Utc("2026-06-10T15:00:00"); // 11:00 New York, inside calling hours, outside the 13:00-17:00 window
        var wait = Of(LeadState.Pending, now, NewYork, now, windows: "13:00-17:00");
        Assert.Equal(new LeadWait(WaitKind.OutsideCampaignSchedule, Utc("2026-06-10T17:00:00")), wait);
        Assert.Equal("outside the campaign's days and windows until 2026-06-10 13:00 America/New_York", wait.Describe(Zone));
    }

    [Fact]
    public void A_pending_lead_due_later_in_open_hours_is_not_due_yet_and_no_time_is_never_due()
    {
        var now = Utc("2026-06-10T15:00:00");
        Assert.Equal(WaitKind.NotDueYet, Of(LeadState.Pending, now.AddMinutes(30), NewYork, now).Kind);
        Assert.Equal(WaitKind.NeverDue, Of(LeadState.Pending, null, NewYork, now).Kind);
    }

    [Fact]
    public void Utc_is_written_with_z()
    {
        Assert.Equal("2026-06-10 15:00Z", ZonedTime.Format(Utc("2026-06-10T15:00:00"), TimeZoneInfo.Utc));
    }
}
