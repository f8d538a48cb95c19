namespace AmiDialer.Core.Queues;

/// <summary>One queue's members at one moment, as <see cref="QueueAgents.Counts"/> sees them.</summary>
/// <param name="LoggedIn">Members of the queue (paused ones included, as Asterisk's QueueSummary counts them).</param>
/// <param name="Paused">Paused members.</param>
/// <param name="Talking">Members connected to a caller (AgentConnect without its AgentComplete).</param>
/// <param name="Ringing">Members being rung for a caller (AgentCalled not yet answered, refused or cancelled).</param>
/// <param name="WrappingUp">Members whose last call ended less than the wrap-up time ago.</param>
/// <param name="Free">Members who can take a call now: not paused, not talking, not ringing, device free, wrap-up over.</param>
/// <param name="Waiting">Callers in the queue with no agent yet (QueueCallerJoin without Leave/Abandon).</param>
public sealed record QueueAgentCounts(int LoggedIn, int Paused, int Talking, int Ringing, int WrappingUp, int Free, int Waiting)
{
    /// <summary>Members not paused that are on a call or about to be: what frees up for the next answers.</summary>
    public int Busy => Talking + Ringing + WrappingUp;
}
