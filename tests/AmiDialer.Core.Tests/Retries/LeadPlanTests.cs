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
    public void A_retry_after_the_campaign_end_expires_the_lead()
    {
        var decision = RetryRules.AfterAttempt([], CallOutcome.Busy, Now, Policy, 5);
        var plan = LeadPlan.From(decision, Schedule(end: Now.AddHours(2)), ["America/New_York"]);
        Assert.Equal(new LeadPlan(LeadState.Expired, CallOutcome.Busy, null), plan);
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
