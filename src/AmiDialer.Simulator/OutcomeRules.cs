using System.Text.RegularExpressions;

namespace AmiDialer.Simulator;

/// <summary>
/// The fate of one call: outcome, how long it rings and how long the conversation lasts (real Asterisk
/// seconds, before the time scale), and which recorded answered variant plays ("answered", "short", "long", "playback").
/// </summary>
public sealed record CallPlan(SimulatedOutcome Outcome, TimeSpan Ring, TimeSpan Talk, string Flavor = CallPlan.DefaultFlavor)
{
    public const string DefaultFlavor = "answered";
}

/// <summary>A number pattern (a .NET regular expression matched against the dialled number) and the call it gives.</summary>
public sealed record OutcomeRule(string Pattern, SimulatedOutcome Outcome, double? RingSeconds = null, double? TalkSeconds = null, string? Flavor = null)
{
    private Regex? _regex;

    internal bool Matches(string number) => (_regex ??= new Regex(Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).IsMatch(number);
}

/// <summary>One weighted entry of the random mix; ring and talk are drawn uniformly from [min, max] seconds.</summary>
public sealed record OutcomeMixEntry(SimulatedOutcome Outcome, double Weight, double RingMinSeconds = 2, double RingMaxSeconds = 8, double TalkMinSeconds = 5, double TalkMaxSeconds = 60);

/// <summary>
/// Decides each call's fate: the first matching pattern rule wins; numbers no rule matches get a draw from the
/// seeded mix (deterministic for a given seed and call order); with no mix, they are answered.
/// </summary>
public sealed class OutcomeRules
{
    private readonly Random _random;
    private readonly Lock _gate = new();

    public OutcomeRules(IEnumerable<OutcomeRule>? rules = null, IEnumerable<OutcomeMixEntry>? mix = null, int seed = 1)
    {
        Rules = rules?.ToArray() ?? [];
        Mix = mix?.ToArray() ?? [];
        Seed = seed;
        _random = new Random(seed);
        if (Mix.Any(m => m.Weight < 0 || double.IsNaN(m.Weight)))
        {
            throw new ArgumentException("Outcome mix weights must be zero or more.", nameof(mix));
        }
    }

    public IReadOnlyList<OutcomeRule> Rules { get; }

    public IReadOnlyList<OutcomeMixEntry> Mix { get; }

    public int Seed { get; }

    /// <summary>The recorded test PBX: the last digit of the number picks the outcome (capture README's table).</summary>
    public static OutcomeRules TestPbx() => new(
    [
        new("[01]$", SimulatedOutcome.Answered, 2, 5),
        new("2$", SimulatedOutcome.Busy),
        new("3$", SimulatedOutcome.NoAnswer),
        new("4$", SimulatedOutcome.Congestion),
        new("5$", SimulatedOutcome.Unallocated),
        new("6$", SimulatedOutcome.Answered, 0, 1, "short"),
        new("7$", SimulatedOutcome.Answered, 0, 9.5, "long"),
        new("8$", SimulatedOutcome.Rejected, 4),
        new("9$", SimulatedOutcome.Answered, 0, 2, "playback"),
    ]);

    /// <summary>A plausible campaign: most calls answered after a few rings, the rest spread over the failures.</summary>
    public static OutcomeRules RealisticMix(int seed = 1) => new(mix:
    [
        new(SimulatedOutcome.Answered, 45, 3, 15, 10, 120),
        new(SimulatedOutcome.NoAnswer, 25),
        new(SimulatedOutcome.Busy, 12, 0, 1),
        new(SimulatedOutcome.Rejected, 5, 2, 10),
        new(SimulatedOutcome.Congestion, 5, 0, 0.5),
        new(SimulatedOutcome.Unallocated, 5, 0, 0.5),
        new(SimulatedOutcome.ChannelUnavailable, 3, 0, 0),
    ], seed: seed);

    public CallPlan Decide(string number)
    {
        foreach (var rule in Rules)
        {
            if (rule.Matches(number))
            {
                return Plan(rule.Outcome, rule.RingSeconds, rule.TalkSeconds, rule.Flavor);
            }
        }

        var total = Mix.Sum(m => m.Weight);
        if (total <= 0)
        {
            return Plan(SimulatedOutcome.Answered, null, null, null);
        }

        lock (_gate)
        {
            var pick = _random.NextDouble() * total;
            var entry = Mix[^1];
            foreach (var m in Mix)
            {
                if (pick < m.Weight)
                {
                    entry = m;
                    break;
                }

                pick -= m.Weight;
            }

            var ring = entry.RingMinSeconds + (_random.NextDouble() * (entry.RingMaxSeconds - entry.RingMinSeconds));
            var talk = entry.TalkMinSeconds + (_random.NextDouble() * (entry.TalkMaxSeconds - entry.TalkMinSeconds));
            return Plan(entry.Outcome, ring, talk, null);
        }
    }

    private static CallPlan Plan(SimulatedOutcome outcome, double? ring, double? talk, string? flavor)
    {
        var defaultRing = outcome switch
        {
            SimulatedOutcome.Answered => flavor is null or CallPlan.DefaultFlavor ? 2 : 0,
            SimulatedOutcome.Rejected => 4,
            _ => 0,
        };
        var defaultTalk = flavor switch { "short" => 1, "long" => 9.5, "playback" => 2, _ => 5 };
        return new CallPlan(
            outcome,
            TimeSpan.FromSeconds(Math.Max(0, ring ?? defaultRing)),
            TimeSpan.FromSeconds(Math.Max(0, talk ?? defaultTalk)),
            flavor ?? CallPlan.DefaultFlavor);
    }
}
