using System.Buffers.Text;
using System.Text;

namespace AmiDialer.Data.Import;

/// <summary>
/// The numbers a PostgreSQL import knows the campaign has: those it had when the import began and those the import
/// added since. An E.164 number (<c>+</c> and up to 18 digits, the first not 0) is kept as its value (a million take
/// about 20 MB, not the 60 of strings); anything else as its text, so two numbers match exactly when their text does,
/// as in the unique index on (campaign_id, phone).
/// </summary>
internal sealed class ImportPhoneSet
{
    private readonly HashSet<long> numbers = [];
    private HashSet<string>? others;

    public int Count => numbers.Count + (others?.Count ?? 0);

    /// <summary>Room for <paramref name="more"/> numbers beyond those in the set, so the set does not grow by rehashing as they come.</summary>
    public void Reserve(int more) => numbers.EnsureCapacity(numbers.Count + more);

    /// <summary>True when the number was not in the set (it is now).</summary>
    public bool Add(ReadOnlySpan<byte> phone) =>
        Key(phone) is { } key ? numbers.Add(key) : (others ??= new(StringComparer.Ordinal)).Add(Encoding.UTF8.GetString(phone));

    public bool Add(string phone)
    {
        Span<byte> bytes = stackalloc byte[32];
        return Encoding.UTF8.TryGetBytes(phone, bytes, out var length) && Key(bytes[..length]) is { } key
            ? numbers.Add(key)
            : (others ??= new(StringComparer.Ordinal)).Add(phone);
    }

    private static long? Key(ReadOnlySpan<byte> phone)
    {
        if (phone.Length is < 2 or > 19 || phone[0] != (byte)'+' || phone[1] is < (byte)'1' or > (byte)'9')
        {
            return null;
        }

        var digits = phone[1..];
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return null;
            }
        }

        return Utf8Parser.TryParse(digits, out long value, out var consumed) && consumed == digits.Length ? value : null;
    }
}
