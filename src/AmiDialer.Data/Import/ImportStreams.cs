namespace AmiDialer.Data.Import;

/// <summary>The sniffed first bytes followed by the rest of a non-seekable stream, counting what was read.</summary>
internal sealed class SniffedStream(byte[] prefix, int prefixLength, Stream rest) : Stream
{
    private int prefixPosition;

    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        if (prefixPosition < prefixLength)
        {
            n = Math.Min(buffer.Length, prefixLength - prefixPosition);
            prefix.AsSpan(prefixPosition, n).CopyTo(buffer);
            prefixPosition += n;
        }
        else
        {
            n = rest.Read(buffer);
        }

        BytesRead += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
