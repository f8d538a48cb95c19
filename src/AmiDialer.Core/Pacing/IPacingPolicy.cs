namespace AmiDialer.Core.Pacing;

/// <summary>
/// Decides how many calls a campaign places now. Pure, so a policy is tested without sockets and agent-aware
/// pacing is one more policy, not a change to the engine. Every policy stays within the campaign's caps: its
/// concurrency and the sliding window (<see cref="SendWindow"/>), which the engine also enforces when it sends.
/// </summary>
public interface IPacingPolicy
{
    PacingDecision Decide(PacingState state);
}
