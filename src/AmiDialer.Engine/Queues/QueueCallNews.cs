using AmiDialer.Core.Queues;

namespace AmiDialer.Engine.Queues;

/// <summary>
/// What a follower learned of one answered queue call: its fate once decided, and again when an agent takes a call
/// already judged late (to record who and the wait). <paramref name="Caller"/> is the originated <c>;1</c> Uniqueid: the
/// attempt's channel id.
/// </summary>
/// <param name="AttemptId">Our attempt the caller is, looked up when the news was made: by the time the news is written the
/// call may have ended, and the tracker forgotten its channel (a fate lost so counted as unknown, i.e. abandoned).</param>
internal sealed record QueueCallNews(string Caller, string Queue, DateTimeOffset AnsweredAt, QueueCallFate Fate, string? Agent, TimeSpan? Wait, long? AttemptId = null);
