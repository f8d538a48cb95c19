using System.Text;
using System.Text.Unicode;

namespace AmiDialer.Data.Import;

/// <summary>
/// Settles the encoding on the whole file, not its first 64 KiB: a Windows-1252 file whose first accented byte comes
/// later would otherwise be read as UTF-8 and store U+FFFD for a letter the user wrote.
/// </summary>
public static class EncodingScan
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>
    /// UTF-8 where the bytes are UTF-8, and each byte that is not read as its Windows-1252 letter: for a stream that
    /// cannot be read twice, so no byte the user wrote ever becomes U+FFFD.
    /// </summary>
    public static Encoding Utf8OrWindows1252 { get; } =
        Encoding.GetEncoding("utf-8", EncoderFallback.ReplacementFallback, new Windows1252DecoderFallback());

    /// <summary>
    /// The encoding for the whole stream, given the prefix already read from it (the stream positioned right after).
    /// A UTF-8 guess on an incomplete prefix is checked on the rest: a seekable stream is scanned to its end and put
    /// back where it was; another stream gets <see cref="Utf8OrWindows1252"/>.
    /// </summary>
    public static async Task<Encoding> DetectAsync(Stream stream, ReadOnlyMemory<byte> prefix, bool complete, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var sniffed = CsvSniffer.DetectEncoding(prefix.Span, complete);
        if (complete || sniffed.CodePage != Encoding.UTF8.CodePage || prefix.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return sniffed;
        }

        if (!stream.CanSeek)
        {
            return Utf8OrWindows1252;
        }

        var resume = stream.Position;
        try
        {
            return await IsUtf8ToEndAsync(stream, prefix, cancellationToken).ConfigureAwait(false) ? sniffed : Encoding.GetEncoding(1252);
        }
        finally
        {
            stream.Position = resume;
        }
    }

    private static async Task<bool> IsUtf8ToEndAsync(Stream stream, ReadOnlyMemory<byte> prefix, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkBytes + prefix.Length];
        prefix.CopyTo(buffer);
        var length = prefix.Length;
        while (true)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(length, buffer.Length - length), cancellationToken).ConfigureAwait(false);
            length += n;
            if (n == 0)
            {
                // A sequence cut by the end of the file is not UTF-8 either.
                return Utf8.IsValid(buffer.AsSpan(0, length));
            }

            var whole = CsvSniffer.TrimIncompleteUtf8(buffer.AsSpan(0, length));
            if (!Utf8.IsValid(buffer.AsSpan(0, whole)))
            {
                return false;
            }

            // At most 3 bytes of a sequence cut by the chunk's end go round again.
            buffer.AsSpan(whole, length - whole).CopyTo(buffer);
            length -= whole;
        }
    }

    private sealed class Windows1252DecoderFallback : DecoderFallback
    {
        private static readonly Encoding Windows1252 = CreateWindows1252();

        public override int MaxCharCount => 4;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer();

        private static Encoding CreateWindows1252()
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding(1252);
        }

        private sealed class Buffer : DecoderFallbackBuffer
        {
            private string chars = "";
            private int position;

            public override int Remaining => chars.Length - position;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                chars = Windows1252.GetString(bytesUnknown);
                position = 0;
                return chars.Length > 0;
            }

            public override char GetNextChar() => position < chars.Length ? chars[position++] : '\0';

            public override bool MovePrevious()
            {
                if (position == 0)
                {
                    return false;
                }

                position--;
                return true;
            }

            public override void Reset()
            {
                chars = "";
                position = 0;
            }
        }
    }
}
