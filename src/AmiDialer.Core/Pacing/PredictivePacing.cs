using System.Globalization;

namespace AmiDialer.Core.Pacing;

/// <summary>
/// Predictive pacing: places calls so that an agent is expected to be free when a callee answers, from this campaign's
/// measured figures (<see cref="PacingState.Measured"/>) and its queue's agents (<see cref="PacingState.Agents"/>).
/// The model and its formula are in the Core README ("Predictive pacing"). Progressive until
/// <paramref name="warmupAnswers"/> answers were measured, and at once whenever the abandon rate reaches
/// <paramref name="throttleAt"/> of <paramref name="maxAbandonRate"/>, until it is back under
/// <paramref name="resumeBelow"/> of it (hysteresis: one early abandon must not make it flap). Never above the fixed caps.
/// </summary>
/// <remarks>
/// Holds one bit of state, whether it is throttled, so one instance paces one campaign. No clock, no I/O.
/// </remarks>
public sealed class PredictivePacing(
    double maxAbandonRate = 0.03,
    double throttleAt = 0.8,
    double resumeBelow = 0.5,
    int warmupAnswers = 50,
    double progressiveRatio = 1.0,
    double answerMargin = PredictivePacing.DefaultAnswerMargin,
    FixedPacing? caps = null) : IPacingPolicy
{
    /// <summary>
    /// Standard deviations of the answer count kept in reserve. Without it the answers of the calls in flight exceed
    /// the agents half the time and about 2.5% of answers were abandoned in the model (held at 2.4% only by throttling);
    /// 0.5 gave about 1% at the same agent utilisation, 1.0 gave 0.3% with 2 points less (pacing bench, issue 26).
    /// </summary>
    public const double DefaultAnswerMargin = 0.5;

    private readonly FixedPacing _caps = caps ?? FixedPacing.Instance;
    private readonly ProgressivePacing _progressive = new(progressiveRatio, caps);

    /// <summary>Whether the abandon rate holds it at progressive now.</summary>
    public bool Throttled { get; private set; }

    public PacingDecision Decide(PacingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Measured is not { } measured || measured.AnswersMeasured < warmupAnswers)
        {
            var n = state.Measured?.AnswersMeasured ?? 0;
            return Fallback(state, string.Create(CultureInfo.InvariantCulture, $"predictive warming up ({n} of {warmupAnswers} answers measured)"));
        }

        var abandon = measured.AbandonRate;
        if (Throttled && abandon < resumeBelow * maxAbandonRate)
        {
            Throttled = false;
        }
        else if (!Throttled && abandon >= throttleAt * maxAbandonRate)
        {
            Throttled = true;
        }

        if (Throttled)
        {
            return Fallback(state, string.Create(CultureInfo.InvariantCulture,
                $"predictive throttled: abandon rate {abandon:0.0%} reached {throttleAt:0%} of the {maxAbandonRate:0.0#%} limit, until under {resumeBelow * maxAbandonRate:0.0#%}"));
        }

        if (state.Agents is not { } agents)
        {
            return new(0, null, PacingLimit.Agents, "predictive: no agent figures, no call");
        }

        var target = CallsInFlight(agents, measured, answerMargin);
        var wanted = (int)Math.Floor(target) - agents.Ringing;
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"predictive: {target:0.#} calls in flight for {agents.Free - agents.Waiting} free and {agents.Busy} busy agents at answer rate ≤ {measured.AnswerRateUpper:0.0%}, abandon {abandon:0.0%}");
        return ProgressivePacing.WithinCaps(_caps.Decide(state), wanted, reason);
    }

    /// <summary>
    /// The calls in flight whose expected answers, plus <paramref name="answerMargin"/> standard deviations of their
    /// number, match the agents expected free by then: free agents (less the answered calls waiting), plus busy agents
    /// × the chance one ends its call within the ring time to answer (ring ÷ mean talk, capped at 1: a call in progress
    /// ends at a uniformly random point of its talk time); answers counted at the answer rate's upper 95% bound (more
    /// answers assumed, so fewer calls placed: the error costs idle time, not abandoned callees).
    /// </summary>
    public static double CallsInFlight(AgentFigures agents, MeasuredFigures measured, double answerMargin = DefaultAnswerMargin)
    {
        ArgumentNullException.ThrowIfNull(agents);
        ArgumentNullException.ThrowIfNull(measured);
        var free = Math.Max(0, agents.Free - agents.Waiting);
        var freeing = measured.Talk > TimeSpan.Zero ? agents.Busy * Math.Min(1, measured.RingToAnswer / measured.Talk) : 0;
        var p = Math.Max(measured.AnswerRateUpper, 0.01);
        var agentsThen = free + freeing;

        // n calls give n p answers, standard deviation sqrt(n p (1 - p)): solve n p + margin × sqrt(n p (1 - p)) = agents
        // then, a quadratic in sqrt(n).
        var spread = answerMargin * Math.Sqrt(p * (1 - p));
        var rootN = (-spread + Math.Sqrt((spread * spread) + (4 * p * agentsThen))) / (2 * p);
        return rootN * rootN;
    }

    private PacingDecision Fallback(PacingState state, string why)
    {
        var decision = _progressive.Decide(state);
        return decision with { Reason = why + "; " + decision.Reason };
    }
}
