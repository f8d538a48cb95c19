using AmiDialer.Data.Phones;

namespace AmiDialer.Data.Tests.Phones;

public sealed class PhoneSearchTests
{
    [Theory]
    [InlineData("(212) 555-0100", "US", "+12125550100", null)] // a whole number, normalised as the import does
    [InlineData("212.555.0100", "US", "+12125550100", null)]
    [InlineData("020 7946 0958", "GB", "+442079460958", null)]
    [InlineData("+1 212 555", "US", "+1212555", null)] // + then digits: a prefix of the E.164 form
    [InlineData("+44", "US", "+44", null)]
    [InlineData("555-01", "US", null, "55501")] // part of a number: its digits anywhere
    [InlineData("1 212 555", "US", null, "212555")] // the national prefix (1) dropped
    [InlineData("020 79", "GB", null, "2079")] // the national prefix (0) dropped
    [InlineData("0", "GB", null, "0")] // nothing left once dropped: kept
    public void A_number_or_part_of_one_becomes_a_prefix_or_digits(string text, string region, string? prefix, string? digits)
    {
        Assert.True(PhoneSearch.TryParse(text, region, out var term, out var error), error);
        Assert.Equal(new PhoneSearchTerm(prefix, digits), term);
    }

    [Theory]
    [InlineData("abc", "not a number")]
    [InlineData("212 555 x100", "not a number")]
    [InlineData("1+2", "not a number")]
    [InlineData("+", "no digits")]
    [InlineData("  ", "Type a number")]
    public void Text_that_is_not_a_number_is_refused_with_why(string text, string message)
    {
        Assert.False(PhoneSearch.TryParse(text, "US", out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
