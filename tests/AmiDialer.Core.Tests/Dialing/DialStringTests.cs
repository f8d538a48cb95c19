using AmiDialer.Core.Dialing;
using AmiDialer.Core.Phone;

namespace AmiDialer.Core.Tests.Dialing;

public sealed class DialStringTests
{
    private static readonly PhoneNumberInfo Number = new("+14155550123", "14155550123", "4155550123");

    [Theory]
    [InlineData("PJSIP/{number}@trunk", "PJSIP/14155550123@trunk")]
    [InlineData("Local/{national}@outbound/n", "Local/4155550123@outbound/n")]
    [InlineData("PJSIP/trunk/sip:{e164}@10.0.0.1:5060", "PJSIP/trunk/sip:+14155550123@10.0.0.1:5060")]
    [InlineData("DAHDI/g1/{national}", "DAHDI/g1/4155550123")]
    public void Renders_ordinary_dial_strings(string template, string expected) =>
        Assert.Equal(expected, DialString.Render(NumberTemplate.Parse(template), Number));

    [Theory]
    [InlineData("PJSIP/{number}@trunk&PJSIP/999", "'&'")]
    [InlineData("PJSIP/{number}@trunk,30,U(sub)", "','")]
    [InlineData("PJSIP/{number}@trunk|30", "'|'")]
    [InlineData("Local/{number}@$CTX", "'$'")]
    [InlineData("Local/{number}@${CTX}", "unknown placeholder")]
    [InlineData("PJSIP/{number}@trunk)", "')'")]
    [InlineData("PJSIP/{number}@trunk\r\nAction: Command", "CR")]
    [InlineData("PJSIP/{number}@trunk\n", "LF")]
    [InlineData("PJSIP/{number}\0", "NUL")]
    [InlineData("PJSIP/{number} @trunk", "space")]
    [InlineData("PJSIP/\"{number}\"", "'\"'")]
    [InlineData("{number}@trunk", "Tech/resource")]
    [InlineData("PJSIP/{number}[1]", "'['")]
    public void Refuses_what_could_inject_into_the_dial_or_the_ami_header(string template, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => DialString.Render(NumberTemplate.Parse(template), Number));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PJSIP/101", null)]
    [InlineData("P J/101", "not allowed")]
    [InlineData("PJ-SIP/101", "not a channel technology")]
    [InlineData("1PJSIP/101", "not a channel technology")]
    [InlineData("PJSIP/", "Tech/resource")]
    [InlineData("", "empty")]
    public void Check_explains_the_shape(string dialString, string? expected)
    {
        var error = DialString.Check(dialString);
        if (expected is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
    }
}
