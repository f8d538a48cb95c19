using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AmiDialer.Ami;

/// <summary>Where the bytes that structure a header line (':' and '\n') are in a 32-byte block, as bit masks.</summary>
internal static class AmiByteMarks
{
    public const int BlockSize = 32;

    /// <summary>
    /// Bit i is set when byte i of the block is ':' or '\n'; <paramref name="newlines"/> has only the '\n' bits.
    /// The block must hold at least <see cref="BlockSize"/> bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Find(ReadOnlySpan<byte> block, out uint newlines) =>
        Vector256.IsHardwareAccelerated ? FindWide(block, out newlines) : FindNarrow(block, out newlines);

    /// <summary>One 256-bit compare per byte value (AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint FindWide(ReadOnlySpan<byte> block, out uint newlines)
    {
        var bytes = Vector256.Create(block[..BlockSize]);
        newlines = Vector256.ExtractMostSignificantBits(Vector256.Equals(bytes, Vector256.Create((byte)'\n')));
        return newlines | Vector256.ExtractMostSignificantBits(Vector256.Equals(bytes, Vector256.Create((byte)':')));
    }

    /// <summary>Two 128-bit halves, for hardware without 256-bit vectors (SSE2, NEON).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint FindNarrow(ReadOnlySpan<byte> block, out uint newlines)
    {
        ref var start = ref MemoryMarshal.GetReference(block[..BlockSize]);
        var low = Vector128.LoadUnsafe(ref start);
        var high = Vector128.LoadUnsafe(ref start, 16);
        var lf = Vector128.Create((byte)'\n');
        var colon = Vector128.Create((byte)':');
        newlines = Vector128.ExtractMostSignificantBits(Vector128.Equals(low, lf))
            | (Vector128.ExtractMostSignificantBits(Vector128.Equals(high, lf)) << 16);
        return newlines | Vector128.ExtractMostSignificantBits(Vector128.Equals(low, colon))
            | (Vector128.ExtractMostSignificantBits(Vector128.Equals(high, colon)) << 16);
    }
}
