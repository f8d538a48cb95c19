using AmiDialer.Core.Queues;

namespace AmiDialer.Agents;

/// <summary>One queue member as the operator sees it: what it does now and, on a call of ours, which attempt.</summary>
/// <param name="State">free, paused, ringing, talking, wrapping-up or unavailable.</param>
/// <param name="Caller">The originated <c>;1</c> Uniqueid of the caller it rings for or talks with, when known.</param>
public sealed record AgentView(
    string Server, string Queue, string Interface, string? Name, string State, bool Paused, string? PausedReason,
    int CallsTaken, DateTimeOffset? LastCall, string? Caller, long? AttemptId, long? CampaignId, string? Campaign)
{
    public static string StateName(QueueAgentState state) => state switch
    {
        QueueAgentState.Free => "free",
        QueueAgentState.Paused => "paused",
        QueueAgentState.Ringing => "ringing",
        QueueAgentState.Talking => "talking",
        QueueAgentState.WrappingUp => "wrapping-up",
        _ => "unavailable",
    };
}
