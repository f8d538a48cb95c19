using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using PhoneNumbers;

namespace AmiDialer.Data.Phones;

public enum PhoneRejection
{
    NoNumber,
    NotANumber,
    TooShort,
    TooLong,
    InvalidCountryCode,
    InvalidForRegion,
    HasExtension,
}

/// <summary>A normalised number, or why it is not one.</summary>
public readonly record struct PhoneCheck(string? E164, IReadOnlyList<string> TimeZones, PhoneRejection? Rejection, string? Message)
{
    public bool IsValid => E164 is not null;
}

/// <summary>
/// Raw text to E.164 with libphonenumber, plus the number's possible IANA zones. Thread-safe. Plain North American
/// numbers (the bulk of a US list) skip libphonenumber's regex-heavy parser: their digits are taken directly, then
/// validated by libphonenumber's own metadata, so the verdict is the same; anything unusual goes the full way.
/// </summary>
public sealed class PhoneNormalizer
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
    private static readonly PhoneNumberToTimeZonesMapper ZoneMapper = PhoneNumberToTimeZonesMapper.GetInstance();

    // GetNumberType first finds the number's region by trying each region of the country code in turn, typing the
    // number against each, and then types it again: two passes of a dozen regexes for a US number. For +1 the US
    // comes first and has no leading-digits shortcut, so a type found against the US metadata is exactly what
    // GetNumberType returns: one pass instead of two. Checked once; without the private helper, the public API.
    private static readonly PhoneMetadata? NanpMain = NanpShortcutMetadata();

    // The same typing with the US patterns compiled, once it has typed probes across every area code as the library does.
    private static readonly CompiledNumberTyper? NanpTyper = NanpMain is { } main
        ? CompiledNumberTyper.Create(main, NanpProbes(), n => TypeAgainst(Util, n, main))
        : null;

    // Many numbers share a handful of zone lists: one array per list, shared by every normaliser (a few hundred at most).
    private static readonly ConcurrentDictionary<string, string[]> ZoneLists = new(StringComparer.Ordinal);

    // The zones of a geographical number from the library's map without the library's strings per number.
    private static readonly ZonePrefixMap? Zones = ZonePrefixMap.Create(Intern, ZoneProbes());
    private readonly int defaultCountryCode;

    public PhoneNormalizer(string defaultRegion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultRegion);
        DefaultRegion = defaultRegion.Trim().ToUpperInvariant();
        defaultCountryCode = Util.GetCountryCodeForRegion(DefaultRegion);
        if (defaultCountryCode == 0)
        {
            throw new ArgumentException($"'{defaultRegion}' is not a region libphonenumber knows (use an ISO 3166 code such as US, GB, FR).", nameof(defaultRegion));
        }
    }

    public string DefaultRegion { get; }

    /// <summary>Whether US numbers are typed in one pass (see <see cref="NanpMain"/>); false after a library change that breaks it.</summary>
    internal static bool UsesNanpShortcut => NanpMain is not null;

    /// <summary>Whether the US patterns are compiled (see <see cref="NanpTyper"/>); false after a library change it does not follow.</summary>
    internal static bool UsesCompiledNanpTyper => NanpTyper is not null;

    /// <summary>Whether zones come from <see cref="ZonePrefixMap"/>; false after a library change it does not follow.</summary>
    internal static bool UsesZonePrefixMap => Zones is not null;

    public PhoneCheck Normalize(string? raw)
    {
        var text = (raw ?? "").Trim();
        // A spreadsheet-safe export puts a ' before cells such as +1...; the user re-uploading it meant the number.
        if (text.StartsWith('\''))
        {
            text = text[1..].Trim();
        }

        if (text.Length == 0)
        {
            return Reject(PhoneRejection.NoNumber, "no number");
        }

        Span<char> digits = stackalloc char[16];
        if (TryFastNanp(text, digits, out var start))
        {
            // Nothing is allocated for the number but its E.164 text unless the library must see it (another +1 region).
            var national = digits.Slice(start, 10);
            PhoneNumber? number = null;
            var type = NanpType(national);
            if (type == PhoneNumberType.UNKNOWN)
            {
                number = NanpNumber(national);
                type = Util.GetNumberType(number);
            }

            if (type != PhoneNumberType.UNKNOWN)
            {
                return AcceptNanp(national, type, number);
            }
        }

        return NormalizeSlow(text);
    }

    private PhoneCheck NormalizeSlow(string text)
    {
        PhoneNumber number;
        try
        {
            number = Util.Parse(text, DefaultRegion);
        }
        catch (NumberParseException e)
        {
            return e.ErrorType switch
            {
                ErrorType.TOO_SHORT_NSN or ErrorType.TOO_SHORT_AFTER_IDD => Reject(PhoneRejection.TooShort, "too short"),
                ErrorType.TOO_LONG => Reject(PhoneRejection.TooLong, "too long"),
                ErrorType.INVALID_COUNTRY_CODE => Reject(PhoneRejection.InvalidCountryCode, "invalid country code"),
                _ => Reject(PhoneRejection.NotANumber, "not a number"),
            };
        }

        if (number.HasExtension)
        {
            return Reject(PhoneRejection.HasExtension, "has an extension, which cannot be dialed");
        }

        var region = Util.GetRegionCodeForCountryCode(number.CountryCode);
        switch (Util.IsPossibleNumberWithReason(number))
        {
            case PhoneNumberUtil.ValidationResult.TOO_SHORT:
                return Reject(PhoneRejection.TooShort, "too short");
            case PhoneNumberUtil.ValidationResult.TOO_LONG:
                return Reject(PhoneRejection.TooLong, "too long");
            case PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE:
                return Reject(PhoneRejection.InvalidCountryCode, "invalid country code");
        }

        var type = Util.GetNumberType(number);
        if (type == PhoneNumberType.UNKNOWN)
        {
            var where = number.CountryCode == defaultCountryCode ? DefaultRegion : region;
            return Reject(PhoneRejection.InvalidForRegion, $"invalid for region {where}");
        }

        return Accept(number, type);
    }

    /// <param name="nationalNumber">The national significant number when the caller has it already.</param>
    private static PhoneCheck Accept(PhoneNumber number, PhoneNumberType type, string? e164 = null, string? nationalNumber = null)
    {
        string[] zones;
        if (!Util.IsNumberGeographical(type, number.CountryCode))
        {
            zones = Intern(ZoneMapper.GetTimeZonesForNumber(number));
        }
        else if (Zones is { } map)
        {
            zones = map.Lookup(number.CountryCode, nationalNumber ?? Util.GetNationalSignificantNumber(number));
        }
        else
        {
            zones = Intern(ZoneMapper.GetTimeZonesForGeographicalNumber(number));
        }

        return new PhoneCheck(e164 ?? Util.Format(number, PhoneNumberFormat.E164), zones, null, null);
    }

    // Empty when the library cannot tell; the library's unknown zone is never stored.
    private static string[] Intern(IList<string> zones)
    {
        if (zones.Count == 0 || (zones.Count == 1 && zones[0] == ZoneMapper.GetUnknownTimeZone()))
        {
            return [];
        }

        var key = zones.Count == 1 ? zones[0] : string.Join('|', zones);
        return ZoneLists.GetOrAdd(key, static (_, list) => [.. list], zones);
    }

    /// <summary>The US probes and a few numbers elsewhere, whose zones the prefix map must find as the library does.</summary>
    private static IEnumerable<PhoneNumber> ZoneProbes()
    {
        foreach (var national in NanpProbes())
        {
            yield return new PhoneNumber.Builder().SetCountryCode(1).SetNationalNumber(ulong.Parse(national, CultureInfo.InvariantCulture)).Build();
        }

        // An Italian number keeps its leading zero in the national number, which the prefix must keep too.
        foreach (var e164 in new[] { "+442079460958", "+33142685300", "+61212345678", "+4930123456", "+390612345678", "+74951234567", "+551123456789" })
        {
            yield return Util.Parse(e164, null);
        }
    }

    /// <summary>A valid +1 number: its zones and its E.164 text, which is what Format(E164) writes for +1 (the country code and the ten digits).</summary>
    private static PhoneCheck AcceptNanp(ReadOnlySpan<char> national, PhoneNumberType type, PhoneNumber? number)
    {
        string[] zones;
        if (Util.IsNumberGeographical(type, 1) && Zones is { } map)
        {
            zones = map.Lookup(1, national);
        }
        else
        {
            return Accept(number ?? NanpNumber(national), type, "+1" + national.ToString());
        }

        Span<char> e164 = stackalloc char[12];
        e164[0] = '+';
        e164[1] = '1';
        national.CopyTo(e164[2..]);
        return new PhoneCheck(new string(e164), zones, null, null);
    }

    private static PhoneNumber NanpNumber(ReadOnlySpan<char> national) =>
        new PhoneNumber.Builder().SetCountryCode(1).SetNationalNumber(ulong.Parse(national, provider: CultureInfo.InvariantCulture)).Build();

    /// <summary>
    /// +1 and ten digits, or (default region in +1) ten digits or 1 and ten, written with only digits, spaces and
    /// ()-./ : exactly what libphonenumber would read as that country code and national number.
    /// </summary>
    /// <param name="digits">At least 16 chars: receives the digits.</param>
    /// <param name="start">Where the ten digits of the national number start in <paramref name="digits"/>.</param>
    private bool TryFastNanp(string text, Span<char> digits, out int start)
    {
        start = 0;
        var count = 0;
        var plus = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '0' and <= '9')
            {
                if (count == digits.Length)
                {
                    return false;
                }

                digits[count++] = c;
            }
            else if (c == '+' && count == 0 && !plus)
            {
                plus = true;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/'))
            {
                return false;
            }
        }

        if (count == 11 && digits[0] == '1' && (plus || defaultCountryCode == 1))
        {
            start = 1;
        }
        else if (count == 10 && !plus && defaultCountryCode == 1)
        {
            start = 0;
        }
        else
        {
            return false;
        }

        // NANP area codes and exchanges never start with 0 or 1; leave those to the full parser and its reasons.
        return digits[start] is not ('0' or '1');
    }

    private static PhoneNumberType NanpType(ReadOnlySpan<char> national) =>
        NanpTyper?.TypeOf(national) ?? (NanpMain is { } us ? TypeAgainst(Util, national.ToString(), us) : PhoneNumberType.UNKNOWN);

    /// <summary>Every area code, with exchanges and lines that vary with it, plus the special ranges (toll-free, premium, personal).</summary>
    private static IEnumerable<string> NanpProbes()
    {
        for (var npa = 200; npa <= 999; npa++)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{npa}{200 + (npa * 37 % 800)}{npa * 7919 % 10000:0000}");
            yield return string.Create(CultureInfo.InvariantCulture, $"{npa}555{npa % 200:0000}");
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "GetNumberTypeHelper")]
    private static extern PhoneNumberType TypeAgainst(PhoneNumberUtil util, string nationalNumber, PhoneMetadata metadata);

    private static PhoneMetadata? NanpShortcutMetadata()
    {
        var regions = Util.GetRegionCodesForCountryCode(1);
        var us = Util.GetMetadataForRegion("US");
        if (regions.Count == 0 || regions[0] != "US" || us is null || us.HasLeadingDigits)
        {
            return null;
        }

        try
        {
            // A valid New York number must type the same both ways, or the shortcut is not used.
            var probe = new PhoneNumber.Builder().SetCountryCode(1).SetNationalNumber(2125550100).Build();
            return TypeAgainst(Util, "2125550100", us) == Util.GetNumberType(probe) ? us : null;
        }
        catch (MissingMethodException)
        {
            return null;
        }
    }

    private static PhoneCheck Reject(PhoneRejection rejection, string message) => new(null, [], rejection, message);
}
