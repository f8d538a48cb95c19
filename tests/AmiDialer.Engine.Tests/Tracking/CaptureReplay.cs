using System.Buffers;
using System.Text.RegularExpressions;
using AmiDialer.Ami;
using AmiDialer.Engine.Tracking;
using AmiDialer.Testing;

namespace AmiDialer.Engine.Tests.Tracking;

/// <summary>
/// Replays a recorded AMI stream through a <see cref="CallTracker"/> as the engine would drive it: every
/// Originate's attempt is tracked before its events, each message advances a synthetic clock by one
/// millisecond, and the tracker is polled as it goes.
/// <para>
/// The d0-d9 and burst captures were made without <c>ChannelId</c>, so the replay stands in for it: a call's
/// ChannelId is the Linkedid Asterisk gave its channels (found by the number in the ActionID, or else the first
/// unclaimed call after the Originate's Response). Events are then correlated exactly as with our own ids.
/// </para>
/// </summary>
internal static partial class CaptureReplay
{
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);
    public static readonly DateTimeOffset Epoch = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static List<AmiMessage> Read(string file)
    {
        var bytes = File.ReadAllBytes(RepoPaths.Capture(file));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var parser = new AmiParser();
        var messages = new List<AmiMessage>();
        while (parser.TryParse(ref reader, out var frame))
        {
            if (frame.Kind == AmiFrameKind.Message && frame.Message is { Count: > 0 } message)
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    public sealed record Result(Dictionary<string, CallFacts> ByActionId, CallTracker Tracker, List<AmiMessage> Messages);

    /// <param name="ringTimeout">The Originate Timeout the capture used (15 s).</param>
    public static Result Replay(string file, TimeSpan? ringTimeout = null, Action<AmiMessage, CallTracker, DateTimeOffset, Dictionary<string, CallFacts>>? onMessage = null)
    {
        var messages = Read(file);
        var tracker = new CallTracker(Settle, TimeSpan.FromSeconds(5));
        var channelIds = AssignChannelIds(messages);
        var attemptIds = new Dictionary<string, long>();
        var results = new Dictionary<string, CallFacts>();
        var now = Epoch;
        var nextAttempt = 1L;

        void Collect(IEnumerable<CallFacts> facts)
        {
            foreach (var f in facts)
            {
                results.Add(f.ActionId, f);
            }
        }

        // Track every Originate up front, as the engine does before it sends each one.
        foreach (var (actionId, channelId) in channelIds)
        {
            attemptIds[actionId] = nextAttempt;
            tracker.Track(new TrackedCallStart(nextAttempt++, actionId, channelId, now, ringTimeout ?? TimeSpan.FromSeconds(15)));
        }

        foreach (var message in messages)
        {
            now += TimeSpan.FromMilliseconds(1);
            if (message.IsResponse && message.ActionId is { } id && attemptIds.TryGetValue(id, out var attempt) && message.IsError)
            {
                if (tracker.OriginateRefused(attempt, message.Message) is { } refused)
                {
                    Collect([refused]);
                }
            }
            else if (message.IsEvent)
            {
                tracker.Observe(AmiCallEvents.From(message), now);
            }

            onMessage?.Invoke(message, tracker, now, results);
            Collect(tracker.Poll(now).Finished);
        }

        // Let the stream go quiet, as the captures did for 2 s after the last hangup.
        for (var i = 0; i < 10; i++)
        {
            now += TimeSpan.FromMilliseconds(200);
            Collect(tracker.Poll(now).Finished);
        }

        return new Result(results, tracker, messages);
    }

    private static Dictionary<string, string> AssignChannelIds(List<AmiMessage> messages)
    {
        // Originate ActionIDs are the ones answered "Originate successfully queued" or with an Originate error.
        var originates = new List<(string ActionId, int Index)>();
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.IsResponse && m.ActionId is { } id && (id.StartsWith("orig", StringComparison.Ordinal) || id.StartsWith("burst", StringComparison.Ordinal)))
            {
                originates.Add((id, i));
            }
        }

        // Each call's first channel: Newchannel whose Uniqueid is its own Linkedid.
        var calls = new List<(string Linkedid, string Channel, int Index)>();
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.IsEventNamed("Newchannel") && m.Uniqueid is { } u && u == m.Linkedid)
            {
                calls.Add((u, m.Channel ?? "", i));
            }
        }

        var claimed = new HashSet<string>();
        var result = new Dictionary<string, string>();
        for (var n = 0; n < originates.Count; n++)
        {
            var (actionId, index) = originates[n];
            var before = n + 1 < originates.Count ? originates[n + 1].Index : int.MaxValue;
            var number = NumberInActionId().Match(actionId);
            var call = number.Success
                ? calls.FirstOrDefault(c => !claimed.Contains(c.Linkedid) && c.Channel.Contains("/" + number.Value + "@", StringComparison.Ordinal))
                : calls.FirstOrDefault(c => !claimed.Contains(c.Linkedid) && c.Index > index && c.Index < before);
            var channelId = call.Linkedid ?? $"no-channel-{actionId}";
            if (call.Linkedid is not null)
            {
                claimed.Add(call.Linkedid);
            }

            result[actionId] = channelId;
        }

        return result;
    }

    [GeneratedRegex(@"(?<=-)(?:\d{7}|\d{10})(?=-|$)")]
    private static partial Regex NumberInActionId();
}
