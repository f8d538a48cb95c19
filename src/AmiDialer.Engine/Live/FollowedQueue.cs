using AmiDialer.Core.Queues;

namespace AmiDialer.Engine.Live;

/// <summary>
/// A queue as this engine's follower knows it now (<see cref="DialerEngine.FollowedQueue"/>): what a fresh QueueStatus
/// cannot tell, i.e. who is ringing for or talking with which of our calls (from AgentCalled/AgentConnect), who is in
/// wrap-up (the queue's wrapuptime since the member's last call), and the wrap-up in use with where it came from.
/// </summary>
public sealed record FollowedQueue(string Server, string Queue, QueueWrapUp WrapUp, IReadOnlyList<FollowedAgent> Agents, int Waiting);

/// <summary>One member as the follower sees it; <paramref name="AttemptId"/> is the attempt of ours it rings for or talks with.</summary>
public sealed record FollowedAgent(QueueMemberReport Member, QueueAgentState State, string? Caller, long? AttemptId);
