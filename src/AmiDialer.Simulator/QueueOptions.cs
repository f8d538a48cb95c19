using System.Globalization;

namespace AmiDialer.Simulator;

/// <summary>A queue member as queues.conf (static) or QueueAdd (dynamic) makes it, and whether its phone picks up.</summary>
/// <param name="Interface">The member's device, e.g. <c>Local/201@agentphone</c>.</param>
/// <param name="Name">MemberName (defaults to the interface on Asterisk).</param>
/// <param name="Answers">False: the phone rings and nobody picks up (the lab's Local/299@agentphone, q5).</param>
/// <param name="Paused">Paused at start, with <paramref name="PausedReason"/>.</param>
public sealed record QueueAgent(string Interface, string Name, bool Answers = true, bool Paused = false, string PausedReason = "");

/// <summary>
/// One app_queue queue of the simulated PBX (queues.conf) and the scenario knobs that make it a call centre:
/// its members, how long a connected conversation lasts, and how long the queue's wrap-up keeps an agent out.
/// A destination that runs <c>Queue(&lt;name&gt;)</c> (context <c>queue</c>, extension <c>&lt;name&gt;</c>) puts the
/// answered callee in it.
/// </summary>
public sealed class QueueOptions
{
    /// <summary>The queue's name; the dialplan gets <c>[queue] exten => &lt;name&gt;,1,Queue(&lt;name&gt;,r)</c>.</summary>
    public string Name { get; set; } = "sales";

    /// <summary>What QueueParams reports. Members are always rung as rrmemory does (round robin with memory, one at a time per caller).</summary>
    public string Strategy { get; set; } = "rrmemory";

    /// <summary>How long a member rings before AgentRingNoAnswer (queues.conf timeout; PBX seconds).</summary>
    public double TimeoutSeconds { get; set; } = 15;

    /// <summary>Pause after a member did not answer before the next ring (queues.conf retry).</summary>
    public double RetrySeconds { get; set; } = 1;

    /// <summary>After a call, a member gets no call for this long (queues.conf wrapuptime). No event marks it.</summary>
    public double WrapUpSeconds { get; set; } = 2;

    /// <summary>
    /// A conversation with an agent lasts a uniform draw from this range (PBX seconds), after which the callee hangs up
    /// (AgentComplete Reason caller). Null: the callee's own talk time from its answer, as the lab's pstn dialplan does.
    /// </summary>
    public (double Min, double Max)? AgentTalkSeconds { get; set; }

    /// <summary>
    /// How long an answered callee waits for an agent before hanging up (uniform in the range, PBX seconds from the
    /// join): the abandon. Null: until its own talk time ends, as in the captures.
    /// </summary>
    public (double Min, double Max)? PatienceSeconds { get; set; }

    /// <summary>Seed of the talk and patience draws (repeatable runs).</summary>
    public int Seed { get; set; } = 1;

    /// <summary>queues.conf's static members (Membership static): QueueRemove refuses them.</summary>
    public IReadOnlyList<QueueAgent> Members { get; set; } = [];

    /// <summary>The lab's queue of QUEUES.md: <c>sales</c>, rrmemory, timeout 15, retry 1, wrapuptime 2, static Agent 201 and Agent 202.</summary>
    public static QueueOptions TestPbx() => new()
    {
        Members = [new("Local/201@agentphone", "Agent 201"), new("Local/202@agentphone", "Agent 202")],
    };

    /// <summary>This queue's category of queues.conf, as the lab's file has it (QUEUES.md); wrapuptime in whole PBX seconds.</summary>
    internal ConfigCategory QueuesConf() => new(Name,
    [
        new("strategy", Strategy, false),
        new("timeout", Whole(TimeoutSeconds), false),
        new("retry", Whole(RetrySeconds), false),
        new("wrapuptime", Whole(WrapUpSeconds), false),
        new("ringinuse", "no", false),
        new("autopause", "no", false),
        new("joinempty", "yes", false),
        new("leavewhenempty", "no", false),
        new("setinterfacevar", "yes", false),
        .. Members.Select(m => new ConfigLine("member", $"{m.Interface},0,{m.Name}", true)),
    ]);

    // app_queue reads these as whole seconds.
    private static string Whole(double seconds) => ((int)Math.Round(seconds, MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A call centre for pacing tests: <paramref name="agents"/> static members Local/1001@agentphone... ("Agent 1001"...),
    /// the last <paramref name="noAnswerAgents"/> of which never pick up.
    /// </summary>
    public static QueueOptions CallCentre(string name, int agents, int noAnswerAgents = 0, (double Min, double Max)? talkSeconds = null, double wrapUpSeconds = 2, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(agents);
        ArgumentOutOfRangeException.ThrowIfNegative(noAnswerAgents);
        return new QueueOptions
        {
            Name = name,
            WrapUpSeconds = wrapUpSeconds,
            AgentTalkSeconds = talkSeconds,
            Seed = seed,
            Members = Enumerable.Range(0, agents).Select(i =>
            {
                var number = (1001 + i).ToString(CultureInfo.InvariantCulture);
                return new QueueAgent($"Local/{number}@agentphone", "Agent " + number, Answers: i < agents - noAnswerAgents);
            }).ToList(),
        };
    }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Any(c => char.IsWhiteSpace(c) || c is ',' or '|'))
        {
            throw new ArgumentException($"Queue name '{Name}' is not usable in a dialplan.", nameof(Name));
        }

        if (TimeoutSeconds <= 0 || RetrySeconds < 0 || WrapUpSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TimeoutSeconds), $"Queue {Name}: timeout must be positive, retry and wrap-up zero or more.");
        }

        foreach (var range in new[] { AgentTalkSeconds, PatienceSeconds })
        {
            if (range is { } r && (r.Min < 0 || r.Max < r.Min))
            {
                throw new ArgumentOutOfRangeException(nameof(AgentTalkSeconds), $"Queue {Name}: a range needs 0 <= min <= max.");
            }
        }

        var duplicate = Members.GroupBy(m => m.Interface, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Queue {Name}: member {duplicate.Key} is listed twice.", nameof(Members));
        }
    }
}
