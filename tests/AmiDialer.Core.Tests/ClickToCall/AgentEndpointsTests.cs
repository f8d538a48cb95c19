using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Dialing;
using AmiDialer.Core.Phone;

namespace AmiDialer.Core.Tests.ClickToCall;

public sealed class AgentEndpointsTests
{
    private static readonly string[] Allowed = ["PJSIP/1??", "Local/1??@agentphone"]; // the defaults in appsettings.json

    [Theory]
    [InlineData("PJSIP/101")]
    [InlineData("PJSIP/199")]
    [InlineData("Local/101@agentphone")] // the agent leg of captures j0-j8
    public void Allows_endpoints_matching_a_pattern(string endpoint) => Assert.Null(AgentEndpoints.Check(endpoint, Allowed));

    [Theory]
    [InlineData("PJSIP/1000", "matches none")]
    [InlineData("PJSIP/10", "matches none")]
    [InlineData("PJSIP/201", "matches none")]
    [InlineData("pjsip/101", "matches none")]
    [InlineData("SIP/101", "matches none")]
    [InlineData("Local/101@pstn", "matches none")]
    [InlineData("PJSIP/101&PJSIP/999", "'&'")]
    [InlineData("PJSIP/101,30", "','")]
    [InlineData("PJSIP/101\r\n", "CR")]
    [InlineData("", "empty")]
    public void Refuses_other_endpoints(string endpoint, string expected) =>
        Assert.Contains(expected, AgentEndpoints.Check(endpoint, Allowed), StringComparison.Ordinal);

    [Fact]
    public void No_pattern_configured_allows_nothing() =>
        Assert.Contains("none configured", AgentEndpoints.Check("PJSIP/101", []), StringComparison.Ordinal);

    [Theory]
    [InlineData("PJSIP/101", "PJSIP/*", true)]
    [InlineData("PJSIP/", "PJSIP/*", true)]
    [InlineData("PJSIP/a/b", "PJSIP/*", false)] // a star stays inside one segment
    [InlineData("Local/101@agentphone", "Local/*@agentphone", true)]
    [InlineData("Local/1@evil/n@agentphone", "Local/*@agentphone", false)]
    [InlineData("Local/1@agentphone", "Local/?@agentphone", true)]
    [InlineData("Local/@@agentphone", "Local/?@agentphone", false)]
    [InlineData("PJSIP/101", "*/101", true)]
    [InlineData("PJSIP/101", "PJSIP/1*1", true)]
    [InlineData("PJSIP/1011", "PJSIP/1*1", true)]
    [InlineData("PJSIP/102", "PJSIP/1*1", false)]
    [InlineData("PJSIP/101", "**", false)]
    [InlineData("PJSIP/101", "PJSIP/101", true)]
    public void Glob_semantics(string text, string pattern, bool expected) => Assert.Equal(expected, AgentEndpoints.GlobMatches(text, pattern));

    [Fact]
    public void Destination_writes_the_number_with_the_extension_template()
    {
        var number = new PhoneNumberInfo("+14158137442", "14158137442", "4158137442");
        Assert.Equal(new("outbound", "4158137442", 1), ClickToCallRules.Destination("outbound", NumberTemplate.Parse("{national}"), number)); // as in j2
        Assert.Equal(new("outbound", "+14158137442", 1), ClickToCallRules.Destination("outbound", NumberTemplate.Parse("{e164}"), number));
        Assert.Equal(new("outbound", "914158137442", 1), ClickToCallRules.Destination("outbound", NumberTemplate.Parse("9{number}"), number));
        Assert.Throws<FormatException>(() => ClickToCallRules.Destination("out bound", NumberTemplate.Parse("{national}"), number));
        Assert.Throws<FormatException>(() => ClickToCallRules.Destination("outbound", NumberTemplate.Parse("{national},1"), number));
    }

    [Fact]
    public void Context_is_the_configured_one_or_an_allowed_one_on_request()
    {
        string[] allowed = ["agents", "ivr", "outbound"];
        Assert.Equal(("outbound", (string?)null), ClickToCallRules.ChooseContext(null, "outbound", allowed));
        Assert.Equal(("ivr", (string?)null), ClickToCallRules.ChooseContext("ivr", "outbound", allowed));
        Assert.Equal(("c2c", (string?)null), ClickToCallRules.ChooseContext("c2c", "c2c", allowed));
        var (context, error) = ClickToCallRules.ChooseContext("from-internal", "outbound", allowed);
        Assert.Null(context);
        Assert.Contains("not in the allowed contexts", error, StringComparison.Ordinal);
        Assert.Contains("context 'out bound'", ClickToCallRules.ChooseContext("out bound", "outbound", allowed).Error, StringComparison.Ordinal);
    }
}
