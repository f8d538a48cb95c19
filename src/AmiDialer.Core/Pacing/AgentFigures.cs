namespace AmiDialer.Core.Pacing;

/// <summary>The agents an agent-aware policy paces by, and the campaign's calls that have no agent yet.</summary>
/// <param name="Free">Agents logged in, not paused, not on a call and past their wrap-up.</param>
/// <param name="Busy">Agents on a call (they free when it ends).</param>
/// <param name="Ringing">The campaign's calls placed and not answered yet: the calls in flight an answer may come from.</param>
/// <param name="Waiting">Answered calls waiting for an agent: each takes a free agent before any new answer can.</param>
public sealed record AgentFigures(int Free, int Busy, int Ringing, int Waiting = 0);
