using AmiDialer.Core.Dialing;

namespace AmiDialer.Core.Tests.Dialing;

public sealed class CallerIdTests
{
    [Theory]
    [InlineData("\"Campaign 7\" <5551234>", "Campaign 7", "5551234", "\"Campaign 7\" <5551234>")] // as sent in d0-d9
    [InlineData("Click to call <+14158137442>", "Click to call", "+14158137442", "\"Click to call\" <+14158137442>")]
    [InlineData("<5551234>", "", "5551234", "<5551234>")]
    [InlineData("  5551234 ", "", "5551234", "<5551234>")]
    [InlineData("\"\" <*99#>", "", "*99#", "<*99#>")]
    public void Parses_the_usual_spellings(string text, string name, string number, string formatted)
    {
        Assert.True(CallerId.TryParse(text, out var id, out var error), error);
        Assert.Equal(new CallerId(name, number), id);
        Assert.Equal(formatted, id.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("\"Name\" <555", "angle brackets")]
    [InlineData("\"Name\" <555> x", "angle brackets")]
    [InlineData("\"Na\"me\" <555>", "'\"'")]
    [InlineData("\"Name\r\nAction: Command\" <555>", "CR")]
    [InlineData("\"Name\" <555-1234>", "digits")]
    [InlineData("\"Name\" <>", "digits")]
    [InlineData("Sales", "digits")]
    public void Refuses_bad_caller_ids_saying_why(string text, string expected)
    {
        Assert.False(CallerId.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
