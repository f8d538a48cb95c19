using AmiDialer.Core.Queues;

namespace AmiDialer.Engine.Queues;

/// <summary>
/// What a follower learned of one answered queue call: its fate once decided, and again when an agent takes a call
/// already judged late (to record who and the wait). <paramref name="Caller"/> is the originated <c>;1</c> Uniqueid: the
/// attempt's channel id.
/// </summary>
internal sealed record QueueCallNews(string Caller, string Queue, DateTimeOffset AnsweredAt, QueueCallFate Fate, string? Agent, TimeSpan? Wait);
