using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using PhoneNumbers;

namespace AmiDialer.Data.Phones;

/// <summary>
/// libphonenumber's time zones of a geographical number (its <c>GetTimeZonesForGeographicalNumber</c>: the zones of the
/// longest prefix of country code and national number in its map), looked up in the library's own map. The library
/// builds three strings and a list per number and probes its map once per digit from the whole number down (eight
/// probes for a US number whose map keys have at most seven digits); this starts at the longest key that can match and
/// returns one shared array per zone list. Only used after it has agreed with the library on probe numbers.
/// </summary>
internal sealed class ZonePrefixMap
{
    private readonly FrozenDictionary<long, string[]> zones;

    // The longest key by its first digit: a key can only be a prefix of a number that starts with its first digit.
    private readonly int[] longestKey = new int[10];
    private readonly string[] unknown;

    private ZonePrefixMap(FrozenDictionary<long, string[]> libraryMap, Func<IList<string>, string[]> intern)
    {
        zones = libraryMap.ToFrozenDictionary(p => p.Key, p => intern(p.Value));
        unknown = intern([PhoneNumberToTimeZonesMapper.GetInstance().GetUnknownTimeZone()]);
        foreach (var key in libraryMap.Keys)
        {
            var digits = Digits(key);
            var first = (int)(key / Pow10(digits - 1));
            longestKey[first] = Math.Max(longestKey[first], digits);
        }
    }

    /// <summary>
    /// The map, or null when the library's map is not where this expects it or a probe's zones differ from the library's.
    /// </summary>
    /// <param name="intern">Turns a zone list into the normaliser's shared array for it.</param>
    /// <param name="probes">Valid geographical numbers to compare with the library.</param>
    public static ZonePrefixMap? Create(Func<IList<string>, string[]> intern, IEnumerable<PhoneNumber> probes)
    {
        var mapper = PhoneNumberToTimeZonesMapper.GetInstance();
        FrozenDictionary<long, string[]>? map;
        try
        {
            map = LibraryMap(mapper);
        }
        catch (MissingFieldException)
        {
            return null;
        }

        if (map is null || map.Count == 0)
        {
            return null;
        }

        var prefixes = new ZonePrefixMap(map, intern);
        var util = PhoneNumberUtil.GetInstance();
        foreach (var probe in probes)
        {
            var mine = prefixes.Lookup(probe.CountryCode, util.GetNationalSignificantNumber(probe));
            if (!mine.SequenceEqual(intern(mapper.GetTimeZonesForGeographicalNumber(probe))))
            {
                return null;
            }
        }

        return prefixes;
    }

    /// <summary>The zones of the number, as the normaliser's shared array (empty when the library cannot tell).</summary>
    /// <param name="countryCode">The country calling code.</param>
    /// <param name="nationalNumber">The national significant number: digits only, as the library writes it.</param>
    public string[] Lookup(int countryCode, ReadOnlySpan<char> nationalNumber)
    {
        // Country code then national number as one value, cut to the longest key that can match: longer prefixes
        // are not in the map, so the library's probes of them all miss.
        var codeDigits = Digits(countryCode);
        var first = (int)(countryCode / Pow10(codeDigits - 1));
        var wanted = longestKey[first];
        long prefix = countryCode;
        var length = codeDigits;
        if (length > wanted)
        {
            prefix /= Pow10(length - wanted);
            length = wanted;
        }

        foreach (var c in nationalNumber)
        {
            if (length >= wanted)
            {
                break;
            }

            prefix = (prefix * 10) + (c - '0');
            length++;
        }

        while (prefix > 0)
        {
            if (zones.TryGetValue(prefix, out var found))
            {
                return found;
            }

            prefix /= 10;
        }

        return unknown;
    }

    private static int Digits(long value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    private static long Pow10(int exponent)
    {
        var result = 1L;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "map")]
    private static extern ref FrozenDictionary<long, string[]> LibraryMap(PhoneNumberToTimeZonesMapper mapper);
}
