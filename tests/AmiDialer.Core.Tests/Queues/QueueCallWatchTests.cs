using AmiDialer.Core.Queues;

namespace AmiDialer.Core.Tests.Queues;

public sealed class QueueCallWatchTests
{
    private static readonly DateTimeOffset Answer = new(2026, 12, 7, 1, 1, 20, TimeSpan.Zero);

    [Theory]
    [InlineData(0, "connected")]
    [InlineData(2000, "connected")]
    [InlineData(2001, "late")]
    [InlineData(16004, "late")]
    public void The_2_s_rule_is_measured_from_the_answer_to_AgentConnect(int waitMs, string fate)
    {
        var watch = new QueueCallWatch(Answer);
        Assert.True(watch.AgentConnected("Agent 201", Answer + TimeSpan.FromMilliseconds(waitMs)));
        Assert.Equal(fate, watch.Fate!.Value.ToWireName());
        Assert.Equal(fate != "connected", watch.Fate.Value.IsAbandoned());
        Assert.Equal(TimeSpan.FromMilliseconds(waitMs), watch.Wait);
    }

    [Fact]
    public void Past_2_s_without_an_agent_it_is_late_at_once_and_a_later_agent_changes_the_wait_not_the_fate()
    {
        var watch = new QueueCallWatch(Answer);
        Assert.False(watch.Check(Answer + TimeSpan.FromSeconds(2)));
        Assert.Null(watch.Fate);
        Assert.True(watch.Check(Answer + TimeSpan.FromSeconds(2.001)));
        Assert.Equal(QueueCallFate.Late, watch.Fate);
        Assert.False(watch.AgentConnected("Agent 201", Answer + TimeSpan.FromSeconds(16)));
        Assert.Equal(("Agent 201", TimeSpan.FromSeconds(16), QueueCallFate.Late), (watch.Agent, watch.Wait, watch.Fate));
    }

    [Fact]
    public void A_caller_who_leaves_first_is_caller_left_and_a_lost_link_is_unknown_both_abandoned()
    {
        var left = new QueueCallWatch(Answer);
        Assert.True(left.CallerLeft());
        Assert.Equal(QueueCallFate.CallerLeft, left.Fate);

        var lost = new QueueCallWatch(Answer);
        Assert.True(lost.Lost());
        Assert.Equal(QueueCallFate.Unknown, lost.Fate);
        Assert.True(lost.Fate!.Value.IsAbandoned());
        Assert.False(lost.CallerLeft());
        Assert.Equal(QueueCallFate.Unknown, lost.Fate);
    }

    [Fact]
    public void An_AgentConnect_read_before_the_answer_is_a_zero_wait()
    {
        var watch = new QueueCallWatch(Answer);
        watch.AgentConnected("Agent 202", Answer - TimeSpan.FromMilliseconds(1));
        Assert.Equal((TimeSpan.Zero, QueueCallFate.Connected), (watch.Wait, watch.Fate));
    }

    [Fact]
    public void Fates_round_trip_their_stored_names()
    {
        foreach (var fate in Enum.GetValues<QueueCallFate>())
        {
            Assert.Equal(fate, QueueCallFates.FromWireName(fate.ToWireName()));
        }

        Assert.Null(QueueCallFates.FromWireName("answered"));
    }
}
