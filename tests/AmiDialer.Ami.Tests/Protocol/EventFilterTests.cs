using System.Text;
using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Protocol;

public sealed class EventFilterTests
{
    private const string Wire =
        "Event: Newexten\r\nChannel: PJSIP/1\r\nLinkedid: c-1\r\n\r\n" +
        "Event: hangup\r\nChannel: PJSIP/1\r\nCause: 16\r\n\r\n" +
        "Event: VarSet\r\nVariable: X\r\nValue: y: z\r\n\r\n" +
        "Response: Success\r\nActionID: a-1\r\n\r\n" +
        "Event: CoreShowChannel\r\nActionID: a-2\r\nChannel: PJSIP/2\r\n\r\n" +
        "Event: OriginateResponse\r\nActionID: a-3\r\nResponse: Failure\r\n\r\n" +
        "\r\n" +
        "Event: Cdr\r\nDisposition: ANSWERED\r\n\r\n";

    private static readonly string[] Kept =
    [
        "M|Event=hangup|Channel=PJSIP/1|Cause=16",
        "M|Response=Success|ActionID=a-1",
        "M|Event=CoreShowChannel|ActionID=a-2|Channel=PJSIP/2",
        "M|Event=OriginateResponse|ActionID=a-3|Response=Failure",
        "M|",
    ];

    [Fact]
    public void Only_named_events_pass_with_responses_and_events_that_answer_an_action()
    {
        var feed = new ChunkedParse(new AmiParser(eventFilter: new AmiEventFilter(["Hangup", "Newchannel"])));
        feed.Feed(Encoding.UTF8.GetBytes(Wire));
        Assert.Equal(Kept, FrameText.Of(feed.Frames));
        Assert.Equal(3, feed.Parser.DroppedEvents);
        Assert.Equal(0, feed.Buffered);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void Frames_split_across_reads_are_filtered_the_same(int chunk)
    {
        var bytes = Encoding.UTF8.GetBytes(Wire);
        var feed = new ChunkedParse(new AmiParser(eventFilter: new AmiEventFilter(["Hangup", "Newchannel"])));
        feed.Feed(bytes, Enumerable.Repeat(chunk, bytes.Length / chunk + 1));
        Assert.Equal(Kept, FrameText.Of(feed.Frames));
        Assert.Equal(0, feed.Buffered);
    }

    [Fact]
    public void No_filter_returns_every_event()
    {
        Assert.Equal(8, ChunkedParse.All(Wire).Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Hang up")]
    [InlineData("Hangup\r\n")]
    public void A_name_that_is_not_an_event_name_is_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => new AmiEventFilter([name]));
        Assert.NotEmpty(new AmiClientOptions { Username = "u", Secret = "s", EventNames = [name] }.Validate());
    }
}
