namespace AmiDialer.Agents;

/// <summary>
/// One queue on one server: its members, the callers waiting, and the utilisation (agents talking or ringing per
/// agent not paused: what the campaigns paced by it keep busy).
/// </summary>
/// <param name="Source"><c>engine</c>: this node's engine follows the queue, and its follower's state is shown (who rings
/// for or talks with which attempt, wrap-up); <c>QueueStatus</c>: a fresh list read for this view.</param>
/// <param name="WrapUp">The wrap-up in use and where it came from ("2 s from queues.conf"); null when read from QueueStatus.</param>
public sealed record QueueView(string Server, string Queue, IReadOnlyList<AgentView> Agents, int Waiting, IReadOnlyList<string> Campaigns, string Source = "QueueStatus", string? WrapUp = null)
{
    public int LoggedIn => Agents.Count;

    public int Paused => Agents.Count(a => a.Paused);

    public int Talking => Agents.Count(a => a.State == "talking");

    public int Free => Agents.Count(a => a.State == "free");

    /// <summary>Talking or ringing members per member not paused; 0 when every member is paused.</summary>
    public double Utilisation => LoggedIn - Paused is var working and > 0 ? Agents.Count(a => !a.Paused && a.State is "talking" or "ringing") / (double)working : 0;
}
