using System.Buffers;
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
    private readonly AmiStringCache _keys = new(256, 64);
    private readonly AmiStringCache _values = new(2048, 64);
    private byte[]? _scratch;

    // Skipping a bad frame: bytes seen so far of the current (unfinished) line, and its first byte.
    private bool _skipping;
    private long _skipLineLength;
    private byte _skipLineFirst;

    public AmiParser(AmiParserLimits? limits = null)
    {
        _limits = limits ?? AmiParserLimits.FromServer;
    }

    private enum ScanResult
    {
        Incomplete,
        Complete,
        Banner,
        TooLong,
    }

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
        if (_skipping && !SkipRestOfFrame(ref reader))
        {
            frame = default;
            return false;
        }

        var span = reader.UnreadSpan;
        var result = Scan(span, out var length, out var lines, out var error);
        if (result == ScanResult.Incomplete && reader.Remaining > span.Length)
        {
            result = ScanSegments(reader, out length, out lines, out error);
            if (result is ScanResult.Complete or ScanResult.Banner)
            {
                span = CopyToScratch(reader, length);
            }
        }

        switch (result)
        {
            case ScanResult.Complete:
                // A malformed but complete frame is skipped by advancing past it like any other.
                frame = ParseFrame(span[..length], lines);
                reader.Advance(length);
                return true;
            case ScanResult.Banner:
                frame = AmiFrame.ForBanner(Encoding.UTF8.GetString(TrimLineEnd(span[..length])));
                reader.Advance(length);
                return true;
            case ScanResult.TooLong:
                // Nothing consumed yet: the frame starts at a line start, which is where the skip begins.
                _skipping = true;
                _skipLineLength = 0;
                frame = AmiFrame.ForError(error!);
                return true;
            default:
                frame = default;
                return false;
        }
    }

    /// <summary>
    /// Framing only: finds the next complete frame (message or banner line) and returns its bytes without decoding
    /// anything. Used where only boundaries matter (and to measure framing speed). Over-long frames are not checked.
    /// </summary>
    public static bool TryReadFrame(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> frame)
    {
        var span = reader.UnreadSpan;
        var pos = 0;
        while (true)
        {
            var nl = span[pos..].IndexOf(Lf);
            if (nl < 0)
            {
                break;
            }

            if (nl == 0 || (nl == 1 && span[pos] == Cr) || (pos == 0 && IsBanner(span[..nl])))
            {
                return TakeFrame(ref reader, pos + nl + 1, out frame);
            }

            pos += nl + 1;
        }

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

    private ScanResult Scan(ReadOnlySpan<byte> buffer, out int frameLength, out int lineCount, out string? error)
    {
        frameLength = 0;
        lineCount = 0;
        error = null;
        var pos = 0;
        var maxLine = _limits.MaxLineBytes;
        while (true)
        {
            var nl = buffer[pos..].IndexOf(Lf);
            if (nl < 0)
            {
                return CheckIncomplete(buffer.Length - pos, buffer.Length, lineCount, out error);
            }

            if (nl == 0 || (nl == 1 && buffer[pos] == Cr))
            {
                frameLength = pos + nl + 1;
                return ScanResult.Complete;
            }

            if (pos == 0 && IsBanner(buffer[..nl]))
            {
                frameLength = nl + 1;
                return ScanResult.Banner;
            }

            pos += nl + 1;
            lineCount++;
            if (nl + 1 > maxLine || lineCount > _limits.MaxHeaders || pos > _limits.MaxFrameBytes)
            {
                error = LimitError(nl + 1, lineCount, pos);
                return ScanResult.TooLong;
            }
        }
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
                return CheckIncomplete(probe.Remaining, (int)Math.Min(int.MaxValue, probe.Consumed + probe.Remaining - start), lineCount, out error);
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

    private ScanResult CheckIncomplete(long partialLine, int buffered, int lineCount, out string? error)
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
        lineLength > _limits.MaxLineBytes ? $"line {lineCount} is longer than {_limits.MaxLineBytes} bytes; frame skipped"
        : lineCount > _limits.MaxHeaders ? $"frame has more than {_limits.MaxHeaders} headers; frame skipped"
        : $"frame is longer than {_limits.MaxFrameBytes} bytes (at least {frameBytes}); frame skipped";

    private AmiFrame ParseFrame(ReadOnlySpan<byte> frame, int lineCount)
    {
        if (lineCount == 0)
        {
            return AmiFrame.ForMessage(AmiMessage.Empty);
        }

        var headers = new AmiHeader[lineCount];
        var pos = 0;
        for (var i = 0; i < headers.Length; i++)
        {
            var rest = frame[pos..];
            var nl = rest.IndexOf(Lf);
            var line = TrimLineEnd(rest[..(nl + 1)]);
            pos += nl + 1;
            var colon = line.IndexOf(Colon);
            if (colon <= 0)
            {
                // Never echo the line: it could hold a secret.
                return AmiFrame.ForError(colon == 0
                    ? $"line {i + 1} of {lineCount} has an empty key; frame skipped"
                    : $"line {i + 1} of {lineCount} has no ':' ({line.Length} bytes); frame skipped");
            }

            var value = line[(colon + 1)..];
            var skip = 0;
            while (skip < value.Length && (value[skip] == (byte)' ' || value[skip] == (byte)'\t'))
            {
                skip++;
            }

            headers[i] = new AmiHeader(_keys.Get(line[..colon]), _values.Get(value[skip..]));
        }

        return AmiFrame.ForMessage(new AmiMessage(headers, takeOwnership: true));
    }

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
