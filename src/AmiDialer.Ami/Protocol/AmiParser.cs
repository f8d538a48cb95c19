using System.Buffers;
using System.Numerics;
using System.Text;

namespace AmiDialer.Ami;

/// <summary>
/// Frames and parses AMI messages from buffered bytes (a pipe's <see cref="ReadOnlySequence{T}"/>).
/// A message is <c>Key: Value</c> lines closed by a blank line; lines end in CRLF or a bare LF.
/// <see cref="TryParse"/> returns false and consumes nothing while a frame is incomplete, so a multi-byte UTF-8
/// character split across reads survives: values are decoded only once the whole message is buffered.
/// A malformed or over-long frame is reported once as <see cref="AmiFrameKind.Malformed"/> and skipped up to its
/// blank line, so the next frame is intact. One parser per connection (it caches strings and remembers a skip).
/// </summary>
public sealed class AmiParser
{
    private const byte Lf = (byte)'\n';
    private const byte Cr = (byte)'\r';
    private const byte Colon = (byte)':';

    private readonly AmiParserLimits _limits;
    private readonly AmiEventFilter? _eventFilter;
    private byte[]? _scratch;
    private AmiParsedHeader[] _headerScratch = new AmiParsedHeader[64];

    // Skipping a bad frame: bytes seen so far of the current (unfinished) line, and its first byte.
    private bool _skipping;
    private long _skipLineLength;
    private byte _skipLineFirst;

    /// <param name="limits">Bounds on what is accepted (default: reading Asterisk).</param>
    /// <param name="eventFilter">Events not named in it are consumed without a frame (null: every event is returned).</param>
    public AmiParser(AmiParserLimits? limits = null, AmiEventFilter? eventFilter = null)
    {
        _limits = limits ?? AmiParserLimits.FromServer;
        _eventFilter = eventFilter;
    }

    private enum ScanResult
    {
        Incomplete,
        Complete,
        Banner,
        TooLong,

        /// <summary>A complete event the filter does not keep: consumed, no frame.</summary>
        Dropped,
    }

    /// <summary>Events consumed without a frame because the filter did not keep them.</summary>
    public long DroppedEvents { get; private set; }

    private static ReadOnlySpan<byte> BannerPrefix => "Asterisk Call Manager"u8;

    public AmiParserLimits Limits => _limits;

    /// <summary>True while the rest of a bad frame is being discarded.</summary>
    public bool IsSkipping => _skipping;

    /// <summary>
    /// Reads the next frame. True with a message, the banner or a malformed-frame report; false when more bytes are
    /// needed (nothing consumed then, except the discarded remains of a frame already reported as malformed).
    /// </summary>
    public bool TryParse(ref SequenceReader<byte> reader, out AmiFrame frame)
    {
        while (true)
        {
            var parsed = TryParseOne(ref reader, out frame, out var dropped);
            if (!dropped)
            {
                return parsed;
            }
        }
    }

    private bool TryParseOne(ref SequenceReader<byte> reader, out AmiFrame frame, out bool dropped)
    {
        dropped = false;
        if (_skipping && !SkipRestOfFrame(ref reader))
        {
            frame = default;
            return false;
        }

        var span = reader.UnreadSpan;
        var result = ParseSpan(span, out var length, out frame);
        if (result == ScanResult.Incomplete)
        {
            string? error;
            if (reader.Remaining > span.Length)
            {
                // The frame straddles segments: find its end across them, copy it, parse the copy.
                result = ScanSegments(reader, out length, out _, out error);
                if (result is ScanResult.Complete or ScanResult.Banner)
                {
                    result = ParseSpan(CopyToScratch(reader, length), out length, out frame);
                }
            }
            else
            {
                result = CheckIncomplete(span, out error);
            }

            if (result == ScanResult.TooLong && error is not null)
            {
                frame = AmiFrame.ForError(error);
            }
        }

        switch (result)
        {
            case ScanResult.Complete:
            case ScanResult.Banner:
                reader.Advance(length);
                return true;
            case ScanResult.Dropped:
                reader.Advance(length);
                DroppedEvents++;
                frame = default;
                dropped = true;
                return false;
            case ScanResult.TooLong:
                // Nothing consumed: the skip starts at the frame's first line and runs to its blank line.
                _skipping = true;
                _skipLineLength = 0;
                return true;
            default:
                frame = default;
                return false;
        }
    }

    /// <summary>
    /// Parses the frame at the start of a contiguous buffer in one pass over its lines. Incomplete when the buffer
    /// ends before the blank line (the work is simply redone on the next read, which is rare: once per read).
    /// A bad line is reported as TooLong, so the caller skips the frame up to its blank line.
    /// </summary>
    private ScanResult ParseSpan(ReadOnlySpan<byte> buffer, out int length, out AmiFrame frame)
    {
        length = 0;
        frame = default;
        if (buffer.IsEmpty)
        {
            return ScanResult.Incomplete;
        }

        var first = buffer[0];
        if (first == Lf || first == Cr)
        {
            if (first == Lf || (buffer.Length > 1 && buffer[1] == Lf))
            {
                length = first == Lf ? 1 : 2;
                frame = AmiFrame.ForMessage(AmiMessage.Empty);
                return ScanResult.Complete;
            }

            if (buffer.Length == 1)
            {
                return ScanResult.Incomplete;
            }
        }
        else if (first == BannerPrefix[0])
        {
            var nl = buffer.IndexOf(Lf);
            if (nl >= 0 && IsBanner(buffer[..nl]))
            {
                length = nl + 1;
                frame = AmiFrame.ForBanner(Encoding.UTF8.GetString(TrimLineEnd(buffer[..length])));
                return ScanResult.Banner;
            }
        }

        return ParseHeaders(buffer, out length, out frame);
    }

    /// <summary>
    /// The headers of a frame that starts at <paramref name="buffer"/>'s first byte, up to its blank line. One
    /// vectorised pass marks every ':' and '\n' in 32-byte blocks; the loop then visits only those marks, instead of
    /// searching each line twice. Keys and values are recorded as offsets: the message decodes what its reader asks for.
    /// </summary>
    private ScanResult ParseHeaders(ReadOnlySpan<byte> buffer, out int length, out AmiFrame frame)
    {
        length = 0;
        frame = default;
        var headers = _headerScratch;
        var count = 0;
        var lineStart = 0;
        var colon = -1;
        var maxLine = _limits.MaxLineBytes;
        Span<byte> tail = stackalloc byte[AmiByteMarks.BlockSize];
        for (var block = 0; block < buffer.Length; block += AmiByteMarks.BlockSize)
        {
            uint marks;
            uint newlines;
            if (block + AmiByteMarks.BlockSize <= buffer.Length)
            {
                marks = AmiByteMarks.Find(buffer[block..], out newlines);
            }
            else
            {
                // The last partial block, padded with zeros (which mark nothing).
                tail.Clear();
                buffer[block..].CopyTo(tail);
                marks = AmiByteMarks.Find(tail, out newlines);
            }

            while (marks != 0)
            {
                var bit = BitOperations.TrailingZeroCount(marks);
                marks &= marks - 1;
                var at = block + bit;
                if ((newlines & (1u << bit)) == 0)
                {
                    // A colon: the first one on a line ends its key; later ones belong to the value.
                    if (colon < 0)
                    {
                        colon = at;
                    }

                    continue;
                }

                var lineEnd = at > lineStart && buffer[at - 1] == Cr ? at - 1 : at;
                if (lineEnd == lineStart)
                {
                    length = at + 1;
                    if (_eventFilter is not null && !Wanted(buffer, headers.AsSpan(0, count)))
                    {
                        return ScanResult.Dropped;
                    }

                    var exact = new AmiParsedHeader[count];
                    Array.Copy(headers, exact, count);
                    frame = AmiFrame.ForMessage(new AmiMessage(buffer[..length].ToArray(), exact));
                    return ScanResult.Complete;
                }

                var error = at + 1 - lineStart > maxLine ? $"a line is longer than {maxLine} bytes; frame skipped"
                    : count == _limits.MaxHeaders ? $"frame has more than {_limits.MaxHeaders} headers; frame skipped"
                    : colon == lineStart ? $"line {count + 1} has an empty key; frame skipped"

                    // Never echo the line: it could hold a secret.
                    : colon < 0 ? $"line {count + 1} has no ':' ({lineEnd - lineStart} bytes); frame skipped"
                    : null;
                if (error is not null)
                {
                    frame = AmiFrame.ForError(error);
                    return ScanResult.TooLong;
                }

                var valueStart = colon + 1;
                while (valueStart < lineEnd && (buffer[valueStart] == (byte)' ' || buffer[valueStart] == (byte)'\t'))
                {
                    valueStart++;
                }

                if (count == headers.Length)
                {
                    Array.Resize(ref _headerScratch, count * 2);
                    headers = _headerScratch;
                }

                headers[count++] = new AmiParsedHeader(lineStart, colon - lineStart, valueStart, lineEnd - valueStart);
                lineStart = at + 1;
                colon = -1;
            }
        }

        return ScanResult.Incomplete;
    }

    /// <summary>Whether the filter keeps this frame: anything but an event, an event it names, or one with an ActionID.</summary>
    private bool Wanted(ReadOnlySpan<byte> frame, ReadOnlySpan<AmiParsedHeader> headers)
    {
        // Keys are compared only when their length matches, and a kept event (its name is usually the first header)
        // is known without looking further: most frames that reach here are kept.
        var eventName = -1;
        for (var i = 0; i < headers.Length; i++)
        {
            var h = headers[i];
            if (h.KeyLength == 5 && Ascii.EqualsIgnoreCase(frame.Slice(h.KeyStart, 5), "Event"u8))
            {
                eventName = i;
                break;
            }
        }

        if (eventName < 0 || _eventFilter!.Keeps(frame.Slice(headers[eventName].ValueStart, headers[eventName].ValueLength)))
        {
            return true;
        }

        foreach (var h in headers)
        {
            if (h.KeyLength == 8 && Ascii.EqualsIgnoreCase(frame.Slice(h.KeyStart, 8), "ActionID"u8))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Framing only: finds the next complete frame (message or banner line) and returns its bytes without decoding
    /// or checking anything. For measuring framing and for code that only needs boundaries; real readers use
    /// <see cref="TryParse"/>, which also enforces the limits.
    /// </summary>
    public static bool TryReadFrame(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> frame)
    {
        var span = reader.UnreadSpan;
        if (!span.IsEmpty)
        {
            var first = span[0];
            if (first == Lf || (first == Cr && span.Length > 1 && span[1] == Lf))
            {
                return TakeFrame(ref reader, first == Lf ? 1 : 2, out frame);
            }

            if (first == BannerPrefix[0])
            {
                var nl = span.IndexOf(Lf);
                if (nl >= 0 && IsBanner(span[..nl]))
                {
                    return TakeFrame(ref reader, nl + 1, out frame);
                }
            }

            var preferLf = false;
            var end = FindBlankLineEnd(span, ref preferLf);
            if (end >= 0)
            {
                return TakeFrame(ref reader, end, out frame);
            }
        }

        // Across segments: line by line.
        var probe = reader;
        while (true)
        {
            var lineStart = probe.Consumed;
            probe.TryPeek(out var first);
            if (!probe.TryAdvanceTo(Lf, advancePastDelimiter: true))
            {
                frame = default;
                return false;
            }

            var lineLength = probe.Consumed - lineStart;
            if (lineLength == 1 || (lineLength == 2 && first == Cr) || (lineStart == reader.Consumed && IsBanner(reader, lineLength)))
            {
                return TakeFrame(ref reader, probe.Consumed - reader.Consumed, out frame);
            }
        }
    }

    private static bool TakeFrame(ref SequenceReader<byte> reader, long length, out ReadOnlySequence<byte> frame)
    {
        frame = reader.Sequence.Slice(reader.Position, length);
        reader.Advance(length);
        return true;
    }

    private static bool IsBanner(SequenceReader<byte> reader, long lineLength)
    {
        if (lineLength > 256 || !reader.IsNext(BannerPrefix))
        {
            return false;
        }

        Span<byte> line = stackalloc byte[(int)lineLength];
        reader.TryCopyTo(line);
        return IsBanner(line[..^1]);
    }

    /// <summary>
    /// The offset just past the first blank line, or -1. Searches first for the ending the stream used last time
    /// (Asterisk: CRLF), then for the other one only before that match, so an LF-only stream does not rescan the buffer.
    /// </summary>
    private static int FindBlankLineEnd(ReadOnlySpan<byte> buffer, ref bool preferLf)
    {
        ReadOnlySpan<byte> crlf = "\n\r\n"u8;
        ReadOnlySpan<byte> lf = "\n\n"u8;
        if (!preferLf)
        {
            var c = buffer.IndexOf(crlf);
            var l = (c < 0 ? buffer : buffer[..(c + 2)]).IndexOf(lf);
            if (l >= 0)
            {
                preferLf = c < 0;
                return l + 2;
            }

            return c < 0 ? -1 : c + 3;
        }
        else
        {
            var l = buffer.IndexOf(lf);
            var c = (l < 0 ? buffer : buffer[..(l + 1)]).IndexOf(crlf);
            if (c >= 0)
            {
                preferLf = l >= 0;
                return c + 3;
            }

            return l < 0 ? -1 : l + 2;
        }
    }

    private ScanResult CheckIncomplete(ReadOnlySpan<byte> buffer, out string? error)
    {
        error = null;
        var partialLine = buffer.Length - buffer.LastIndexOf(Lf) - 1;
        if (partialLine > _limits.MaxLineBytes)
        {
            error = $"a line is longer than {_limits.MaxLineBytes} bytes; frame skipped";
        }
        else if (buffer.Length > _limits.MaxFrameBytes)
        {
            error = $"frame is longer than {_limits.MaxFrameBytes} bytes; frame skipped";
        }
        else if (buffer.Length > (long)_limits.MaxHeaders * 2 && buffer.Count(Lf) > _limits.MaxHeaders)
        {
            error = $"frame has more than {_limits.MaxHeaders} headers; frame skipped";
        }

        return error is null ? ScanResult.Incomplete : ScanResult.TooLong;
    }

    /// <summary>The same scan across segment boundaries (the slow path: only frames that straddle two segments).</summary>
    private ScanResult ScanSegments(SequenceReader<byte> probe, out int frameLength, out int lineCount, out string? error)
    {
        frameLength = 0;
        lineCount = 0;
        error = null;
        var start = probe.Consumed;
        while (true)
        {
            var lineStart = probe.Consumed;
            probe.TryPeek(out var first);
            if (!probe.TryAdvanceTo(Lf, advancePastDelimiter: true))
            {
                return CheckIncompleteSegments(probe.Remaining, probe.Consumed + probe.Remaining - start, lineCount, out error);
            }

            var lineLength = (int)Math.Min(int.MaxValue, probe.Consumed - lineStart);
            var pos = (int)Math.Min(int.MaxValue, probe.Consumed - start);
            if (lineLength == 1 || (lineLength == 2 && first == Cr))
            {
                frameLength = pos;
                return ScanResult.Complete;
            }

            if (lineStart == start)
            {
                var lineReader = probe;
                lineReader.Rewind(lineLength);
                if (IsBanner(lineReader, lineLength))
                {
                    frameLength = lineLength;
                    return ScanResult.Banner;
                }
            }

            lineCount++;
            if (lineLength > _limits.MaxLineBytes || lineCount > _limits.MaxHeaders || pos > _limits.MaxFrameBytes)
            {
                error = LimitError(lineLength, lineCount, pos);
                return ScanResult.TooLong;
            }
        }
    }

    private ScanResult CheckIncompleteSegments(long partialLine, long buffered, int lineCount, out string? error)
    {
        error = null;
        if (partialLine > _limits.MaxLineBytes || buffered > _limits.MaxFrameBytes)
        {
            error = LimitError(partialLine, lineCount + 1, buffered);
            return ScanResult.TooLong;
        }

        return ScanResult.Incomplete;
    }

    private string LimitError(long lineLength, int lineCount, long frameBytes) =>
        lineLength > _limits.MaxLineBytes ? $"a line is longer than {_limits.MaxLineBytes} bytes; frame skipped"
        : lineCount > _limits.MaxHeaders ? $"frame has more than {_limits.MaxHeaders} headers; frame skipped"
        : $"frame is longer than {_limits.MaxFrameBytes} bytes (at least {frameBytes}); frame skipped";

    /// <summary>Consumes the rest of a reported bad frame, up to and including its blank line. True when done.</summary>
    private bool SkipRestOfFrame(ref SequenceReader<byte> reader)
    {
        while (true)
        {
            var unread = reader.UnreadSpan;
            if (unread.IsEmpty)
            {
                return false;
            }

            var nl = unread.IndexOf(Lf);
            if (nl < 0)
            {
                if (_skipLineLength == 0)
                {
                    _skipLineFirst = unread[0];
                }

                _skipLineLength += unread.Length;
                reader.Advance(unread.Length);
                continue;
            }

            var first = _skipLineLength == 0 && nl > 0 ? unread[0] : _skipLineFirst;
            var lineLength = _skipLineLength + nl;
            reader.Advance(nl + 1);
            _skipLineLength = 0;
            if (lineLength == 0 || (lineLength == 1 && first == Cr))
            {
                _skipping = false;
                return true;
            }
        }
    }

    private ReadOnlySpan<byte> CopyToScratch(SequenceReader<byte> reader, int length)
    {
        if (_scratch is null || _scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, 4096)];
        }

        var target = _scratch.AsSpan(0, length);
        reader.TryCopyTo(target);
        return target;
    }

    private static ReadOnlySpan<byte> TrimLineEnd(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == Lf)
        {
            line = line[..^1];
        }

        if (!line.IsEmpty && line[^1] == Cr)
        {
            line = line[..^1];
        }

        return line;
    }

    private static bool IsBanner(ReadOnlySpan<byte> line) =>
        line.StartsWith(BannerPrefix) && !line.Contains(Colon);
}
