using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Tests.ClickToCall;

public sealed class ClickToCallOutcomeTextTests
{
    [Theory]
    [InlineData(CallOutcome.AgentNoAnswer, "5", null, "Agent busy")]
    [InlineData(CallOutcome.AgentNoAnswer, "3", null, "Agent did not answer")]
    [InlineData(CallOutcome.AgentNoAnswer, null, null, "Agent's phone did not answer")]
    [InlineData(CallOutcome.Busy, "4", null, "Customer busy")]
    [InlineData(CallOutcome.NoAnswer, "4", null, "Customer did not answer")]
    [InlineData(CallOutcome.Answered, "4", null, "Customer answered")]
    [InlineData(CallOutcome.Failed, "0", "channel-unavailable", "Failed: the agent's phone or the customer's line")]
    public void Says_whose_leg_the_outcome_was(CallOutcome outcome, string? reason, string? failure, string expected)
    {
        var text = ClickToCallOutcomeText.Describe(outcome, reason, failure);
        Assert.StartsWith(expected, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_outcome_has_words_without_codes_or_configuration_names()
    {
        Assert.Null(ClickToCallOutcomeText.Describe(null, null, null));
        foreach (var outcome in Enum.GetValues<CallOutcome>())
        {
            var text = ClickToCallOutcomeText.Describe(outcome, "5", null)!;
            Assert.DoesNotContain("Dialing:", text, StringComparison.Ordinal);
            Assert.NotEqual(outcome.ToString(), text);
            Assert.EndsWith(".", text, StringComparison.Ordinal);
        }
    }
}
