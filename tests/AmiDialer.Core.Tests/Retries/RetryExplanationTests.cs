using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;

namespace AmiDialer.Core.Tests.Retries;

/// <summary>The sentence under "max attempts" says what <see cref="RetryRules"/> does; each case is checked against RetryRules itself.</summary>
public sealed class RetryExplanationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void With_no_rule_a_number_is_called_once_and_max_attempts_only_caps_interrupted_redials()
    {
        Assert.Equal(
            "Each number is called once: with no retry rule, no outcome is tried again. Max attempts 3 only limits the re-dials of calls cut off by Asterisk going down before an answer: at most 3 calls to a number then.",
            RetryExplanation.Describe(RetryPolicy.None, 3));
        // What the sentence claims, from the rules themselves.
        Assert.Equal(LeadState.Done, RetryRules.AfterAttempt([], CallOutcome.Busy, T0, RetryPolicy.None, 3).State);
        Assert.Equal(LeadState.Done, RetryRules.AfterAttempt([], CallOutcome.NoAnswer, T0, RetryPolicy.None, 3).State);
        Assert.Equal(LeadState.WaitingRetry, RetryRules.AfterAttempt([CallOutcome.Interrupted], CallOutcome.Interrupted, T0, RetryPolicy.None, 3).State);
        Assert.Equal(LeadState.Exhausted, RetryRules.AfterAttempt([CallOutcome.Interrupted, CallOutcome.Interrupted], CallOutcome.Interrupted, T0, RetryPolicy.None, 3).State);
    }

    [Fact]
    public void With_no_rule_and_one_attempt_not_even_an_interrupted_call_is_redialed()
    {
        Assert.EndsWith("Max attempts 1 also keeps a call cut off by Asterisk going down (before an answer) from being re-dialed.", RetryExplanation.Describe(RetryPolicy.None, 1), StringComparison.Ordinal);
        Assert.Equal(LeadState.Exhausted, RetryRules.AfterAttempt([], CallOutcome.Interrupted, T0, RetryPolicy.None, 1).State);
    }

    [Fact]
    public void Max_attempts_below_what_the_rules_allow_stops_a_number_sooner()
    {
        var policy = RetryPolicy.Parse("busy=5m:3,no-answer=1h:2");
        Assert.Equal(
            "busy is tried again after 5 minutes, up to 3 times; no-answer is tried again after 1 hour, up to 2 times; any other outcome is final. " +
            "Max attempts 4 stops a number sooner: at most 4 calls in all (the rules alone would allow 6), re-dials of calls cut off by Asterisk going down included.",
            RetryExplanation.Describe(policy, 4));
        // The fourth busy-then-no-answer call ends the lead though no-answer has retries left.
        Assert.Equal(LeadState.Exhausted, RetryRules.AfterAttempt([CallOutcome.Busy, CallOutcome.Busy, CallOutcome.Busy], CallOutcome.NoAnswer, T0, policy, 4).State);
    }

    [Fact]
    public void Max_attempts_at_or_above_what_the_rules_allow_only_caps_interrupted_redials()
    {
        var policy = RetryPolicy.Parse("busy=90s:1");
        Assert.Equal(
            "busy is tried again after 90 seconds, up to 1 time; any other outcome is final. The rules allow at most 2 calls to a number; max attempts 5 is more than they can use, " +
            "so it only limits the re-dials of calls cut off by Asterisk going down before an answer (at most 5 calls then).",
            RetryExplanation.Describe(policy, 5));
        Assert.Contains("max attempts 2 is the same,", RetryExplanation.Describe(policy, 2), StringComparison.Ordinal);
        // Six calls can only happen with the rules' two (busy, busy) and interrupted ones between.
        Assert.Equal(LeadState.Exhausted, RetryRules.AfterAttempt([CallOutcome.Busy], CallOutcome.Busy, T0, policy, 5).State);
        Assert.Equal(LeadState.WaitingRetry, RetryRules.AfterAttempt([CallOutcome.Busy, CallOutcome.Interrupted], CallOutcome.Interrupted, T0, policy, 5).State);
    }

    [Fact]
    public void One_attempt_with_rules_means_no_retry_at_all()
    {
        var policy = RetryPolicy.Parse("no-answer=1h:2");
        Assert.EndsWith("Max attempts 1 stops a number sooner: at most 1 call in all (the rules alone would allow 3), re-dials of calls cut off by Asterisk going down included.",
            RetryExplanation.Describe(policy, 1), StringComparison.Ordinal);
        Assert.Equal(LeadState.Exhausted, RetryRules.AfterAttempt([], CallOutcome.NoAnswer, T0, policy, 1).State);
    }

    [Fact]
    public void Days_read_as_days()
    {
        Assert.StartsWith("congestion is tried again after 2 days, up to 1 time;", RetryExplanation.Describe(RetryPolicy.Parse("congestion=2d:1"), 3), StringComparison.Ordinal);
    }
}
