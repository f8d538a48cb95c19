using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;
using AmiDialer.Core.Scheduling;

namespace AmiDialer.Core.Tests.Retries;

/// <summary>
/// Dialing:AbandonRetryDelay (Ofcom: no further call within 72 h of an abandoned call): an answered call that never
/// reached an agent may be retried if attempts remain, but only after the delay since its answer.
/// </summary>
public sealed class AbandonedRetryTests
{
    private static readonly DateTimeOffset Answered = new(2026, 6, 10, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Answered.AddSeconds(40);
    private static readonly TimeSpan Delay = TimeSpan.FromHours(72);

    private static LeadDecision After(int maxAttempts, AbandonedAnswer? abandoned, params CallOutcome[] earlier) =>
        RetryRules.AfterAttempt(earlier, CallOutcome.Answered, Now, RetryPolicy.Parse("busy=5m:3"), maxAttempts, abandoned);

    [Theory]
    [InlineData("late")]
    [InlineData("caller-left")]
    public void An_abandoned_answer_waits_the_delay_from_its_answer_when_attempts_remain(string fate)
    {
        var d = After(3, new AbandonedAnswer(Answered, Delay, fate), CallOutcome.Busy);
        Assert.Equal((LeadState.WaitingRetry, (CallOutcome?)null, (DateTimeOffset?)Answered.AddHours(72)), (d.State, d.FinalOutcome, d.RetryAt));
        Assert.Equal(CallOutcome.Answered, d.LastOutcome);
        Assert.Equal($"abandoned ({fate}): not before 2026-06-13 15:00:00Z", d.Why);
    }

    [Fact]
    public void An_abandoned_answer_on_the_last_attempt_is_final_and_answered()
    {
        var d = After(2, new AbandonedAnswer(Answered, Delay, "late"), CallOutcome.Busy);
        Assert.Equal((LeadState.Done, (CallOutcome?)CallOutcome.Answered, (DateTimeOffset?)null), (d.State, d.FinalOutcome, d.RetryAt));
        Assert.Equal("abandoned (late), and all 2 attempts are used", d.Why);
    }

    [Fact]
    public void An_answer_that_reached_an_agent_stays_final_whatever_attempts_remain()
    {
        var d = After(5, null);
        Assert.Equal((LeadState.Done, (CallOutcome?)CallOutcome.Answered), (d.State, d.FinalOutcome));
    }

    [Fact]
    public void A_zero_delay_retries_at_once_never_before_now()
    {
        Assert.Equal(Now, After(3, new AbandonedAnswer(Answered, TimeSpan.Zero, "late")).RetryAt);
    }

    [Fact]
    public void The_calling_hours_only_move_the_retry_later_than_the_delay()
    {
        // 15:00 UTC + 72 h is 11:00 in New York; with calls allowed only from 13:00 local, the retry waits for that.
        var campaign = new Campaign { Name = "ofcom", TimeZoneId = "America/New_York", CallingHours = new(TimeSpan.FromHours(13), TimeSpan.FromHours(20)) };
        var d = After(3, new AbandonedAnswer(Answered, Delay, "caller-left"));
        var plan = LeadPlan.From(d, DialingSchedule.For(campaign), ["America/New_York"]);
        Assert.Equal(LeadState.WaitingRetry, plan.State);
        Assert.Equal(new DateTimeOffset(2026, 6, 13, 17, 0, 0, TimeSpan.Zero), plan.NextEligibleAt);
        Assert.True(plan.NextEligibleAt >= Answered + Delay);
    }
}
