using AmiDialer.Core.Doctor;
using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;

namespace AmiDialer.Core.Tests.Doctor;

/// <summary>Whether a queue campaign's destination runs its queue, judged from ShowDialPlan's priorities.</summary>
public sealed class QueueDestinationTests
{
    private static readonly QueueUse Sales = new("sales", new DialplanPlace("queue", "sales", 1), ["campaign 'c'"]);

    [Fact]
    public void Queue_with_options_is_that_queue()
    {
        var check = QueueDestination.Check(Sales, [("Answer", ""), ("Playback", "identify"), ("Queue", "sales,r"), ("Hangup", "")]);
        Assert.Equal(CheckLevel.Ok, check.Level);
        Assert.Equal("queue sales at queue,sales,1", check.Check);
    }

    [Fact]
    public void Another_queue_or_none_fails_blocking()
    {
        var other = QueueDestination.Check(Sales, [("Queue", "support")]);
        Assert.Equal((CheckLevel.Fail, true), (other.Level, other.Blocking));
        Assert.Contains("runs Queue(support), not Queue(sales)", other.Detail, StringComparison.Ordinal);

        var none = QueueDestination.Check(Sales, [("Playback", "hello"), ("Hangup", "")]);
        Assert.Equal((CheckLevel.Fail, true), (none.Level, none.Blocking));
        Assert.Contains("runs no Queue()", none.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_jump_the_doctor_cannot_follow_is_a_warning()
    {
        var check = QueueDestination.Check(Sales, [("Gosub", "identify,s,1"), ("Goto", "queues,sales,1")]);
        Assert.Equal(CheckLevel.Warn, check.Level);
        Assert.Contains("unverified", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Needs_list_each_queue_campaigns_landing_place_and_skip_campaigns_without_a_queue()
    {
        var needs = DoctorNeeds.From(
        [
            new Campaign { Name = "a", Queue = "sales", Pacing = PacingMode.Progressive, Destination = new DialplanTarget("queue", "sales", 1) },
            new Campaign { Name = "b", Queue = "sales", Destination = new DialplanTarget("ivr", "s", 1), OnAnswerRedirect = new DialplanTarget("queue", "sales", 1) },
            new Campaign { Name = "c", Destination = new DialplanTarget("agents", "100", 1) },
        ]);
        var use = Assert.Single(needs.Queues);
        Assert.Equal(("sales", "queue,sales,1"), (use.Queue, use.Destination.ToString()));
        Assert.Equal(["campaign 'a'", "campaign 'b'"], use.UsedBy);
    }
}
