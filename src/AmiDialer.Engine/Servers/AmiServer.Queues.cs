using System.Threading.Channels;
using AmiDialer.Ami;
using AmiDialer.Engine.Queues;

namespace AmiDialer.Engine.Servers;

/// <summary>
/// The queues this Asterisk's campaigns follow (issue #26): the follower is fed from the event loop; this reads each
/// followed queue whole with QueueStatus at once when it is first followed, after every login and every
/// <see cref="DialerEngineOptions.QueueRefreshInterval"/>, runs the 2 s check, and hands what it decided about our calls
/// to <see cref="QueueNews"/> off the reader (the event loop may run on the socket's reader: it never waits on the store).
/// </summary>
internal sealed partial class AmiServer
{
    private static readonly TimeSpan QueueTick = TimeSpan.FromMilliseconds(250);
    private readonly Channel<QueueCallNews> _queueNews = Channel.CreateUnbounded<QueueCallNews>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool _queuesStale = true;
    private readonly DateTimeOffset _queueEpoch;
    private long _queuesReadGeneration;

    /// <summary>The followed queues' agents and our calls waiting in them.</summary>
    public QueueFollower QueueFollower { get; }

    /// <summary>What the follower decided about an answered call of ours; called on one loop, in order.</summary>
    public Func<AmiServer, QueueCallNews, Task>? QueueNews { get; set; }

    /// <summary>Raised (on the queue loop) after a followed queue's agents were read or changed: the pacer may look again.</summary>
    public event Action<AmiServer>? QueueAgentsChanged;

    /// <summary>The queue's agents now, on the queue rules' clock (<see cref="QueueNow"/>); null when not known yet.</summary>
    public Core.Queues.QueueAgentCounts? QueueCounts(string queue) => QueueFollower.Counts(queue, QueueNow());

    /// <summary>
    /// The followed queue's members as the follower knows them now (states on the queue rules' clock, each with the attempt
    /// of ours it rings for or talks with); null when the queue is not followed here or not read yet.
    /// </summary>
    public Live.FollowedQueue? FollowedQueue(string queue)
    {
        var now = QueueNow();
        if (QueueFollower.Counts(queue, now) is not { } counts)
        {
            return null;
        }

        var agents = QueueFollower.Members(queue, now)
            .Select(m => new Live.FollowedAgent(m.Member, m.State, m.Caller, m.Caller is null ? null : Tracker.AttemptOfChannel(m.Caller)))
            .ToList();
        return new Live.FollowedQueue(Name, queue, QueueFollower.WrapUpOf(queue), agents, counts.Waiting);
    }

    /// <summary>Follows <paramref name="queue"/> on this server; its QueueStatus is read at the next tick.</summary>
    public void FollowQueue(string queue)
    {
        if (QueueFollower.Follow(queue))
        {
            _queuesStale = true;
        }
    }

    /// <summary>Reads every followed queue whole now (QueueStatus): at start, after a login, and periodically.</summary>
    public async Task RefreshQueuesAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in QueueFollower.Queues)
        {
            await ReadWrapUpAsync(queue, cancellationToken).ConfigureAwait(false);
            var action = new AmiAction("QueueStatus");
            action.Add("Queue", queue);
            var list = await _client.SendListAsync(action, cancellationToken).ConfigureAwait(false);
            QueueFollower.ApplyStatus(list.Items);
            _logger.QueueRead(Name, queue, list.Items.Count(m => m.IsEventNamed(AmiEventNames.QueueMember)));
        }

        QueueAgentsChanged?.Invoke(this);
    }

    /// <summary>
    /// The queue's <c>wrapuptime</c> from queues.conf (GetConfig, Category = the queue: the login needs the
    /// <c>config</c> class), read with every QueueStatus so an edited file counts from the next read. Where it cannot be
    /// read the operator's <c>Dialing:QueueWrapUp:&lt;queue&gt;</c> stands (said once per queue).
    /// </summary>
    private async Task ReadWrapUpAsync(string queue, CancellationToken cancellationToken)
    {
        TimeSpan? fromConfig = null;
        string? why = null;
        try
        {
            var response = await _client.SendAsync(new AmiAction("GetConfig").Add("Filename", "queues.conf").Add("Category", queue), cancellationToken).ConfigureAwait(false);
            var category = Pbx.AmiConfigCategory.Parse(response).FirstOrDefault(c => c.Name == queue);
            fromConfig = category is null ? null : Core.Queues.QueueWrapUp.FromConfigLines(category.Lines);
            why = category is null ? $"queues.conf has no [{queue}]" : fromConfig is null ? "its wrapuptime is not a number of seconds" : null;
        }
        catch (AmiActionException e)
        {
            why = "Asterisk says: " + e.Message;
        }

        QueueFollower.SetWrapUpFromConfig(queue, fromConfig);
        if (why is not null && _wrapUpUnread.Add(queue))
        {
            _logger.QueueWrapUpUnread(Name, queue, why, QueueFollower.WrapUpOf(queue).Describe(queue));
        }
        else if (why is null)
        {
            _wrapUpUnread.Remove(queue);
        }
    }

    // Queues whose queues.conf could not be read, said once until it can be again.
    private readonly HashSet<string> _wrapUpUnread = new(StringComparer.Ordinal);

    /// <summary>
    /// The clock the queue rules run on: the PBX's (<see cref="DialerEngineOptions.PbxTimeScale"/>), so the 2 s rule and
    /// the waits mean PBX seconds when the simulator runs faster; the wall clock for a real Asterisk.
    /// </summary>
    private DateTimeOffset QueueNow()
    {
        var now = _time.GetUtcNow();
        var scale = _options.PbxTimeScale;
        return scale == 1 || scale <= 0 ? now : _queueEpoch + ((now - _queueEpoch) * scale);
    }

    private void QueueObserved(AmiMessage message)
    {
        var now = QueueNow();
        foreach (var news in QueueFollower.Observe(message, now))
        {
            _queueNews.Writer.TryWrite(Ours(news));
        }

        if (message.EventName is { } name && (name.StartsWith("QueueMember", StringComparison.Ordinal) || name.StartsWith("Agent", StringComparison.Ordinal)))
        {
            QueueAgentsChanged?.Invoke(this);
        }
    }

    /// <summary>
    /// The news with our attempt looked up now, while the call is still tracked: the follower reads the same ordered
    /// stream as the tracker, so a call's queue events come before its hangup; the news loop may write it after.
    /// </summary>
    private QueueCallNews Ours(QueueCallNews news) => news with { AttemptId = Tracker.AttemptOfChannel(news.Caller) };

    private void QueueLinkLost()
    {
        foreach (var news in QueueFollower.LinkLost())
        {
            _queueNews.Writer.TryWrite(Ours(news));
        }

        _queuesStale = true;
    }

    private async Task QueueLoopAsync(CancellationToken cancellationToken)
    {
        var lastRead = DateTimeOffset.MinValue;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(QueueTick / Math.Max(1, _options.PbxTimeScale), _time, cancellationToken).ConfigureAwait(false);
                var now = QueueNow();
                foreach (var news in QueueFollower.Check(now))
                {
                    _queueNews.Writer.TryWrite(Ours(news));
                }

                var generation = Volatile.Read(ref _connectedGeneration);
                if (!_connected || QueueFollower.Queues.Count == 0)
                {
                    continue;
                }

                if (_queuesStale || generation != _queuesReadGeneration || now - lastRead >= _options.QueueRefreshInterval * Math.Max(1, _options.PbxTimeScale))
                {
                    try
                    {
                        _queuesStale = false;
                        await RefreshQueuesAsync(cancellationToken).ConfigureAwait(false);
                        _queuesReadGeneration = generation;
                        lastRead = now;
                    }
                    catch (Exception e) when (e is AmiException or TimeoutException)
                    {
                        // The link went or the action failed: read again at the next tick (the login resets it too).
                        _queuesStale = true;
                        _logger.QueueReadFailed(Name, e.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task QueueNewsLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var news in _queueNews.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (QueueNews is { } handler)
                {
                    try
                    {
                        await handler(this, news).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _logger.QueueNewsFailed(Name, news.Caller, e.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
