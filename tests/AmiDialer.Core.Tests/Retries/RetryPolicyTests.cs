using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;

namespace AmiDialer.Core.Tests.Retries;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Parses_outcome_delay_and_retries()
    {
        var policy = RetryPolicy.Parse("busy=5m:3, no-answer=1h:2,congestion=90s:1,failed=2d:4");
        Assert.Equal(
            [
                new RetryRule(CallOutcome.Busy, TimeSpan.FromMinutes(5), 3),
                new RetryRule(CallOutcome.NoAnswer, TimeSpan.FromHours(1), 2),
                new RetryRule(CallOutcome.Congestion, TimeSpan.FromSeconds(90), 1),
                new RetryRule(CallOutcome.Failed, TimeSpan.FromDays(2), 4),
            ],
            policy.Rules);
        Assert.Equal("busy=5m:3,no-answer=1h:2,congestion=90s:1,failed=2d:4", policy.ToString());
        Assert.Equal(policy.Rules, RetryPolicy.Parse(policy.ToString()).Rules);
        Assert.Null(policy.RuleFor(CallOutcome.Rejected));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void Empty_text_retries_nothing(string? text) => Assert.Empty(RetryPolicy.Parse(text).Rules);

    [Theory]
    [InlineData("busy=5m:3,bussy=5m:3", "entry 2 'bussy=5m:3': unknown outcome 'bussy'")]
    [InlineData("busy=5x:3", "entry 1 'busy=5x:3': delay '5x'")]
    [InlineData("busy=m:3", "delay 'm'")]
    [InlineData("busy=-5m:3", "delay '-5m'")]
    [InlineData("busy=5m:0", "retries '0'")]
    [InlineData("busy=5m:three", "retries 'three'")]
    [InlineData("busy=5m:101", "retries '101'")]
    [InlineData("busy=400d:1", "longer than 365 days")]
    [InlineData("busy:5m=3", "must look like outcome=delay:retries")]
    [InlineData("busy=5m", "must look like outcome=delay:retries")]
    [InlineData("busy=5m:3,,no-answer=1h:1", "entry 2 '': must look like")]
    [InlineData("busy=5m:3,busy=1h:1", "'busy' is listed twice")]
    [InlineData("answered=1h:1", "answered is final")]
    [InlineData("interrupted=1m:1", "interrupted attempts are always retried")]
    [InlineData("unknown=1h:1", "unknown is final and never retried automatically; requeue such leads with: amidialer campaign requeue <name> --outcome unknown")]
    [InlineData("busy=5m:3,not-sent=1m:5", "entry 2 'not-sent=1m:5': not-sent attempts (the Originate never reached Asterisk) are always due again at once")]
    public void Errors_name_the_bad_part(string text, string expected)
    {
        Assert.False(RetryPolicy.TryParse(text, out var policy, out var error));
        Assert.Null(policy);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains(expected, Assert.Throws<FormatException>(() => RetryPolicy.Parse(text)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Outcome_names_are_case_insensitive_wire_names() =>
        Assert.Equal(CallOutcome.InvalidNumber, RetryPolicy.Parse("Invalid-Number=1d:1").Rules[0].Outcome);
}
