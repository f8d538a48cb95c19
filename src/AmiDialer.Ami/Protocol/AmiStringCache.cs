using System.Buffers.Binary;
using System.Text;

namespace AmiDialer.Ami;

/// <summary>
/// Header keys as strings without allocating: AMI uses a few hundred distinct keys, so they go in an open-addressed
/// table that is filled once and never evicts (a direct-mapped cache thrashed on collisions and cost 2.5x).
/// Not thread-safe: one per parser.
/// </summary>
internal sealed class AmiKeyTable(int slots = 1024, int maxLength = 64)
{
    private readonly Entry[] _entries = new Entry[CheckPowerOfTwo(slots)];
    private readonly int _mask = slots - 1;
    private int _count;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        var i = AmiBytesHash.Of(utf8) & _mask;
        while (true)
        {
            ref var entry = ref _entries[i];
            if (entry.Bytes is null)
            {
                break;
            }

            if (utf8.SequenceEqual(entry.Bytes))
            {
                return entry.Value;
            }

            i = (i + 1) & _mask;
        }

        var created = Encoding.UTF8.GetString(utf8);

        // Stop adding at 3/4 full, so a peer sending endless made-up keys costs allocations, never memory or probes.
        if (_count < slots / 4 * 3 && utf8.Length <= maxLength)
        {
            _entries[i] = new Entry(utf8.ToArray(), created);
            _count++;
        }

        return created;
    }

    internal static int CheckPowerOfTwo(int slots) =>
        slots > 0 && (slots & (slots - 1)) == 0 ? slots : throw new ArgumentOutOfRangeException(nameof(slots), "must be a power of two");

    private readonly record struct Entry(byte[]? Bytes, string Value);
}

/// <summary>
/// Short header values as strings, reusing the previous string when the same bytes come again (Privilege, Context,
/// a channel's name in each of its events), which keeps allocation per message low. Direct-mapped, replaced on
/// collision: bounded memory. Not thread-safe: one per parser.
/// </summary>
internal sealed class AmiValueCache(int slots = 4096, int maxLength = 48)
{
    private readonly Entry[] _entries = new Entry[AmiKeyTable.CheckPowerOfTwo(slots)];
    private readonly int _mask = slots - 1;

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

        ref var entry = ref _entries[AmiBytesHash.Of(utf8) & _mask];
        if (entry.Bytes is { } bytes && utf8.SequenceEqual(bytes))
        {
            return entry.Value;
        }

        var created = Encoding.UTF8.GetString(utf8);
        entry = new Entry(utf8.ToArray(), created);
        return created;
    }

    private readonly record struct Entry(byte[]? Bytes, string Value);
}

internal static class AmiBytesHash
{
    /// <summary>Cheap: first and last eight bytes and the length (keys and values differ at their ends or lengths).</summary>
    public static int Of(ReadOnlySpan<byte> s)
    {
        ulong h;
        if (s.Length >= 8)
        {
            h = BinaryPrimitives.ReadUInt64LittleEndian(s) ^ (BinaryPrimitives.ReadUInt64LittleEndian(s[^8..]) * 31);
        }
        else if (s.Length >= 4)
        {
            h = BinaryPrimitives.ReadUInt32LittleEndian(s) ^ ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(s[^4..]) << 29);
        }
        else if (s.Length > 0)
        {
            h = ((ulong)s[0] << 8) | s[^1];
        }
        else
        {
            h = 0;
        }

        h = (h + (ulong)s.Length) * 0x9E3779B97F4A7C15UL;
        return (int)(h >> 40);
    }
}
