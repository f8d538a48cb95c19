using AmiDialer.Engine.Queues;
using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.Dialing;

internal sealed partial class EngineServices
{
    /// <summary>
    /// What a server's queue follower decided about an answered call: written on the attempt it belongs to (found by
    /// the originated channel id) and told to its campaign's dialer for the abandon rate. Calls of no attempt of this
    /// process (another dialer's, a phone's) are not ours to record. The attempt was looked up when the news was made:
    /// a call whose agent hung up at once may have ended (and left the tracker) before its news is written here.
    /// </summary>
    public async Task OnQueueNewsAsync(AmiServer server, QueueCallNews news)
    {
        if ((news.AttemptId ?? server.Tracker.AttemptOfChannel(news.Caller)) is not { } attemptId)
        {
            return;
        }

        await WriteAsync(async () =>
        {
            await QueueStore.RecordFateAsync(attemptId, news.Queue, news.Fate, news.Agent, news.Wait, CancellationToken.None).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        if (Calls.TryGetValue(attemptId, out var call))
        {
            call.Dialer?.OnQueueFate(call, news);
        }
    }

    /// <summary>The tracker saw an attempt's callee answer: its campaign's dialer measures it.</summary>
    public void OnAnswerSeen(long attemptId, DateTimeOffset at)
    {
        if (Calls.TryGetValue(attemptId, out var call))
        {
            call.Dialer?.OnAnswered(call, at);
        }
    }
}
