using PhoneNumbers;

namespace AmiDialer.Data.Phones;

/// <summary>What an operator's search text matches in stored E.164 numbers.</summary>
/// <param name="Prefix">The E.164 number starts with this (a whole number typed, or digits after a +).</param>
/// <param name="Digits">Else the E.164 number contains these digits.</param>
public readonly record struct PhoneSearchTerm(string? Prefix, string? Digits);

/// <summary>
/// Reads a number, or part of one, as an operator types it: a whole number is normalised as the import does (so
/// "(212) 555-0100" finds +12125550100); "+" then digits is a prefix of the E.164 form; other digits are looked for
/// anywhere, after dropping the region's national prefix ("020 79" in GB looks for "2079").
/// </summary>
public static class PhoneSearch
{
    private const string Separators = " -()./";

    public static bool TryParse(string? text, string defaultRegion, out PhoneSearchTerm term, out string? error)
    {
        term = default;
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            error = "Type a number or part of one.";
            return false;
        }

        var digits = new System.Text.StringBuilder(trimmed.Length);
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (!(c == '+' && i == 0) && !Separators.Contains(c, StringComparison.Ordinal))
            {
                error = $"'{trimmed}' is not a number or part of one: use digits, spaces and + ( ) - . only.";
                return false;
            }
        }

        if (digits.Length == 0)
        {
            error = $"'{trimmed}' has no digits.";
            return false;
        }

        if (new PhoneNormalizer(defaultRegion).Normalize(trimmed) is { IsValid: true, E164: { } e164 })
        {
            term = new PhoneSearchTerm(e164, null);
        }
        else if (trimmed.StartsWith('+'))
        {
            term = new PhoneSearchTerm("+" + digits, null);
        }
        else
        {
            var national = PhoneNumberUtil.GetInstance().GetMetadataForRegion(defaultRegion.Trim().ToUpperInvariant())?.NationalPrefix;
            var d = digits.ToString();
            term = new PhoneSearchTerm(null, !string.IsNullOrEmpty(national) && d.Length > national.Length && d.StartsWith(national, StringComparison.Ordinal) ? d[national.Length..] : d);
        }

        error = null;
        return true;
    }
}
