using System.Buffers;
using AmiDialer.Ami;
using AmiDialer.Testing;

namespace AmiDialer.Ami.Tests.Protocol;

/// <summary>Every recorded Asterisk stream parses to the same messages however the socket happens to chunk it.</summary>
public sealed class CaptureChunkingTests
{
    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(RepoPaths.Captures, "*.raw").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Capture_parses_cleanly_in_one_read(string name)
    {
        var bytes = File.ReadAllBytes(RepoPaths.Capture(name));
        var frames = ChunkedParse.All(bytes);
        Assert.DoesNotContain(frames, f => f.Kind == AmiFrameKind.Malformed);
        Assert.Equal(AmiFrameKind.Banner, frames[0].Kind);
        Assert.StartsWith("Asterisk Call Manager/", frames[0].Banner, StringComparison.Ordinal);
        Assert.All(frames.Skip(1), f => Assert.True(f.Message!.IsEvent || f.Message.IsResponse, FrameText.Of(f)));

        // Nothing is left over: the capture ends on a frame boundary.
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var parser = new AmiParser();
        while (parser.TryParse(ref reader, out _))
        {
        }

        Assert.Equal(bytes.Length, reader.Consumed);
    }

    /// <summary>
    /// A split at byte i only changes how the frame holding i is read: frames before it come out of the first read,
    /// and the parser carries no state from one frame to the next (only string caches that never change output).
    /// So "split the whole file at every i" is checked as: feed [start of i's frame, i), then [i, end of the next
    /// frame), and expect exactly those frames. Same result, without re-parsing the whole file for each i.
    /// </summary>
    [Theory]
    [MemberData(nameof(Captures))]
    public void Capture_gives_the_same_frames_split_at_every_byte(string name)
    {
        var bytes = File.ReadAllBytes(RepoPaths.Capture(name));
        if (bytes.Length >= 64 * 1024)
        {
            return; // covered by the random chunkings below
        }

        var expected = FrameText.Of(ChunkedParse.All(bytes));
        var bounds = FrameBounds(bytes);
        Assert.Equal(expected.Count, bounds.Count - 1);
        var parser = new AmiParser();
        for (var f = 0; f < bounds.Count - 1; f++)
        {
            var end = bounds[Math.Min(f + 2, bounds.Count - 1)];
            var want = expected.Skip(f).Take(f + 2 < bounds.Count ? 2 : 1).ToList();
            for (var split = bounds[f] + 1; split < bounds[f + 1]; split++)
            {
                var feed = new ChunkedParse(parser);
                feed.Feed(bytes[bounds[f]..split]);
                Assert.Empty(feed.Frames);
                feed.Feed(bytes[split..end]);
                Assert.Equal(want, FrameText.Of(feed.Frames));
                Assert.Equal(0, feed.Buffered);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Capture_gives_the_same_frames_in_random_chunks(string name)
    {
        var bytes = File.ReadAllBytes(RepoPaths.Capture(name));
        var expected = FrameText.Of(ChunkedParse.All(bytes));
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var random = new Random(seed * 7919 + bytes.Length);
            var maxChunk = seed switch { 1 => 16, 2 => 700, _ => 9000 };
            var feed = new ChunkedParse();
            feed.Feed(bytes, Enumerable.Range(0, int.MaxValue).Select(_ => random.Next(1, maxChunk)));
            Assert.Equal(expected, FrameText.Of(feed.Frames));
            Assert.Equal(0, feed.Buffered);
        }
    }

    [Fact]
    public void Large_capture_slice_read_one_byte_at_a_time()
    {
        var bytes = File.ReadAllBytes(RepoPaths.Capture("h-burst-200-originates.raw"));
        var bounds = FrameBounds(bytes);
        var slice = bytes[bounds[100]..bounds[400]];
        var expected = FrameText.Of(ChunkedParse.All(slice));
        Assert.Equal(300, expected.Count);
        var feed = new ChunkedParse();
        feed.Feed(slice, Enumerable.Repeat(1, slice.Length));
        Assert.Equal(expected, FrameText.Of(feed.Frames));
    }

    private static List<int> FrameBounds(byte[] bytes)
    {
        var bounds = new List<int> { 0 };
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var parser = new AmiParser();
        while (parser.TryParse(ref reader, out _))
        {
            bounds.Add((int)reader.Consumed);
        }

        return bounds;
    }
}
