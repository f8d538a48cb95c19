using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace AmiDialer.Ami;

/// <summary>
/// The consumer's side of the event channel, counting what is buffered: the lock-free single-reader channel
/// cannot count, and the client needs the count to keep its buffer bounded.
/// </summary>
internal sealed class CountedEventReader(ChannelReader<AmiEvent> inner) : ChannelReader<AmiEvent>
{
    private int _count;

    public override bool CanCount => true;

    public override bool CanPeek => inner.CanPeek;

    public override int Count => Volatile.Read(ref _count);

    public override Task Completion => inner.Completion;

    /// <summary>Called by the writer for each event it has put in the channel.</summary>
    public void Added(int events) => Interlocked.Add(ref _count, events);

    public override bool TryRead([MaybeNullWhen(false)] out AmiEvent item)
    {
        if (!inner.TryRead(out item))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    public override bool TryPeek([MaybeNullWhen(false)] out AmiEvent item) => inner.TryPeek(out item);

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
}
