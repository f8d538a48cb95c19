using AmiDialer.Core.Pacing;

namespace AmiDialer.Core.Tests.Pacing;

public sealed class AgentPacingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Measured figures after <paramref name="answers"/> answers, 35% answered over 1,000 calls, ring 10 s, talk 100 s.</summary>
    private static MeasuredFigures Measured(long answers = 500, int forAbandon = 500, int abandoned = 0) =>
        new(answers, 1000, 0.35, 0.38, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(100), forAbandon, abandoned);

    private static PacingState State(AgentFigures? agents, MeasuredFigures? measured = null, int active = 0, int max = 1000, double cps = 100) =>
        new(T0, active, max, cps, [], Agents: agents, Measured: measured);

    [Fact]
    public void Fixed_pacing_decides_the_same_whatever_the_agent_figures()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var window = Enumerable.Range(0, random.Next(4)).Select(_ => new WindowEntry(random.Next(1, 4), random.Next(3) == 0 ? null : T0.AddMilliseconds(-random.Next(1500)))).ToArray();
            var bare = new PacingState(T0, random.Next(20), random.Next(1, 20), random.Next(1, 10), window, TimeSpan.FromMilliseconds(random.Next(200)));
            var withAgents = bare with { Agents = new(random.Next(50), random.Next(50), random.Next(50), random.Next(5)), Measured = Measured(random.Next(1000)) };

            Assert.Equal(FixedPacing.Instance.Decide(bare), FixedPacing.Instance.Decide(withAgents));
            Assert.Null(FixedPacing.Instance.Decide(withAgents).Reason);
        }
    }

    [Fact]
    public void Progressive_keeps_one_call_in_flight_per_free_agent_times_the_ratio()
    {
        Assert.Equal(7, new ProgressivePacing().Decide(State(new(Free: 10, Busy: 40, Ringing: 3))).MayStart);
        Assert.Equal(17, new ProgressivePacing(2.0).Decide(State(new(Free: 10, Busy: 40, Ringing: 3))).MayStart);
        Assert.Equal(0, new ProgressivePacing().Decide(State(new(Free: 10, Busy: 40, Ringing: 12))).MayStart);

        var decision = new ProgressivePacing().Decide(State(new(Free: 10, Busy: 40, Ringing: 3)));
        Assert.Equal(PacingLimit.Agents, decision.LimitedBy);
        Assert.Contains("10 free agents", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Progressive_gives_free_agents_to_answered_calls_waiting_first()
    {
        Assert.Equal(4, new ProgressivePacing().Decide(State(new(Free: 6, Busy: 0, Ringing: 0, Waiting: 2))).MayStart);
        Assert.Equal(0, new ProgressivePacing().Decide(State(new(Free: 1, Busy: 0, Ringing: 0, Waiting: 3))).MayStart);
    }

    [Fact]
    public void Progressive_never_goes_above_the_fixed_caps()
    {
        var byConcurrency = new ProgressivePacing().Decide(State(new(Free: 30, Busy: 0, Ringing: 0), active: 5, max: 10));
        Assert.Equal(new PacingDecision(5, null, PacingLimit.Concurrency, byConcurrency.Reason), byConcurrency);

        var byRate = new ProgressivePacing().Decide(State(new(Free: 30, Busy: 0, Ringing: 0), cps: 4));
        Assert.Equal(4, byRate.MayStart);
        Assert.Equal(PacingLimit.Rate, byRate.LimitedBy);
    }

    [Fact]
    public void Progressive_places_nothing_without_agent_figures()
    {
        Assert.Equal(0, new ProgressivePacing().Decide(State(null)).MayStart);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressivePacing(0));
    }

    [Fact]
    public void Predictive_runs_as_progressive_until_50_answers_were_measured()
    {
        var agents = new AgentFigures(Free: 10, Busy: 40, Ringing: 3);
        var warming = new PredictivePacing().Decide(State(agents, Measured(answers: 49)));

        Assert.Equal(7, warming.MayStart);
        Assert.Contains("warming up (49 of 50", warming.Reason, StringComparison.Ordinal);
        Assert.Equal(7, new PredictivePacing().Decide(State(agents)).MayStart);
        Assert.Equal(30, new PredictivePacing().Decide(State(agents, Measured(answers: 50))).MayStart);
    }

    [Fact]
    public void Predictive_places_enough_calls_for_the_agents_free_by_the_answer_at_the_upper_answer_rate()
    {
        // 10 free + 40 busy × 10 s / 100 s = 14 agents expected free; at most 38% answer: 14 / 0.38 = 36.8 calls in
        // flight with no margin; with half a standard deviation, n × 0.38 + 0.5 × sqrt(n × 0.38 × 0.62) = 14 at n = 33.16.
        var agents = new AgentFigures(Free: 10, Busy: 40, Ringing: 3);
        Assert.Equal(36.84, PredictivePacing.CallsInFlight(agents, Measured(), answerMargin: 0), 2);
        Assert.Equal(33.16, PredictivePacing.CallsInFlight(agents, Measured()), 2);

        var decision = new PredictivePacing().Decide(State(agents, Measured()));
        Assert.Equal(30, decision.MayStart);
        Assert.Equal(PacingLimit.Agents, decision.LimitedBy);
        Assert.StartsWith("predictive: 33.2 calls in flight", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(10, new PredictivePacing().Decide(State(agents, Measured(), active: 90, max: 100)).MayStart);
    }

    [Fact]
    public void Predictive_throttles_to_progressive_at_80_percent_of_the_limit_and_comes_back_under_half_of_it()
    {
        var policy = new PredictivePacing();
        var agents = new AgentFigures(Free: 10, Busy: 40, Ringing: 3);
        Assert.Equal(30, policy.Decide(State(agents, Measured(abandoned: 11))).MayStart); // 2.2%: under 2.4%

        var throttled = policy.Decide(State(agents, Measured(abandoned: 12))); // 2.4%
        Assert.True(policy.Throttled);
        Assert.Equal(7, throttled.MayStart);
        Assert.Contains("abandon rate 2.4% reached 80% of the 3.0% limit, until under 1.5%", throttled.Reason, StringComparison.Ordinal);

        Assert.Equal(7, policy.Decide(State(agents, Measured(abandoned: 8))).MayStart); // 1.6%: still throttled (hysteresis)
        Assert.Equal(30, policy.Decide(State(agents, Measured(abandoned: 7))).MayStart); // 1.4%: predictive again
        Assert.False(policy.Throttled);
    }

    [Fact]
    public void Measurements_slide_and_the_abandon_window_forgets_old_answers()
    {
        var measurements = new PacingMeasurements(callWindow: 4, answerWindow: 2, abandonWindow: TimeSpan.FromHours(24));
        measurements.NotAnswered();
        measurements.Answered(TimeSpan.FromSeconds(4));
        measurements.AgentOutcome(T0, abandoned: true);
        measurements.Answered(TimeSpan.FromSeconds(8));
        measurements.AgentOutcome(T0.AddHours(1), abandoned: false);
        measurements.Answered(TimeSpan.FromSeconds(12));
        measurements.AgentOutcome(T0.AddHours(2), abandoned: false);
        measurements.NotAnswered(); // the first call leaves the 4-call window
        measurements.TalkEnded(TimeSpan.FromSeconds(60));
        measurements.TalkEnded(TimeSpan.FromSeconds(120));
        measurements.TalkEnded(TimeSpan.FromSeconds(180));

        var figures = measurements.Figures(T0.AddHours(23));
        Assert.Equal(3, figures.AnswersMeasured);
        Assert.Equal(4, figures.CallsInWindow);
        Assert.Equal(0.75, figures.AnswerRate);
        Assert.Equal(TimeSpan.FromSeconds(10), figures.RingToAnswer);
        Assert.Equal(TimeSpan.FromSeconds(150), figures.Talk);
        Assert.Equal((3, 1), (figures.AnswersForAbandon, figures.Abandoned));

        var later = measurements.Figures(T0.AddHours(24));
        Assert.Equal((2, 0, 0.0), (later.AnswersForAbandon, later.Abandoned, later.AbandonRate));
    }

    [Theory]
    [InlineData(35, 100, 0.4475)] // p = 0.35, n = 100: the interval 0.2637-0.4475
    [InlineData(350, 1000, 0.3801)]
    [InlineData(0, 10, 0.2775)]
    [InlineData(10, 10, 1.0)]
    [InlineData(0, 0, 1.0)]
    public void Wilson_upper_bound_at_95_percent(int answered, int calls, double upper)
    {
        Assert.Equal(upper, PacingMeasurements.WilsonUpper(answered, calls), 4);
    }
}
