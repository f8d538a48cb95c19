using System.Buffers;
using System.Text;
using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Protocol;

public sealed class AmiParserTests
{
    [Theory]
    [InlineData("Response: Success\r\nActionID: a-1\r\nMessage: Authentication accepted\r\n\r\n", "Response=Success|ActionID=a-1|Message=Authentication accepted")]
    [InlineData("Response: Success\nActionID: lf-only\nPing: Pong\n\n", "Response=Success|ActionID=lf-only|Ping=Pong")]
    [InlineData("Response: Success\r\nActionID: mixed\nPing: Pong\r\n\n", "Response=Success|ActionID=mixed|Ping=Pong")]
    [InlineData("Event: VarSet\r\nValue: a:b: c\r\n\r\n", "Event=VarSet|Value=a:b: c")]
    [InlineData("Output: \r\nOutput:x\r\nOutput:   y z \r\n\r\n", "Output=|Output=x|Output=y z ")]
    [InlineData("Event: Status\r\nVariable: CAMPAIGN=7\r\nVariable: LEADID=L-1\r\nVariable: CAMPAIGN=8\r\n\r\n", "Event=Status|Variable=CAMPAIGN=7|Variable=LEADID=L-1|Variable=CAMPAIGN=8")]
    [InlineData("Message: Invalid/unknown command: NoSuchAction. Use Action: ListCommands\r\n\r\n", "Message=Invalid/unknown command: NoSuchAction. Use Action: ListCommands")]
    [InlineData("CallerIDName: Jos\u00e9 \u00c5ngstr\u00f6m \u2603\r\n\r\n", "CallerIDName=Jos\u00e9 \u00c5ngstr\u00f6m \u2603")]
    [InlineData("Line-000003-000012: same=n,Wait(60)\r\n\r\n", "Line-000003-000012=same=n,Wait(60)")]
    public void Parses_wire_text(string wire, string expected)
    {
        var frames = ChunkedParse.All(wire);
        Assert.Equal(["M|" + expected], FrameText.Of(frames));
    }

    [Fact]
    public void Banner_is_one_line_without_a_blank_line_after_it()
    {
        var frames = ChunkedParse.All("Asterisk Call Manager/13.0.0\r\nResponse: Success\r\nActionID: login-1\r\n\r\n");
        Assert.Equal(["B|Asterisk Call Manager/13.0.0", "M|Response=Success|ActionID=login-1"], FrameText.Of(frames));
    }

    [Fact]
    public void A_stray_blank_line_is_an_empty_message()
    {
        var frames = ChunkedParse.All("\r\nPing: Pong\r\n\r\n");
        Assert.Equal(["M|", "M|Ping=Pong"], FrameText.Of(frames));
    }

    [Fact]
    public void Keys_are_case_insensitive_and_keep_wire_spelling()
    {
        var message = ChunkedParse.All("response: Success\r\nACTIONID: x-9\r\n\r\n")[0].Message!;
        Assert.Equal("Success", message["Response"]);
        Assert.Equal("x-9", message.ActionId);
        Assert.Equal("ACTIONID", message[1].Key);
        Assert.True(message.IsResponse);
        Assert.True(message.IsSuccess);
    }

    [Fact]
    public void Event_header_wins_over_response_header()
    {
        var message = ChunkedParse.All("Event: OriginateResponse\r\nPrivilege: call,all\r\nActionID: o-1\r\nResponse: Failure\r\nReason: 5\r\n\r\n")[0].Message!;
        Assert.True(message.IsEvent);
        Assert.False(message.IsResponse);
        Assert.Equal("OriginateResponse", message.EventName);
        Assert.Equal("Failure", message.Response);
        Assert.Equal(5, message.Reason);
        Assert.Equal("o-1", message.ActionId);
    }

    [Fact]
    public void Repeated_keys_are_kept_in_order()
    {
        var message = ChunkedParse.All("Response: Success\r\nOutput: one\r\nMessage: x\r\nOutput: \r\nOutput: three\r\n\r\n")[0].Message!;
        Assert.Equal(["one", "", "three"], message.Output);
        Assert.Equal("one", message["output"]);
    }

    [Theory]
    [InlineData("Asterisk Call Manager/13.0.0\r\n")]
    [InlineData("Response: Success\r\nActionID: a-1\r\nMessage: Authentication accepted\r\n\r\n")]
    [InlineData("Event: Hangup\nCause: 16\nCause-txt: Normal Clearing\n\n")]
    [InlineData("CallerIDName: Jos\u00e9 \u2603\r\n\r\n")]
    public void Every_prefix_of_a_frame_is_incomplete_and_consumes_nothing(string wire)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        for (var length = 0; length < bytes.Length; length++)
        {
            var parser = new AmiParser();
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.False(parser.TryParse(ref reader, out _), $"prefix of {length} bytes");
            Assert.Equal(0, reader.Consumed);
        }

        var whole = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(new AmiParser().TryParse(ref whole, out var frame));
        Assert.NotEqual(AmiFrameKind.Malformed, frame.Kind);
        Assert.Equal(bytes.Length, whole.Consumed);
    }

    [Fact]
    public void A_multibyte_character_split_across_reads_survives()
    {
        var bytes = Encoding.UTF8.GetBytes("CallerIDName: \u2603\u00e9\r\n\r\n");
        var snowman = Array.IndexOf(bytes, (byte)0xE2);
        for (var split = snowman + 1; split < snowman + 5; split++)
        {
            var feed = new ChunkedParse();
            feed.Feed(bytes[..split]);
            Assert.Empty(feed.Frames);
            feed.Feed(bytes[split..]);
            Assert.Equal("\u2603\u00e9", Assert.Single(feed.Frames).Message!["CallerIDName"]);
        }
    }

    [Theory]
    [InlineData("Response: Success\r\nthis line has no colon\r\nMessage: x\r\n\r\n")]
    [InlineData("Response: Success\r\n: empty key\r\n\r\n")]
    public void A_malformed_frame_is_reported_and_the_next_one_survives(string bad)
    {
        var frames = ChunkedParse.All(bad + "Response: Success\r\nActionID: next\r\n\r\n");
        Assert.Equal(2, frames.Count);
        Assert.Equal(AmiFrameKind.Malformed, frames[0].Kind);
        Assert.DoesNotContain("colon", frames[0].Error!, StringComparison.Ordinal); // the line's text is never echoed
        Assert.Equal("next", frames[1].Message!.ActionId);
    }

    [Fact]
    public void An_over_long_line_is_reported_once_and_skipped_across_reads()
    {
        var limits = new AmiParserLimits { MaxLineBytes = 64, MaxHeaders = 8, MaxFrameBytes = 1024 };
        var bytes = Encoding.ASCII.GetBytes("Response: Success\r\nOutput: " + new string('x', 500) + "\r\nMore: y\r\n\r\nPing: Pong\r\n\r\n");
        foreach (var chunk in new[] { 1, 3, 7, 64, 10_000 })
        {
            var feed = new ChunkedParse(new AmiParser(limits));
            feed.Feed(bytes, Enumerable.Repeat(chunk, bytes.Length));
            Assert.Equal(2, feed.Frames.Count);
            Assert.Equal(AmiFrameKind.Malformed, feed.Frames[0].Kind);
            Assert.Contains("longer than 64", feed.Frames[0].Error!, StringComparison.Ordinal);
            Assert.Equal("Pong", feed.Frames[1].Message!["Ping"]);
            Assert.Equal(0, feed.Buffered);
        }
    }

    [Fact]
    public void An_endless_frame_does_not_grow_the_buffer_beyond_the_limit()
    {
        var limits = new AmiParserLimits { MaxLineBytes = 100, MaxHeaders = 10, MaxFrameBytes = 400 };
        var feed = new ChunkedParse(new AmiParser(limits));
        var line = Encoding.ASCII.GetBytes("Key: value\r\n");
        for (var i = 0; i < 10_000; i++)
        {
            feed.Feed(line);
            Assert.True(feed.Buffered <= 400);
        }

        Assert.Equal(AmiFrameKind.Malformed, Assert.Single(feed.Frames).Kind);
        Assert.Contains("more than 10 headers", feed.Frames[0].Error!, StringComparison.Ordinal);
        feed.Feed(Encoding.ASCII.GetBytes("\r\nPing: Pong\r\n\r\n"));
        Assert.Equal("Pong", feed.Frames[^1].Message!["Ping"]);
    }

    [Fact]
    public void Too_many_headers_in_a_complete_frame_are_reported()
    {
        var limits = new AmiParserLimits { MaxHeaders = 3 };
        var feed = new ChunkedParse(new AmiParser(limits));
        feed.Feed(Encoding.ASCII.GetBytes("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"));
        Assert.Equal(["E|frame has more than 3 headers; frame skipped", "M|A=1|B=2|C=3"], FrameText.Of(feed.Frames));
    }

    [Theory]
    [InlineData("a1-login-ping-logoff.raw", false)]
    [InlineData("g2-coreshowchannels-status.raw", false)]
    [InlineData("g2-coreshowchannels-status.raw", true)]
    [InlineData("d0-originate-answered.raw", true)]
    public void Framing_only_finds_the_same_boundaries_as_the_parser(string capture, bool bareLf)
    {
        var bytes = File.ReadAllBytes(AmiDialer.Testing.RepoPaths.Capture(capture));
        if (bareLf)
        {
            bytes = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal));
        }

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var lengths = new List<long>();
        while (AmiParser.TryReadFrame(ref reader, out var frame))
        {
            lengths.Add(frame.Length);
        }

        Assert.Equal(bytes.Length, reader.Consumed);
        var parsed = new List<long>();
        var parseReader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var parser = new AmiParser();
        var before = 0L;
        while (parser.TryParse(ref parseReader, out var parsedFrame))
        {
            Assert.NotEqual(AmiFrameKind.Malformed, parsedFrame.Kind);
            parsed.Add(parseReader.Consumed - before);
            before = parseReader.Consumed;
        }

        Assert.Equal(parsed, lengths);
    }
}
