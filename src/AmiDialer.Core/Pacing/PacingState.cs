namespace AmiDialer.Core.Pacing;

/// <summary>
/// The live state a pacing policy decides from. Built by the engine; nothing here reads a clock. Policies that pace
/// by other figures (free agents, measured answer rates) get them as further properties of this record.
/// </summary>
/// <param name="Now">The decision time.</param>
/// <param name="ActiveCalls">The campaign's attempts dialing or live right now.</param>
/// <param name="MaxConcurrentCalls">The campaign's cap on calls at once.</param>
/// <param name="CallsPerSecond">The campaign's rate: the sliding window's budget (<see cref="SendWindow.Budget"/>).</param>
/// <param name="Window">The Originates the sliding window still counts; older ones may be left out.</param>
/// <param name="Lookahead">Window slots opening within this count as open: what is decided now is sent when they do.</param>
/// <param name="Agents">The agents of the queue the campaign follows, and its calls not yet with one; null when it follows none (fixed pacing ignores it).</param>
/// <param name="Measured">This campaign's measured figures (<see cref="PacingMeasurements.Figures"/>); null when nothing is measured (fixed pacing ignores it).</param>
public sealed record PacingState(
    DateTimeOffset Now,
    int ActiveCalls,
    int MaxConcurrentCalls,
    double CallsPerSecond,
    IReadOnlyList<WindowEntry> Window,
    TimeSpan Lookahead = default,
    AgentFigures? Agents = null,
    MeasuredFigures? Measured = null);
