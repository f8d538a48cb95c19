using System.Buffers.Binary;
using System.Text;

namespace AmiDialer.Ami;

/// <summary>
/// Turns short UTF-8 byte runs into strings, reusing the previous string when the same bytes come again.
/// AMI repeats the same keys and many values (Privilege, Context, a channel's name in each of its events), so this
/// keeps allocation per message low. Direct-mapped and replaced on collision: bounded memory, no eviction logic.
/// Not thread-safe: one per parser, and a parser belongs to one connection.
/// </summary>
internal sealed class AmiStringCache(int slots, int maxLength)
{
    private readonly string?[] _entries = new string?[slots];
    private readonly int _mask = CheckPowerOfTwo(slots) - 1;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }

        if (utf8.Length > maxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        ref var entry = ref _entries[Hash(utf8) & _mask];
        var cached = entry;
        if (cached is not null && cached.Length == utf8.Length && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var created = Encoding.UTF8.GetString(utf8);
        entry = created;
        return created;
    }

    private static int Hash(ReadOnlySpan<byte> s)
    {
        ulong h = (ulong)s.Length * 0x9E3779B97F4A7C15UL;
        if (s.Length >= 8)
        {
            // First, middle and last eight bytes: channel names and Uniqueids differ near the end, numbers in the middle.
            h ^= BinaryPrimitives.ReadUInt64LittleEndian(s);
            h *= 0xBF58476D1CE4E5B9UL;
            h ^= BinaryPrimitives.ReadUInt64LittleEndian(s.Slice((s.Length - 8) / 2));
            h *= 0x94D049BB133111EBUL;
            h ^= BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(s.Length - 8));
        }
        else
        {
            foreach (var b in s)
            {
                h = (h << 8) | b;
            }
        }

        h *= 0xBF58476D1CE4E5B9UL;
        return (int)(h >> 33);
    }

    private static int CheckPowerOfTwo(int slots) =>
        slots > 0 && (slots & (slots - 1)) == 0 ? slots : throw new ArgumentOutOfRangeException(nameof(slots), "must be a power of two");
}
