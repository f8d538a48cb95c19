using AmiDialer.Core.Dialing;
using AmiDialer.Core.Phone;

namespace AmiDialer.Core.Tests.Dialing;

public sealed class NumberTemplateTests
{
    private static readonly PhoneNumberInfo Number = new("+14155550123", "14155550123", "4155550123");

    [Theory]
    [InlineData("PJSIP/{number}@trunk", "PJSIP/14155550123@trunk")]
    [InlineData("Local/{national}@outbound", "Local/4155550123@outbound")]
    [InlineData("SIP/trunk/{e164}", "SIP/trunk/+14155550123")]
    [InlineData("{national}", "4155550123")]
    [InlineData("9{national}x{number}", "94155550123x14155550123")]
    public void Fills_every_placeholder(string template, string expected) =>
        Assert.Equal(expected, NumberTemplate.Parse(template).Render(Number));

    [Theory]
    [InlineData("PJSIP/{nationl}@trunk", "unknown placeholder '{nationl}'")]
    [InlineData("PJSIP/{NUMBER}@trunk", "unknown placeholder '{NUMBER}'")]
    [InlineData("PJSIP/{number@trunk", "never closed")]
    [InlineData("PJSIP/number}@trunk", "closes no placeholder")]
    [InlineData("PJSIP/5551234@trunk", "no {e164}, {number} or {national}")]
    [InlineData("", "empty")]
    public void Refuses_bad_templates_naming_the_bad_part(string template, string expected)
    {
        Assert.False(NumberTemplate.TryParse(template, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => NumberTemplate.Parse(template));
    }
}
