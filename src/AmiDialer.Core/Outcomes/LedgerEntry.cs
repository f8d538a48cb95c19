using System.Globalization;

namespace AmiDialer.Core.Outcomes;

/// <summary>
/// One value of the outcome ledger, as the <c>[amidialer-ledger]</c> hangup handler writes it into AstDB:
/// <c>DIALSTATUS|HANGUPCAUSE|ANSWEREDTIME|EPOCH</c> (k1: <c>ANSWER|16|5|1796...</c>, <c>BUSY|16||...</c>;
/// i4: <c>CHANUNAVAIL|0||...</c> after a restart). ANSWEREDTIME is empty when the call was not answered.
/// </summary>
public sealed record LedgerEntry(string DialStatus, int? Cause, int? AnsweredSeconds, DateTimeOffset? EndedAt)
{
    public static LedgerEntry? TryParse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var parts = value.Split('|');
        var status = parts[0].Trim().ToUpperInvariant();
        if (status.Length == 0)
        {
            return null;
        }

        return new LedgerEntry(
            status,
            Int(parts, 1),
            Int(parts, 2),
            Int(parts, 3) is { } epoch ? DateTimeOffset.FromUnixTimeSeconds(epoch) : null);
    }

    private static int? Int(string[] parts, int index) =>
        parts.Length > index && int.TryParse(parts[index].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
