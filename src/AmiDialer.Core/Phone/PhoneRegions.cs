using PhoneNumbers;

namespace AmiDialer.Core.Phone;

/// <summary>
/// The region codes numbers without a country code can be read in: the ones libphonenumber has metadata for.
/// Checked where a region is given (option, setting, form field) so a typo is refused there, not deep in an import.
/// </summary>
public static class PhoneRegions
{
    private static readonly HashSet<string> Supported = new(PhoneNumberUtil.GetInstance().GetSupportedRegions(), StringComparer.OrdinalIgnoreCase);

    public static bool IsSupported(string? region) => !string.IsNullOrWhiteSpace(region) && Supported.Contains(region.Trim());

    /// <summary>Null when <paramref name="region"/> is supported, else why not (without the value's name).</summary>
    public static string? Check(string? region) =>
        IsSupported(region) ? null
        : $"'{region}' is not a region libphonenumber knows; use an ISO 3166 code such as US, GB or FR";
}
