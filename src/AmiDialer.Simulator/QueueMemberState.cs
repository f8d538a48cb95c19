namespace AmiDialer.Simulator;

/// <summary>A queue member as the simulated app_queue sees it (<see cref="AmiSimulator.QueueMembers"/>).</summary>
/// <param name="Ringing">Its phone rings for a caller now.</param>
/// <param name="InCall">It talks to a caller now (AgentConnect came, AgentComplete not yet).</param>
public sealed record QueueMemberState(string Interface, string Name, bool Dynamic, bool Paused, string PausedReason, bool Ringing, bool InCall, int CallsTaken);

/// <summary>A queue's counters (<see cref="AmiSimulator.QueueCounters"/>): callers waiting now, completed and abandoned calls.</summary>
public sealed record QueueCounters(int Callers, int Completed, int Abandoned);
