using AmiDialer.Core.Pacing;
using Xunit.Abstractions;

namespace AmiDialer.Core.Tests.Pacing;

/// <summary>The pacing policies alone in the seeded virtual-time model (<see cref="PacingModel"/>): 50 agents, 35% answer, talk 60-180 s.</summary>
public sealed class PacingModelTests(ITestOutputHelper output)
{
    private static readonly PacingModelSettings Settings = new();

    private PacingModelResult Run(IPacingPolicy policy, int maxConcurrent = 1000)
    {
        var result = new PacingModel(Settings, policy, maxConcurrent).Run();
        output.WriteLine($"{policy.GetType().Name} cap {maxConcurrent}: {result}");
        return result;
    }

    [Fact]
    public void Predictive_keeps_agents_85_percent_busy_with_under_3_percent_abandoned_over_5000_answers()
    {
        var result = Run(new PredictivePacing());

        Assert.True(result.Answered >= 5000, $"only {result.Answered} answers");
        Assert.True(result.Utilisation >= 0.85, $"agents busy {result.Utilisation:P1}");
        Assert.True(result.AbandonRate < 0.03, $"abandon rate {result.AbandonRate:P2}");
    }

    [Fact]
    public void Progressive_abandons_no_call_because_every_call_in_flight_has_a_free_agent()
    {
        var result = Run(new ProgressivePacing());

        Assert.True(result.Answered >= 5000, $"only {result.Answered} answers");
        Assert.Equal(0, result.Abandoned);
        Assert.True(result.MaxInFlight <= Settings.Agents, $"{result.MaxInFlight} calls in flight for {Settings.Agents} agents");
    }

    [Fact]
    public void Predictive_gives_more_answered_calls_per_agent_hour_than_progressive()
    {
        var progressive = Run(new ProgressivePacing());
        var predictive = Run(new PredictivePacing());

        Assert.True(predictive.ConnectedPerAgentHour >= 1.2 * progressive.ConnectedPerAgentHour,
            $"predictive {predictive.ConnectedPerAgentHour:0.0}/agent-hour against progressive {progressive.ConnectedPerAgentHour:0.0}");
    }

    [Fact]
    public void Predictive_with_no_answer_margin_is_held_under_the_limit_by_its_throttle()
    {
        var policy = new PredictivePacing(answerMargin: 0);
        var result = Run(policy);

        Assert.True(result.Abandoned > 50, $"{result.Abandoned} abandoned: the margin-free model should press on the limit");
        Assert.True(result.AbandonRate < 0.03, $"abandon rate {result.AbandonRate:P2}");
    }

    [Fact]
    public void Fixed_pacing_ignores_the_agents_and_abandons_when_its_concurrency_is_too_high()
    {
        var modest = Run(FixedPacing.Instance, maxConcurrent: 50);
        var tooMany = Run(FixedPacing.Instance, maxConcurrent: 100);

        Assert.True(modest.AbandonRate < 0.03, $"abandon rate {modest.AbandonRate:P2} at 50 calls");
        Assert.True(tooMany.AbandonRate > 0.2, $"abandon rate {tooMany.AbandonRate:P2} at 100 calls for 50 agents");
    }

    [Fact]
    public void The_same_seed_gives_the_same_run()
    {
        Assert.Equal(Run(new PredictivePacing()), Run(new PredictivePacing()));
    }
}
