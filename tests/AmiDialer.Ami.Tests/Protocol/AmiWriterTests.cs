using System.Buffers;
using System.Text;
using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Protocol;

public sealed class AmiWriterTests
{
    [Fact]
    public void Action_is_written_as_crlf_lines_with_one_variable_header_per_variable()
    {
        var action = new AmiAction("Originate")
            .Add("Channel", "Local/5550001@pstn")
            .Add("Async", "true")
            .AddVariable("CAMPAIGN", "7")
            .AddVariable("LEADID", "L-1,with,commas=and equals");
        var text = Encoding.UTF8.GetString(action.ToBytes("p-1"));
        Assert.Equal(
            "Action: Originate\r\nActionID: p-1\r\nChannel: Local/5550001@pstn\r\nAsync: true\r\nVariable: CAMPAIGN=7\r\nVariable: LEADID=L-1,with,commas=and equals\r\n\r\n",
            text);
    }

    [Theory]
    [InlineData("5551234\r\nAction: Hangup")]
    [InlineData("x\nChannel: SIP/evil")]
    [InlineData("x\r")]
    [InlineData("nul\0byte")]
    [InlineData("\r\n\r\nAction: Command\r\nCommand: core stop now\r\n\r\n")]
    public void Control_characters_in_a_value_are_refused_before_anything_is_written(string value)
    {
        Assert.Throws<AmiFormatException>(() => new AmiAction("Originate").Add("CallerID", value));
        Assert.Throws<AmiFormatException>(() => new AmiAction("Originate").AddVariable("LEADID", value));
        Assert.Throws<AmiFormatException>(() => new AmiAction(value));

        var output = new ArrayBufferWriter<byte>();
        var message = new AmiMessage([new("Response", "Success"), new("Message", value)]);
        Assert.Throws<AmiFormatException>(() => AmiWriter.Write(message, output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("Bad\r\nKey")]
    [InlineData("Bad\nKey")]
    [InlineData("Nul\0")]
    [InlineData("Colon:Key")]
    [InlineData("Space Key")]
    [InlineData("")]
    public void Bad_keys_are_refused(string key)
    {
        var ex = Assert.Throws<AmiFormatException>(() => new AmiAction("Ping").Add(key, "v"));
        Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<AmiFormatException>(() => AmiWriter.Write([new("Response", "Success"), new(key, "v")], output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("")]
    [InlineData("A=B")]
    [InlineData("A\r\nB")]
    public void Bad_variable_names_are_refused(string name) =>
        Assert.Throws<AmiFormatException>(() => new AmiAction("Originate").AddVariable(name, "v"));

    [Fact]
    public void Action_and_ActionID_are_reserved_for_the_client()
    {
        Assert.Throws<AmiFormatException>(() => new AmiAction("Ping").Add("ActionID", "mine"));
        Assert.Throws<AmiFormatException>(() => new AmiAction("Ping").Add("action", "Hangup"));
    }

    [Fact]
    public void Line_limit_is_1024_bytes_with_crlf()
    {
        // "Data: " + value + CRLF: 6 + n + 2 bytes.
        var fits = new string('a', 1024 - 8);
        new AmiAction("Originate").Add("Data", fits);
        Assert.Throws<AmiFormatException>(() => new AmiAction("Originate").Add("Data", fits + "a"));

        // Multi-byte characters count as their UTF-8 bytes.
        Assert.Throws<AmiFormatException>(() => new AmiAction("Originate").Add("Data", new string('\u00e9', 509)));
    }

    [Fact]
    public void At_most_128_headers_counting_Action_and_ActionID()
    {
        var action = new AmiAction("Originate");
        for (var i = 0; i < 126; i++)
        {
            action.AddVariable("V" + i, "x");
        }

        Assert.Equal(128, action.ToMessage("id").Count);
        Assert.Throws<AmiFormatException>(() => action.AddVariable("ONE_MORE", "x"));
        var tooMany = Enumerable.Range(0, 129).Select(i => new AmiHeader("H" + i, "v")).ToArray();
        Assert.Throws<AmiFormatException>(() => AmiWriter.ToBytes(tooMany, AmiWriteLimits.Action));
        Assert.Equal(129, Assert.Single(ChunkedParse.All(AmiWriter.ToBytes(tooMany, AmiWriteLimits.Unlimited))).Message!.Count);
    }

    [Fact]
    public void Written_messages_parse_back_to_the_same_headers()
    {
        var message = new AmiMessage(
        [
            new("Event", "OriginateResponse"),
            new("Privilege", "call,all"),
            new("ActionID", "x-1"),
            new("Response", "Success"),
            new("CallerIDName", "Jos\u00e9 \u2603"),
            new("Output", ""),
            new("Variable", "A=b:c"),
            new("Variable", "B=2"),
        ]);
        var frames = ChunkedParse.All(message.ToBytes());
        Assert.Equal(message.ToList(), Assert.Single(frames).Message!.ToList());
    }

    [Fact]
    public void ToString_masks_secrets()
    {
        var login = new AmiAction("Login").Add("Username", "dialer").Add("Secret", "dialerpass");
        Assert.DoesNotContain("dialerpass", login.ToString(), StringComparison.Ordinal);
        var md5 = new AmiAction("Login").Add("AuthType", "MD5").Add("Key", "0123456789abcdef");
        Assert.DoesNotContain("0123456789abcdef", md5.ToString(), StringComparison.Ordinal);
    }
}
