using AmiDialer.Core.Phone;

namespace AmiDialer.Core.Tests.Phone;

public sealed class E164Tests
{
    [Theory]
    [InlineData("(415) 813-7440", "US", "+14158137440", "14158137440", "4158137440")]
    [InlineData("+1 415 813 7440", "GB", "+14158137440", "14158137440", "4158137440")]
    [InlineData("020 7946 0958", "GB", "+442079460958", "442079460958", "2079460958")]
    [InlineData("+33 1 42 68 53 00", "US", "+33142685300", "33142685300", "142685300")]
    [InlineData("(212) 555-0100", "US", "+12125550100", "12125550100", "2125550100")] // campaigns/sample.csv
    [InlineData("415.555.0103", "US", "+14155550103", "14155550103", "4155550103")]
    public void Parses_a_written_number_into_its_three_spellings(string text, string region, string e164, string number, string national)
    {
        Assert.True(E164.TryParse(text, region, out var info, out var error), error);
        Assert.Equal(new PhoneNumberInfo(e164, number, national), info);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("hello", "not a phone number")]
    [InlineData("+1 415 000 0000", "not a valid")]
    public void Refuses_what_is_not_a_valid_number_and_says_why(string text, string expected)
    {
        Assert.False(E164.TryParse(text, "US", out var info, out var error));
        Assert.Null(info);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Italian_national_number_keeps_its_leading_zero()
    {
        var info = E164.Split("+390236618200");
        Assert.Equal("0236618200", info.National);
        Assert.Equal("390236618200", info.Number);
    }

    [Fact]
    public void Split_gives_every_region_s_numbers_the_spellings_a_full_parse_gives()
    {
        var util = PhoneNumbers.PhoneNumberUtil.GetInstance();
        var types = Enum.GetValues<PhoneNumbers.PhoneNumberType>();
        var numbers = util.GetSupportedRegions()
            .SelectMany(region => types.Select(type => util.GetExampleNumberForType(region, type)))
            .Concat(util.GetSupportedGlobalNetworkCallingCodes().Select(util.GetExampleNumberForNonGeoEntity))
            .Where(n => n is not null)
            .ToList();
        Assert.True(numbers.Count > 1000, $"{numbers.Count} example numbers");

        foreach (var parsed in numbers)
        {
            var e164 = util.Format(parsed, PhoneNumbers.PhoneNumberFormat.E164);
            Assert.Equal(new PhoneNumberInfo(e164, e164[1..], util.GetNationalSignificantNumber(parsed)), E164.Split(e164));
        }
    }

    [Theory]
    [InlineData("+999123456")] // no country code starts with 9, 99 or 999
    [InlineData("+441")] // a country code and one digit
    public void Split_refuses_a_number_without_a_country_code_or_a_national_number(string text) => Assert.Throws<FormatException>(() => E164.Split(text));

    [Theory]
    [InlineData("14158137440")]
    [InlineData("+1415813744x")]
    [InlineData("+")]
    [InlineData("+1234567890123456")]
    public void Split_refuses_what_is_not_e164(string text) => Assert.Throws<FormatException>(() => E164.Split(text));

    [Fact]
    public void Time_zones_come_from_libphonenumber_and_unknown_is_empty()
    {
        Assert.Equal(["America/Los_Angeles"], E164.TimeZonesOf("+14158137440"));
        Assert.Contains("America/New_York", E164.TimeZonesOf("+1800555 0199".Replace(" ", "", StringComparison.Ordinal)));
        Assert.Empty(E164.TimeZonesOf("+8821234567")); // international networks: no zone
        Assert.Empty(E164.TimeZonesOf("garbage"));
    }
}
