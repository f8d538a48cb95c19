using System.Threading.Channels;

namespace AmiDialer.Engine.Live;

/// <summary>
/// Fans engine changes out to subscribers through bounded channels that drop their oldest item when full,
/// so a slow page or a stuck terminal can never block the dialer.
/// </summary>
internal sealed class ChangeFeed
{
    private readonly Lock _gate = new();
    private ImmutableSubscribers _subscribers = new([]);

    public EngineSubscription Subscribe(int capacity)
    {
        var channel = Channel.CreateBounded<EngineChange>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        lock (_gate)
        {
            _subscribers = new ImmutableSubscribers([.. _subscribers.Items, channel]);
        }

        return new EngineSubscription(channel.Reader, () => Remove(channel));
    }

    public void Publish(EngineChange change)
    {
        foreach (var channel in _subscribers.Items)
        {
            channel.Writer.TryWrite(change);
        }
    }

    public void Complete()
    {
        lock (_gate)
        {
            foreach (var channel in _subscribers.Items)
            {
                channel.Writer.TryComplete();
            }

            _subscribers = new ImmutableSubscribers([]);
        }
    }

    private void Remove(Channel<EngineChange> channel)
    {
        lock (_gate)
        {
            _subscribers = new ImmutableSubscribers(_subscribers.Items.Where(c => c != channel).ToArray());
        }

        channel.Writer.TryComplete();
    }

    private sealed record ImmutableSubscribers(Channel<EngineChange>[] Items);
}

/// <summary>A live feed of engine changes; dispose it to unsubscribe.</summary>
public sealed class EngineSubscription(ChannelReader<EngineChange> reader, Action unsubscribe) : IDisposable
{
    public ChannelReader<EngineChange> Reader { get; } = reader;

    public void Dispose() => unsubscribe();
}
