using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;

namespace AmiDialer.Core.Tests.Retries;

public sealed class RetryRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 15, 0, 0, TimeSpan.Zero);
    private static readonly RetryPolicy Policy = RetryPolicy.Parse("busy=5m:3,no-answer=1h:2");

    private static LeadDecision After(CallOutcome outcome, int maxAttempts = 10, params CallOutcome[] earlier) =>
        RetryRules.AfterAttempt(earlier, outcome, Now, Policy, maxAttempts);

    [Fact]
    public void Answered_is_done()
    {
        var d = After(CallOutcome.Answered, 10, CallOutcome.Busy);
        Assert.Equal((LeadState.Done, CallOutcome.Answered, (DateTimeOffset?)null), (d.State, d.FinalOutcome, d.RetryAt));
    }

    [Fact]
    public void A_listed_outcome_waits_its_delay()
    {
        var d = After(CallOutcome.Busy);
        Assert.Equal((LeadState.WaitingRetry, (CallOutcome?)null, (DateTimeOffset?)Now.AddMinutes(5)), (d.State, d.FinalOutcome, d.RetryAt));
        Assert.Equal(CallOutcome.Busy, d.LastOutcome);
        Assert.Equal(Now.AddHours(1), After(CallOutcome.NoAnswer).RetryAt);
    }

    [Theory]
    [InlineData(CallOutcome.Rejected)]
    [InlineData(CallOutcome.InvalidNumber)]
    [InlineData(CallOutcome.Congestion)]
    [InlineData(CallOutcome.Failed)]
    [InlineData(CallOutcome.AgentNoAnswer)]
    public void An_outcome_not_listed_is_final(CallOutcome outcome)
    {
        var d = After(outcome);
        Assert.Equal((LeadState.Done, (CallOutcome?)outcome), (d.State, d.FinalOutcome));
    }

    [Fact]
    public void Counts_are_per_outcome_over_the_lead_life()
    {
        // busy=5m:3: the 3rd busy is still retried, the 4th is final, even with no-answers in between.
        Assert.Equal(LeadState.WaitingRetry, After(CallOutcome.Busy, 10, CallOutcome.Busy, CallOutcome.NoAnswer, CallOutcome.Busy).State);
        var fourth = After(CallOutcome.Busy, 10, CallOutcome.Busy, CallOutcome.NoAnswer, CallOutcome.Busy, CallOutcome.Busy);
        Assert.Equal((LeadState.Exhausted, (CallOutcome?)CallOutcome.Busy), (fourth.State, fourth.FinalOutcome));

        // no-answer=1h:2 has its own count: two busies do not use it up.
        Assert.Equal(LeadState.WaitingRetry, After(CallOutcome.NoAnswer, 10, CallOutcome.Busy, CallOutcome.Busy, CallOutcome.NoAnswer).State);
        Assert.Equal(LeadState.Exhausted, After(CallOutcome.NoAnswer, 10, CallOutcome.NoAnswer, CallOutcome.NoAnswer).State);
    }

    [Fact]
    public void Max_attempts_caps_all_attempts_the_first_included()
    {
        Assert.Equal(LeadState.Exhausted, After(CallOutcome.Busy, maxAttempts: 1).State);
        Assert.Equal(LeadState.WaitingRetry, After(CallOutcome.Busy, 3, CallOutcome.NoAnswer).State); // 2 of 3 made
        var third = After(CallOutcome.Busy, 3, CallOutcome.NoAnswer, CallOutcome.Busy);
        Assert.Equal((LeadState.Exhausted, (CallOutcome?)CallOutcome.Busy), (third.State, third.FinalOutcome));
        Assert.Contains("3 attempts", third.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Interrupted_is_retried_at_once_and_uses_only_the_maximum()
    {
        var d = After(CallOutcome.Interrupted, 3);
        Assert.Equal((LeadState.WaitingRetry, (DateTimeOffset?)Now), (d.State, d.RetryAt));

        // Two interruptions do not use up busy's retries...
        Assert.Equal(LeadState.WaitingRetry, After(CallOutcome.Busy, 10, CallOutcome.Interrupted, CallOutcome.Interrupted, CallOutcome.Busy, CallOutcome.Busy).State);
        // ...but they do count toward the maximum.
        Assert.Equal(LeadState.Exhausted, After(CallOutcome.Busy, 3, CallOutcome.Interrupted, CallOutcome.Interrupted).State);
        var last = After(CallOutcome.Interrupted, 2, CallOutcome.Busy);
        Assert.Equal((LeadState.Exhausted, (CallOutcome?)CallOutcome.Interrupted), (last.State, last.FinalOutcome));
    }

    [Fact]
    public void Interrupted_is_retried_even_with_an_empty_policy()
    {
        Assert.Equal(LeadState.WaitingRetry, RetryRules.AfterAttempt([], CallOutcome.Interrupted, Now, RetryPolicy.None, 3).State);
        Assert.Equal(LeadState.Done, RetryRules.AfterAttempt([], CallOutcome.Busy, Now, RetryPolicy.None, 3).State);
    }

    [Fact]
    public void Max_attempts_below_one_is_a_bug() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => After(CallOutcome.Busy, maxAttempts: 0));

    [Fact]
    public void A_whole_life_follows_the_policy()
    {
        // busy, busy, no-answer, busy, busy(4th: final) with max 10: four retries, then Exhausted.
        CallOutcome[] life = [CallOutcome.Busy, CallOutcome.Busy, CallOutcome.NoAnswer, CallOutcome.Busy, CallOutcome.Busy];
        var states = new List<LeadState>();
        for (var i = 0; i < life.Length; i++)
        {
            states.Add(RetryRules.AfterAttempt(life[..i], life[i], Now, Policy, 10).State);
        }

        Assert.Equal([LeadState.WaitingRetry, LeadState.WaitingRetry, LeadState.WaitingRetry, LeadState.WaitingRetry, LeadState.Exhausted], states);
    }

    [Fact]
    public void Unknown_is_final_and_never_retried_even_with_attempts_and_retries_left()
    {
        var d = After(CallOutcome.Unknown, 10);
        Assert.Equal((LeadState.Done, (CallOutcome?)CallOutcome.Unknown, (DateTimeOffset?)null), (d.State, d.FinalOutcome, d.RetryAt));
        Assert.Contains("never re-dialed automatically", d.Why, StringComparison.Ordinal);
        // Whatever the policy retries and however many attempts are left.
        var lenient = RetryPolicy.Parse("busy=1m:100,no-answer=1m:100,failed=1m:100,congestion=1m:100");
        Assert.Equal(LeadState.Done, RetryRules.AfterAttempt([CallOutcome.Busy], CallOutcome.Unknown, Now, lenient, 100).State);
        Assert.Equal(LeadState.Done, RetryRules.AfterAttempt([], CallOutcome.Unknown, Now, RetryPolicy.None, 1).State);
    }

    [Fact]
    public void Unknown_counts_toward_the_maximum_after_a_requeue()
    {
        // The operator requeued a lead whose 1st attempt ended unknown: that attempt still counts, so with a
        // maximum of 2 the requeued call is the last one whatever the policy says...
        var second = After(CallOutcome.Busy, 2, CallOutcome.Unknown);
        Assert.Equal((LeadState.Exhausted, (CallOutcome?)CallOutcome.Busy), (second.State, second.FinalOutcome));
        // ...and with a maximum of 3 it is retried as usual.
        Assert.Equal(LeadState.WaitingRetry, After(CallOutcome.Busy, 3, CallOutcome.Unknown).State);
        Assert.Equal(LeadState.Exhausted, After(CallOutcome.Interrupted, 2, CallOutcome.Unknown).State);
    }

    [Fact]
    public void Not_sent_is_due_again_at_once_and_counts_toward_nothing()
    {
        var d = After(CallOutcome.NotSent, 1);
        Assert.Equal((LeadState.WaitingRetry, (CallOutcome?)null, (DateTimeOffset?)Now, CallOutcome.NotSent), (d.State, d.FinalOutcome, d.RetryAt, d.LastOutcome));
        // Not the maximum: five not-sent before the only allowed attempt leave it allowed (max 1: busy is then final as a first attempt would be).
        var notSent = Enumerable.Repeat(CallOutcome.NotSent, 5).ToArray();
        Assert.Equal(LeadState.WaitingRetry, After(CallOutcome.NotSent, 1, notSent).State);
        Assert.Equal(LeadState.WaitingRetry, After(CallOutcome.Busy, 2, notSent).State);
        var cap = After(CallOutcome.Busy, 2, [.. notSent, CallOutcome.Busy]);
        Assert.Equal(LeadState.Exhausted, cap.State);
        Assert.Contains("all 2 attempts", cap.Why, StringComparison.Ordinal);
        // Not any outcome's retries either (busy=5m:3: a 3rd busy is retried with not-sent in between).
        Assert.Equal(LeadState.WaitingRetry, After(CallOutcome.Busy, 10, CallOutcome.Busy, CallOutcome.NotSent, CallOutcome.Busy, CallOutcome.NotSent).State);
        // Not even the interrupted count toward the maximum.
        Assert.Equal(LeadState.WaitingRetry, After(CallOutcome.Interrupted, 2, CallOutcome.NotSent, CallOutcome.NotSent).State);
    }
}
