using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using PhoneNumbers;

// The class is called E164 because libphonenumber already owns the name PhoneNumbers.

namespace AmiDialer.Core.Phone;

/// <summary>
/// A thin E.164 helper over libphonenumber. Its metadata is embedded in the library, so nothing here touches disk or network.
/// </summary>
public static class E164
{
    /// <summary>libphonenumber's answer when it cannot tell a number's zone.</summary>
    public const string UnknownZone = "Etc/Unknown";

    /// <summary>libphonenumber's region for a country code it does not know.</summary>
    private const string NoRegion = "ZZ";

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>
    /// Reads a number as a person wrote it (<c>(415) 555-0123</c>, <c>+44 20 7946 0958</c>); numbers without a country
    /// code are read in <paramref name="defaultRegion"/>. Only numbers libphonenumber considers valid are accepted,
    /// so a typo is caught at import instead of becoming a failed call.
    /// </summary>
    public static bool TryParse(string? text, string defaultRegion, [NotNullWhen(true)] out PhoneNumberInfo? number, out string? error)
    {
        number = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the phone number is empty";
            return false;
        }

        PhoneNumber parsed;
        try
        {
            parsed = Util.Parse(text, defaultRegion.ToUpperInvariant());
        }
        catch (NumberParseException ex)
        {
            error = $"'{text}' is not a phone number ({ex.ErrorType})";
            return false;
        }

        if (!Util.IsValidNumber(parsed))
        {
            error = $"'{text}' is not a valid phone number for its region";
            return false;
        }

        number = ToInfo(parsed);
        return true;
    }

    /// <summary>
    /// Splits a stored E.164 number (already validated at import) into its spellings. Throws
    /// <see cref="FormatException"/> if <paramref name="e164"/> is not <c>+</c> followed by 2 to 15 digits, or
    /// starts with no country code.
    /// </summary>
    public static PhoneNumberInfo Split(string e164)
    {
        if (!IsE164(e164))
        {
            throw new FormatException($"'{e164}' is not an E.164 number (+ and 2 to 15 digits).");
        }

        // A stored number is canonical (libphonenumber formatted it at import): +, the country code, then the national
        // significant number. Country codes are prefix-free, so the first one to three digits that name one are it.
        // The dialer splits a number for every call, and a full parse was most of that call's work on the number.
        for (var length = 1; length <= 3; length++)
        {
            var code = int.Parse(e164.AsSpan(1, length), NumberStyles.None, CultureInfo.InvariantCulture);
            if (Util.GetRegionCodeForCountryCode(code) != NoRegion)
            {
                var national = e164[(1 + length)..];
                return national.Length >= 2
                    ? new PhoneNumberInfo(e164, e164[1..], national)
                    : throw new FormatException($"'{e164}' is not an E.164 number (too short after its country code {code}).");
            }
        }

        throw new FormatException($"'{e164}' is not an E.164 number (no country code).");
    }

    /// <summary>The IANA zones the number may be in; empty when libphonenumber cannot tell.</summary>
    public static IReadOnlyList<string> TimeZonesOf(string e164)
    {
        PhoneNumber parsed;
        try
        {
            parsed = Util.Parse(e164, null);
        }
        catch (NumberParseException)
        {
            return [];
        }

        return PhoneNumberToTimeZonesMapper.GetInstance().GetTimeZonesForNumber(parsed)
            .Where(z => z != UnknownZone)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    public static bool IsE164(string? text) =>
        text is { Length: >= 3 and <= 16 } && text[0] == '+' && text.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;

    private static PhoneNumberInfo ToInfo(PhoneNumber parsed)
    {
        // No region: finding it tests the number against every region sharing its country code (25 for +1),
        // and the dialer splits a number for every call it places.
        var e164 = Util.Format(parsed, PhoneNumberFormat.E164);
        return new PhoneNumberInfo(e164, e164[1..], Util.GetNationalSignificantNumber(parsed));
    }
}
