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

/// <summary>
/// One queue on one server: its members, the callers waiting, and the utilisation (agents talking or ringing per
/// agent not paused: what the campaigns paced by it keep busy).
/// </summary>
public sealed record QueueView(string Server, string Queue, IReadOnlyList<AgentView> Agents, int Waiting, IReadOnlyList<string> Campaigns)
{
    public int LoggedIn => Agents.Count;

    public int Paused => Agents.Count(a => a.Paused);

    public int Talking => Agents.Count(a => a.State == "talking");

    public int Free => Agents.Count(a => a.State == "free");

    /// <summary>Talking or ringing members per member not paused; 0 when every member is paused.</summary>
    public double Utilisation => LoggedIn - Paused is var working and > 0 ? Agents.Count(a => !a.Paused && a.State is "talking" or "ringing") / (double)working : 0;
}

/// <summary>What one server said, or why it could not be asked.</summary>
public sealed record ServerAgents(string Server, IReadOnlyList<QueueView> Queues, string? Problem);
