using System.Buffers;
using System.Text;
using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Protocol;

/// <summary>
/// Feeds bytes to a parser the way a pipe does: each read becomes a new segment appended to whatever is still
/// unconsumed, so frames straddle segments exactly as they do on a socket.
/// </summary>
internal sealed class ChunkedParse
{
    private readonly List<byte[]> _pending = [];
    private int _offset;

    public ChunkedParse(AmiParser? parser = null)
    {
        Parser = parser ?? new AmiParser();
    }

    public AmiParser Parser { get; }

    public List<AmiFrame> Frames { get; } = [];

    public long Buffered => _pending.Sum(p => (long)p.Length) - _offset;

    public static List<AmiFrame> All(ReadOnlySpan<byte> bytes)
    {
        var feed = new ChunkedParse();
        feed.Feed(bytes.ToArray());
        return feed.Frames;
    }

    public static List<AmiFrame> All(string text) => All(Encoding.UTF8.GetBytes(text));

    public void Feed(byte[] chunk)
    {
        if (chunk.Length == 0)
        {
            return;
        }

        _pending.Add(chunk);
        var sequence = Build();
        var reader = new SequenceReader<byte>(sequence);
        while (Parser.TryParse(ref reader, out var frame))
        {
            Frames.Add(frame);
        }

        Drop(reader.Consumed);
    }

    public void Feed(ReadOnlySpan<byte> bytes, IEnumerable<int> chunkSizes)
    {
        var pos = 0;
        foreach (var size in chunkSizes)
        {
            if (pos >= bytes.Length)
            {
                break;
            }

            var take = Math.Min(size, bytes.Length - pos);
            Feed(bytes.Slice(pos, take).ToArray());
            pos += take;
        }

        if (pos < bytes.Length)
        {
            Feed(bytes[pos..].ToArray());
        }
    }

    private ReadOnlySequence<byte> Build()
    {
        Segment? first = null;
        Segment? last = null;
        for (var i = 0; i < _pending.Count; i++)
        {
            var memory = i == 0 ? _pending[i].AsMemory(_offset) : _pending[i].AsMemory();
            if (first is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                last = last!.Append(memory);
            }
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private void Drop(long consumed)
    {
        while (consumed > 0)
        {
            var available = _pending[0].Length - _offset;
            if (consumed >= available)
            {
                consumed -= available;
                _pending.RemoveAt(0);
                _offset = 0;
            }
            else
            {
                _offset += (int)consumed;
                consumed = 0;
            }
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
