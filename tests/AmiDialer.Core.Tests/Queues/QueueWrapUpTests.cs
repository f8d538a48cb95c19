using AmiDialer.Core.Queues;

namespace AmiDialer.Core.Tests.Queues;

/// <summary>A queue's wrapuptime as GetConfig shows queues.conf's category (<c>name=value</c> lines, k4's form).</summary>
public sealed class QueueWrapUpTests
{
    [Fact]
    public void The_last_wrapuptime_line_of_the_category_counts_and_none_is_asterisks_default_of_0()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), QueueWrapUp.FromConfigLines(["strategy=rrmemory", "timeout=15", "wrapuptime=2", "member=Local/201@agentphone,0,Agent 201"]));
        Assert.Equal(TimeSpan.FromSeconds(30), QueueWrapUp.FromConfigLines(["wrapuptime=2", " WrapUpTime = 30 "]));
        Assert.Equal(TimeSpan.Zero, QueueWrapUp.FromConfigLines(["strategy=ringall"]));
    }

    [Theory]
    [InlineData("wrapuptime=-1")]
    [InlineData("wrapuptime=two")]
    [InlineData("wrapuptime=1.5")]
    public void A_value_app_queue_would_not_take_is_not_understood(string line)
    {
        Assert.Null(QueueWrapUp.FromConfigLines([line]));
    }

    [Fact]
    public void Each_source_says_where_the_time_came_from()
    {
        Assert.Equal("2 s from queues.conf", new QueueWrapUp(TimeSpan.FromSeconds(2), QueueWrapUpSource.QueuesConf).Describe("sales"));
        Assert.Equal("5 s from Dialing:QueueWrapUp:sales", new QueueWrapUp(TimeSpan.FromSeconds(5), QueueWrapUpSource.Option).Describe("sales"));
        Assert.StartsWith("unknown (0 s", QueueWrapUp.Unknown.Describe("sales"), StringComparison.Ordinal);
    }
}
