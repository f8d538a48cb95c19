using System.Buffers;
using System.Text;
using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Protocol;

/// <summary>A parsed message keeps its frame's bytes and decodes values when asked: it must not depend on the input.</summary>
public sealed class ParsedMessageTests
{
    [Fact]
    public void Values_survive_the_read_buffer_being_reused()
    {
        var wire = Encoding.UTF8.GetBytes("Event: Hangup\r\nChannel: Local/100@x-0001;1\r\nCause-txt: Normal Clearing\r\n\r\n");
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(wire));
        Assert.True(new AmiParser().TryParse(ref reader, out var frame));

        // What a pipe does with its segment once the reader has advanced past it.
        wire.AsSpan().Fill((byte)'#');

        var message = frame.Message!;
        Assert.Equal("Hangup", message.EventName);
        Assert.Equal("Local/100@x-0001;1", message.Channel);
        Assert.Equal("Normal Clearing", message.CauseText);
        Assert.Equal("Channel", message[1].Key);
    }

    [Fact]
    public void Keys_match_as_ascii_ignoring_case_like_asterisk()
    {
        var message = Parse("eVeNt: Newchannel\r\nUNIQUEID: 17.1\r\nK\u0131y: dotless\r\n\r\n");
        Assert.Equal("Newchannel", message.EventName);
        Assert.Equal("17.1", message.Uniqueid);

        // A non-ASCII key is kept and readable by its exact spelling, but never equals an ASCII key.
        Assert.Null(message["KIY"]);
        Assert.Equal("K\u0131y", message[2].Key);
        Assert.Equal("dotless", message[2].Value);
    }

    [Fact]
    public void A_value_read_from_many_threads_is_the_same_text()
    {
        var message = Parse("Event: VarSet\r\nValue: J\u00f6rg \u2603 a:b\r\n\r\n");
        var seen = new string?[64];
        Parallel.For(0, seen.Length, i => seen[i] = message.Value);
        Assert.All(seen, v => Assert.Equal("J\u00f6rg \u2603 a:b", v));
    }

    [Fact]
    public void Repeated_keys_read_one_by_one_and_all_together_agree()
    {
        var message = Parse("Response: Follows\r\nOutput: one\r\nOutput: two: 2\r\noutput: three\r\n\r\n");
        Assert.Equal(["one", "two: 2", "three"], message.Output);
        Assert.Equal("one", message["OUTPUT"]);
        Assert.Equal(["Response", "Output", "Output", "output"], message.Select(h => h.Key));
        Assert.Equal(message.AsSpan().ToArray(), Enumerable.Range(0, message.Count).Select(i => message[i]).ToArray());
    }

    [Fact]
    public void Values_read_in_one_pass_are_what_each_key_read_alone_gives()
    {
        const string wire = "Event: Hangup\r\nchannel: PJSIP/a-1\r\nUniqueid: 17.1\r\nLinkedid: 17.1\r\nUniqueid: 99.9\r\n"
            + "Cause: 16\r\nCause-txt: \r\nCAUSE-TXT: later\r\nDestLinkedid: 17.2\r\n\r\n";
        var keys = new AmiHeaderKeys("Uniqueid", "Linkedid", "Channel", "Cause-txt", "Cause", "DestChannel", "DestLinkedid", "Event");
        var parsed = Parse(wire);
        var built = new AmiMessage(parsed.AsSpan().ToArray());
        foreach (var message in new[] { parsed, built })
        {
            var values = new string?[keys.Count + 1];
            values[^1] = "untouched";
            message.GetValues(keys, values);

            Assert.Equal(keys.Keys.Select(k => message.Get(k)), values[..^1]);
            Assert.Equal(new string?[] { "17.1", "17.1", "PJSIP/a-1", "", "16", null, "17.2", "Hangup" }, values[..^1]);
            Assert.Equal("untouched", values[^1]);
        }
    }

    [Fact]
    public void A_key_set_refuses_keys_that_differ_only_by_case_and_too_few_places_for_values()
    {
        Assert.Throws<ArgumentException>(() => new AmiHeaderKeys("Channel", "CHANNEL"));
        Assert.Throws<ArgumentException>(() => new AmiHeaderKeys("Channel", ""));
        Assert.Throws<ArgumentException>(() => Parse("Event: X\r\n\r\n").GetValues(new AmiHeaderKeys("A", "B"), new string?[1]));
    }

    private static AmiMessage Parse(string wire)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)));
        Assert.True(new AmiParser().TryParse(ref reader, out var frame));
        return frame.Message!;
    }
}
