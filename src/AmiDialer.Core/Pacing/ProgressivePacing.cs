using System.Globalization;

namespace AmiDialer.Core.Pacing;

/// <summary>
/// Progressive pacing: calls in flight (placed, not answered yet) = free agents × <paramref name="ratio"/>, where an
/// answered call still waiting for an agent takes a free agent first. Never above the fixed caps (concurrency and the
/// sliding window: <see cref="FixedPacing"/> decides those). With ratio 1 every answer has its agent, so no call is
/// abandoned unless agents leave.
/// </summary>
public sealed class ProgressivePacing(double ratio = 1.0, FixedPacing? caps = null) : IPacingPolicy
{
    private readonly FixedPacing _caps = caps ?? FixedPacing.Instance;

    public double Ratio { get; } = ratio > 0 && double.IsFinite(ratio) ? ratio : throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The ratio of calls in flight per free agent must be a positive number.");

    public PacingDecision Decide(PacingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Agents is not { } agents)
        {
            return new(0, null, PacingLimit.Agents, "progressive: no agent figures, no call");
        }

        var free = Math.Max(0, agents.Free - agents.Waiting);
        var wanted = (int)Math.Floor(free * Ratio) - agents.Ringing;
        var reason = string.Create(CultureInfo.InvariantCulture, $"progressive: {free} free agents × {Ratio:0.##}, {agents.Ringing} ringing");
        return WithinCaps(_caps.Decide(state), wanted, reason);
    }

    /// <summary>The fewer of what the agents allow and what the caps allow; the caps' decision when they bind.</summary>
    internal static PacingDecision WithinCaps(PacingDecision caps, int wanted, string reason) =>
        wanted < caps.MayStart
            ? new(Math.Max(0, wanted), null, PacingLimit.Agents, reason)
            : caps with { Reason = reason };
}
