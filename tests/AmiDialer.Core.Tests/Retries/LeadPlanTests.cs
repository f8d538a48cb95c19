using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;
using AmiDialer.Core.Scheduling;

namespace AmiDialer.Core.Tests.Retries;

public sealed class LeadPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 0, 30, 0, TimeSpan.Zero); // 20:30 New York
    private static readonly RetryPolicy Policy = RetryPolicy.Parse("busy=1h:3");

    private static DialingSchedule Schedule(DateTimeOffset? end = null) =>
        new(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), null, end, [], [], new DailyWindow(TimeSpan.FromHours(8), TimeSpan.FromHours(21)));

    [Fact]
    public void A_retry_lands_in_the_next_calling_hours()
    {
        var decision = RetryRules.AfterAttempt([], CallOutcome.Busy, Now, Policy, 5); // retry at 21:30: hours closed
        var plan = LeadPlan.From(decision, Schedule(), ["America/New_York"]);
        Assert.Equal(new LeadPlan(LeadState.WaitingRetry, null, new DateTimeOffset(2026, 6, 10, 12, 0, 0, TimeSpan.Zero)), plan);
    }

    [Fact]
    public void A_retry_whose_hours_open_only_after_the_campaign_end_keeps_that_time_for_the_end_to_expire()
    {
        var decision = RetryRules.AfterAttempt([], CallOutcome.Busy, Now, Policy, 5);
        var plan = LeadPlan.From(decision, Schedule(end: Now.AddHours(2)), ["America/New_York"]);
        Assert.Equal(new LeadPlan(LeadState.WaitingRetry, null, new DateTimeOffset(2026, 6, 10, 12, 0, 0, TimeSpan.Zero)), plan);
    }

    [Fact]
    public void A_retry_that_can_never_happen_expires_the_lead_with_its_last_outcome()
    {
        // The campaign dials 09:00-10:00 New York, when it is 22:00-23:00 in Tokyo, outside the callee's 08:00-21:00.
        var schedule = new DialingSchedule(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), null, Now.AddDays(30), [],
            [new DailyWindow(TimeSpan.FromHours(9), TimeSpan.FromHours(10))], new DailyWindow(TimeSpan.FromHours(8), TimeSpan.FromHours(21)));
        var decision = RetryRules.AfterAttempt([], CallOutcome.Busy, Now, Policy, 5);
        Assert.Equal(new LeadPlan(LeadState.Expired, CallOutcome.Busy, null), LeadPlan.From(decision, schedule, ["Asia/Tokyo"]));
        Assert.Null(schedule.NextDueAt(Now, ["Asia/Tokyo"]));
        Assert.NotNull(schedule.NextDueAt(Now, ["America/New_York"]));
    }

    [Fact]
    public void Final_decisions_pass_through_with_no_next_time()
    {
        var answered = RetryRules.AfterAttempt([], CallOutcome.Answered, Now, Policy, 5);
        Assert.Equal(new LeadPlan(LeadState.Done, CallOutcome.Answered, null), LeadPlan.From(answered, Schedule(), []));
        var exhausted = RetryRules.AfterAttempt([], CallOutcome.Busy, Now, Policy, 1);
        Assert.Equal(new LeadPlan(LeadState.Exhausted, CallOutcome.Busy, null), LeadPlan.From(exhausted, Schedule(), []));
    }
}
