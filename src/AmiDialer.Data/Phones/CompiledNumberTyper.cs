using System.Text.RegularExpressions;
using PhoneNumbers;

namespace AmiDialer.Data.Phones;

/// <summary>
/// libphonenumber's number typing for one region's metadata (its GetNumberTypeHelper: the general pattern, then each
/// type in the library's order), with the metadata's patterns compiled once. The library interprets a dozen patterns
/// per number, which was half the cost of normalising a US number at import (about 0.75 of 1.1 us warm, more while the
/// JIT warms up). Only used after it has agreed with the library on probe numbers; the verdict is the library's.
/// </summary>
internal sealed class CompiledNumberTyper
{
    private readonly Desc general;
    private readonly (Desc Desc, PhoneNumberType Type)[] special;
    private readonly Desc fixedLine;
    private readonly Desc mobile;
    private readonly bool sameMobileAndFixedLine;

    private CompiledNumberTyper(PhoneMetadata metadata)
    {
        general = new Desc(metadata.GeneralDesc);
        special =
        [
            (new Desc(metadata.PremiumRate), PhoneNumberType.PREMIUM_RATE),
            (new Desc(metadata.TollFree), PhoneNumberType.TOLL_FREE),
            (new Desc(metadata.SharedCost), PhoneNumberType.SHARED_COST),
            (new Desc(metadata.Voip), PhoneNumberType.VOIP),
            (new Desc(metadata.PersonalNumber), PhoneNumberType.PERSONAL_NUMBER),
            (new Desc(metadata.Pager), PhoneNumberType.PAGER),
            (new Desc(metadata.Uan), PhoneNumberType.UAN),
            (new Desc(metadata.Voicemail), PhoneNumberType.VOICEMAIL),
        ];
        fixedLine = new Desc(metadata.FixedLine);
        mobile = new Desc(metadata.Mobile);
        sameMobileAndFixedLine = metadata.SameMobileAndFixedLinePattern;
    }

    /// <summary>A typer for the metadata, or null when it does not type every probe exactly as <paramref name="reference"/> does.</summary>
    public static CompiledNumberTyper? Create(PhoneMetadata? metadata, IEnumerable<string> probes, Func<string, PhoneNumberType> reference)
    {
        if (metadata is null || !metadata.GeneralDesc.HasNationalNumberPattern)
        {
            return null;
        }

        var typer = new CompiledNumberTyper(metadata);
        return probes.All(p => typer.TypeOf(p) == reference(p)) ? typer : null;
    }

    /// <param name="nationalNumber">The national significant number, digits only.</param>
    public PhoneNumberType TypeOf(ReadOnlySpan<char> nationalNumber)
    {
        if (!general.Matches(nationalNumber))
        {
            return PhoneNumberType.UNKNOWN;
        }

        foreach (var (desc, type) in special)
        {
            if (desc.Matches(nationalNumber))
            {
                return type;
            }
        }

        if (fixedLine.Matches(nationalNumber))
        {
            return sameMobileAndFixedLine || mobile.Matches(nationalNumber) ? PhoneNumberType.FIXED_LINE_OR_MOBILE : PhoneNumberType.FIXED_LINE;
        }

        return !sameMobileAndFixedLine && mobile.Matches(nationalNumber) ? PhoneNumberType.MOBILE : PhoneNumberType.UNKNOWN;
    }

    /// <summary>One type's description: its possible lengths (checked first, as the library does) and its whole-number pattern.</summary>
    private sealed class Desc(PhoneNumberDesc desc)
    {
        private readonly HashSet<int> lengths = [.. desc.PossibleLengthList];

        // A type with no pattern has no numbers: an empty pattern matches only the empty string.
        private readonly Regex pattern = new(@"\A(?:" + desc.NationalNumberPattern + @")\z", RegexOptions.Compiled | RegexOptions.CultureInvariant);

        public bool Matches(ReadOnlySpan<char> number) => (lengths.Count == 0 || lengths.Contains(number.Length)) && pattern.IsMatch(number);
    }
}
