using System.Globalization;
using AmiDialer.Data.Phones;
using PhoneNumbers;

namespace AmiDialer.Data.Tests.Phones;

public sealed class PhoneNormalizerTests
{
    private static readonly PhoneNormalizer Us = new("US");

    [Theory]
    [InlineData("(212) 555-0100", "+12125550100")]
    [InlineData("212.555.0100", "+12125550100")]
    [InlineData("1-212-555-0100", "+12125550100")]
    [InlineData("+1 (907) 555-0109", "+19075550109")]
    [InlineData("  2125550100  ", "+12125550100")]
    [InlineData("'+13035550111", "+13035550111")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    [InlineData("+1 416 555 0100", "+14165550100")]
    [InlineData("800-555-0100", "+18005550100")]
    [InlineData("011 44 20 7946 0958", "+442079460958")]
    public void Valid_numbers_become_e164(string raw, string e164)
    {
        var check = Us.Normalize(raw);
        Assert.True(check.IsValid, check.Message);
        Assert.Equal(e164, check.E164);
    }

    [Theory]
    [InlineData("", PhoneRejection.NoNumber, "no number")]
    [InlineData("   ", PhoneRejection.NoNumber, "no number")]
    [InlineData("not a number", PhoneRejection.NotANumber, "not a number")]
    [InlineData("=1+2", PhoneRejection.NotANumber, "not a number")]
    [InlineData("12345", PhoneRejection.TooShort, "too short")]
    [InlineData("2125550100123456789", PhoneRejection.TooLong, "too long")]
    [InlineData("(999) 555-0104", PhoneRejection.InvalidForRegion, "invalid for region US")]
    [InlineData("(112) 555-0104", PhoneRejection.InvalidForRegion, "invalid for region US")]
    [InlineData("+999 1234 5678", PhoneRejection.InvalidCountryCode, "invalid country code")]
    [InlineData("212-555-0100 ext. 12", PhoneRejection.HasExtension, "has an extension, which cannot be dialed")]
    public void Invalid_numbers_say_why(string raw, PhoneRejection rejection, string message)
    {
        var check = Us.Normalize(raw);
        Assert.False(check.IsValid);
        Assert.Equal(rejection, check.Rejection);
        Assert.Equal(message, check.Message);
    }

    [Fact]
    public void Zones_come_from_libphonenumber_and_several_are_kept()
    {
        Assert.Equal(["America/Adak", "America/Anchorage"], Us.Normalize("907 555 0109").TimeZones);
        Assert.Equal(["Pacific/Honolulu"], Us.Normalize("808 555 0108").TimeZones);
        Assert.NotEmpty(Us.Normalize("800-555-0100").TimeZones);
    }

    [Fact]
    public void The_fast_path_agrees_with_libphonenumber_on_every_format_and_area_code()
    {
        var util = PhoneNumberUtil.GetInstance();
        var zones = PhoneNumberToTimeZonesMapper.GetInstance();
        var random = new Random(5);
        var checkedCount = 0;
        for (var i = 0; i < 20000; i++)
        {
            var npa = random.Next(100, 1000);
            var nxx = random.Next(0, 1000);
            var line = random.Next(0, 10000);
            var raw = (i % 4) switch
            {
                0 => $"({npa:000}) {nxx:000}-{line:0000}",
                1 => $"1-{npa:000}-{nxx:000}-{line:0000}",
                2 => $"+1 {npa:000} {nxx:000} {line:0000}",
                _ => $"{npa:000}{nxx:000}{line:0000}",
            };
            string? expected = null;
            IList<string> expectedZones = [];
            try
            {
                var parsed = util.Parse(raw, "US");
                expected = util.IsValidNumber(parsed) ? util.Format(parsed, PhoneNumberFormat.E164) : null;
                expectedZones = zones.GetTimeZonesForNumber(parsed).Where(z => z != zones.GetUnknownTimeZone()).ToList();
            }
            catch (NumberParseException)
            {
            }

            var check = Us.Normalize(raw);
            Assert.Equal(expected, check.E164);
            if (expected is not null)
            {
                // The zones depend on the number's type (geographic or not), which the fast path finds its own way.
                Assert.Equal(expectedZones, check.TimeZones);
            }

            checkedCount += expected is null ? 0 : 1;
        }

        Assert.True(checkedCount > 5000, $"only {checkedCount} valid numbers generated");
        Assert.True(PhoneNormalizer.UsesNanpShortcut, "libphonenumber changed: US numbers are typed twice again (slower, still correct)");
        Assert.True(PhoneNormalizer.UsesCompiledNanpTyper, "libphonenumber changed: US patterns are interpreted again (slower, still correct)");
        Assert.True(PhoneNormalizer.UsesZonePrefixMap, "libphonenumber changed: zones are looked up the library's way again (slower, still correct)");
    }

    [Fact]
    public void The_zone_prefix_map_finds_the_zones_libphonenumber_finds_in_every_region()
    {
        var util = PhoneNumberUtil.GetInstance();
        var mapper = PhoneNumberToTimeZonesMapper.GetInstance();
        string[] Plain(IList<string> zones) => zones.Count == 1 && zones[0] == mapper.GetUnknownTimeZone() ? [] : [.. zones];
        var map = ZonePrefixMap.Create(Plain, [])!;
        Assert.NotNull(map);
        var random = new Random(17);
        var compared = 0;
        foreach (var region in util.GetSupportedRegions())
        {
            var code = util.GetCountryCodeForRegion(region);
            var examples = new[] { PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE }
                .Select(t => util.GetExampleNumberForType(region, t)).Where(n => n is not null).ToList();
            foreach (var example in examples)
            {
                // The example, then numbers that keep its first digits and vary the rest (the map's keys are prefixes).
                var national = util.GetNationalSignificantNumber(example);
                for (var i = 0; i < 40; i++)
                {
                    var keep = Math.Min(national.Length, i % 8);
                    var digits = i == 0 ? national : national[..keep] + string.Concat(Enumerable.Range(0, national.Length - keep).Select(_ => (char)('0' + random.Next(10))));
                    PhoneNumber number;
                    try
                    {
                        number = util.Parse("+" + code.ToString(CultureInfo.InvariantCulture) + digits, null);
                    }
                    catch (NumberParseException)
                    {
                        continue;
                    }

                    var expected = Plain(mapper.GetTimeZonesForGeographicalNumber(number));
                    var found = map.Lookup(number.CountryCode, util.GetNationalSignificantNumber(number));
                    Assert.True(expected.SequenceEqual(found), $"{region} {digits}: [{string.Join(", ", found)}], library [{string.Join(", ", expected)}]");
                    compared++;
                }
            }
        }

        for (var npa = 200; npa <= 999; npa++)
        {
            for (var k = 0; k < 25; k++)
            {
                var national = string.Create(CultureInfo.InvariantCulture, $"{npa}{random.Next(200, 1000)}{random.Next(0, 10000):0000}");
                var number = new PhoneNumber.Builder().SetCountryCode(1).SetNationalNumber(ulong.Parse(national, CultureInfo.InvariantCulture)).Build();
                Assert.Equal(Plain(mapper.GetTimeZonesForGeographicalNumber(number)), map.Lookup(1, national));
                compared++;
            }
        }

        Assert.True(compared > 20000, $"only {compared} numbers compared");
    }

    [Theory]
    [InlineData("+1 999 555 0100", "invalid for region US")] // written as E.164, but no such area code
    [InlineData("+12125550100", null)]
    [InlineData("+1 212 155 0100", "invalid for region US")] // an exchange cannot start with 1
    [InlineData("+1 (212) 555-0100", null)]
    [InlineData("+1 800 555 0100", null)]
    [InlineData("+1 212 555 01000", "too long")]
    [InlineData("+1 212 555 010", "too short")]
    [InlineData("+44 20 7946 095", "invalid for region GB")]
    [InlineData("+1 204 555 0100", null)] // Canada: +1 but not the US, so the library types it
    public void Numbers_that_look_e164_get_the_verdict_libphonenumber_gives(string raw, string? message)
    {
        var util = PhoneNumberUtil.GetInstance();
        var mapper = PhoneNumberToTimeZonesMapper.GetInstance();
        var check = Us.Normalize(raw);
        Assert.Equal(message, check.Message);
        var parsed = util.Parse(raw, "US");
        Assert.Equal(message is null, util.IsValidNumber(parsed));
        if (message is null)
        {
            Assert.Equal(util.Format(parsed, PhoneNumberFormat.E164), check.E164);
            Assert.Equal(mapper.GetTimeZonesForNumber(parsed).Where(z => z != mapper.GetUnknownTimeZone()), check.TimeZones);
        }
    }

    [Fact]
    public void The_compiled_us_typer_types_every_number_as_libphonenumber_does()
    {
        var util = PhoneNumberUtil.GetInstance();
        var us = util.GetMetadataForRegion("US");
        var typer = CompiledNumberTyper.Create(us, [], _ => PhoneNumberType.UNKNOWN)!;
        var random = new Random(11);
        var typed = new HashSet<PhoneNumberType>();
        for (var i = 0; i < 50000; i++)
        {
            var national = (ulong)random.NextInt64(2_000_000_000, 10_000_000_000);
            var number = new PhoneNumber.Builder().SetCountryCode(1).SetNationalNumber(national).Build();
            var type = typer.TypeOf(national.ToString(CultureInfo.InvariantCulture));
            var expected = util.GetRegionCodeForNumber(number) == "US" ? util.GetNumberType(number) : PhoneNumberType.UNKNOWN;

            // Against the US metadata a number of another +1 region types as unknown, and the library is asked instead.
            Assert.True(type == expected, $"{national}: {type}, library {expected}");
            typed.Add(type);
        }

        Assert.Contains(PhoneNumberType.FIXED_LINE_OR_MOBILE, typed);
        Assert.Contains(PhoneNumberType.TOLL_FREE, typed);
        Assert.Contains(PhoneNumberType.UNKNOWN, typed);
    }

    [Fact]
    public void A_typer_that_disagrees_with_the_library_on_a_probe_is_not_used()
    {
        var us = PhoneNumberUtil.GetInstance().GetMetadataForRegion("US");
        Assert.NotNull(CompiledNumberTyper.Create(us, ["2125550100"], _ => PhoneNumberType.FIXED_LINE_OR_MOBILE));
        Assert.Null(CompiledNumberTyper.Create(us, ["2125550100"], _ => PhoneNumberType.MOBILE));
    }

    [Fact]
    public void An_unknown_region_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new PhoneNormalizer("XX"));
    }
}
