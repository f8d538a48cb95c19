namespace AmiDialer.Core.Queues;

/// <summary>What a member is doing, as <see cref="QueueAgents"/> decides it.</summary>
public enum QueueAgentState
{
    Free,
    Paused,
    Ringing,
    Talking,
    WrappingUp,

    /// <summary>Its device is in use, busy, invalid or unavailable with no queue call of ours explaining it.</summary>
    Unavailable,
}
