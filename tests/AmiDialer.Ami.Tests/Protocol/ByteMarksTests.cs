using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Protocol;

/// <summary>Both vector widths mark exactly the ':' and '\n' bytes (only one of them runs in the parser on a given CPU).</summary>
public sealed class ByteMarksTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Marks_agree_with_a_byte_by_byte_scan(int seed)
    {
        var random = new Random(seed);
        var block = new byte[AmiByteMarks.BlockSize];
        for (var round = 0; round < 2000; round++)
        {
            foreach (ref var b in block.AsSpan())
            {
                // Mostly structure bytes and their neighbours, so every bit position sees both.
                b = random.Next(4) switch { 0 => (byte)':', 1 => (byte)'\n', 2 => (byte)random.Next(9, 60), _ => (byte)random.Next(256) };
            }

            uint expectedNewlines = 0;
            uint expectedMarks = 0;
            for (var i = 0; i < block.Length; i++)
            {
                expectedNewlines |= block[i] == (byte)'\n' ? 1u << i : 0;
                expectedMarks |= block[i] is (byte)'\n' or (byte)':' ? 1u << i : 0;
            }

            Assert.Equal(expectedMarks, AmiByteMarks.FindWide(block, out var wideNewlines));
            Assert.Equal(expectedNewlines, wideNewlines);
            Assert.Equal(expectedMarks, AmiByteMarks.FindNarrow(block, out var narrowNewlines));
            Assert.Equal(expectedNewlines, narrowNewlines);
        }
    }
}
