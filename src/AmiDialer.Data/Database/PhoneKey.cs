namespace AmiDialer.Data.Database;

/// <summary>
/// A lead's number as the integer its unique index is built on: the E.164 digits without the <c>+</c>. E.164 allows at
/// most 15 digits and no leading zero, so the integer fits in 64 bits and maps back to exactly one number. Migration
/// step 2 computes the same value in SQL (<c>CAST(substr(phone, 2) AS INTEGER)</c>) for leads stored before it.
/// </summary>
internal static class PhoneKey
{
    public static long FromE164(string e164) =>
        TryFromE164(e164, out var key) ? key : throw new FormatException($"'{e164}' is not an E.164 number (+ and 2 to 15 digits).");

    /// <summary>False for anything that is not E.164 (such a number cannot be stored, so no lead has it).</summary>
    public static bool TryFromE164(string? e164, out long key)
    {
        key = 0;
        return e164 is not null && TryRead(e164.AsSpan(), ref key);
    }

    /// <summary>The same from UTF-8 bytes, as the import's validation threads hand numbers to the writer.</summary>
    public static long FromE164(ReadOnlySpan<byte> e164)
    {
        long key = 0;
        if (e164.Length is < 3 or > 16 || e164[0] != (byte)'+' || e164[1] == (byte)'0')
        {
            throw new FormatException($"'{System.Text.Encoding.UTF8.GetString(e164)}' is not an E.164 number (+ and 2 to 15 digits).");
        }

        foreach (var b in e164[1..])
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                throw new FormatException($"'{System.Text.Encoding.UTF8.GetString(e164)}' is not an E.164 number (+ and 2 to 15 digits).");
            }

            key = (key * 10) + (b - '0');
        }

        return key;
    }

    private static bool TryRead(ReadOnlySpan<char> e164, ref long key)
    {
        if (e164.Length is < 3 or > 16 || e164[0] != '+' || e164[1] == '0')
        {
            return false;
        }

        foreach (var c in e164[1..])
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            key = (key * 10) + (c - '0');
        }

        return true;
    }
}
