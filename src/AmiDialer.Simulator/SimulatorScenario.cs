using System.Text.Json;
using System.Text.Json.Serialization;

namespace AmiDialer.Simulator;

/// <summary>
/// A scenario file for <c>amidialer simulate --scenario file.json</c> (and for tests): JSON, with comments and
/// trailing commas allowed, property names in any case; an unknown property is an error, so a typo is not ignored.
/// <code>
/// {
///   "timeScale": 10, "maxChannels": 200, "responseLatencyMs": 0, "seed": 7,
///   "users": [ { "username": "dialer", "secret": "dialerpass", "read": "all", "write": "all" } ],
///   "rules": [ { "pattern": "2$", "outcome": "busy" }, { "pattern": "^555", "outcome": "answered", "ringSeconds": 3, "talkSeconds": 20 } ],
///   "mix":   [ { "outcome": "answered", "weight": 60, "ringSeconds": [2, 8], "talkSeconds": [10, 90] }, { "outcome": "noAnswer", "weight": 40 } ],
///   "contexts": { "dialer-answered": [ "_X.", "s" ] }, "ledger": true
/// }
/// </code>
/// Every property is optional. timeScale: simulated seconds per real second (default 1). maxChannels: live channels
/// allowed at once (default no limit). responseLatencyMs: added before every Response. seed: of the random mix (when
/// absent, each start draws one and <see cref="AmiSimulator.WriteLoginInstructions"/> prints it). users: manager.conf
/// users, read/write as Asterisk's classes ("all", "none", or a comma list such as "call,system"); default the test
/// PBX's dialer/dialerpass (all) and readonly/ro (write none). rules: a .NET regular expression against the dialled
/// number, tried in order, with optional ringSeconds, talkSeconds and flavor ("answered", "short", "long",
/// "playback"). mix: weighted outcomes with [min, max] ring and talk seconds, for numbers no rule matches.
/// contexts: extra dialplan contexts with their extension patterns. ledger: true when the PBX has AmiDialer's
/// outcome-ledger dialplan ([amidialer-dial], [amidialer-ledger], [amidialer-c2c]; default false).
/// Outcomes: answered, busy, noAnswer, congestion, rejected, unallocated, channelUnavailable. With neither rules nor
/// mix, the test PBX's last-digit table applies. Errors name the file and the property (e.g. <c>rules[0].pattern</c>).
/// </summary>
public sealed class SimulatorScenario
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public double TimeScale { get; set; } = 1;

    public int? MaxChannels { get; set; }

    public int ResponseLatencyMs { get; set; }

    /// <summary>Seed of the random mix; null draws a new one at each <see cref="ToOptions"/>.</summary>
    public int? Seed { get; set; }

    public List<ScenarioUser>? Users { get; set; }

    public List<ScenarioRule>? Rules { get; set; }

    public List<ScenarioMixEntry>? Mix { get; set; }

    public Dictionary<string, List<string>>? Contexts { get; set; }

    /// <summary>True: the PBX has AmiDialer's outcome-ledger dialplan (<see cref="SimulatorOptions.LedgerInstalled"/>).</summary>
    public bool Ledger { get; set; }

    /// <summary>Files extensions.conf <c>#include</c>s (<see cref="SimulatorOptions.Includes"/>), e.g. ["amidialer.conf"] for a ledger installed through AMI.</summary>
    public List<string>? Includes { get; set; }

    /// <summary>app_queue's queues (<see cref="SimulatorOptions.Queues"/>); absent: the lab's <c>sales</c> with Agent 201 and 202; [] for none.</summary>
    public List<ScenarioQueue>? Queues { get; set; }

    /// <summary>
    /// What <c>amidialer simulate</c> uses without --scenario: the test PBX users and
    /// <see cref="OutcomeRules.RealisticMix"/> (not the last-digit table, which is <c>--outcomes last-digit</c>).
    /// </summary>
    public static SimulatorScenario Default() => new()
    {
        Mix = OutcomeRules.RealisticMix().Mix.Select(m => new ScenarioMixEntry
        {
            Outcome = m.Outcome,
            Weight = m.Weight,
            RingSeconds = [m.RingMinSeconds, m.RingMaxSeconds],
            TalkSeconds = [m.TalkMinSeconds, m.TalkMaxSeconds],
        }).ToList(),
    };

    /// <summary>Reads a scenario file; errors name the file and say what is wrong and where (the property, and the line for JSON syntax).</summary>
    public static async Task<SimulatorScenario> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SimulatorScenarioException($"{path}: cannot read the scenario file: {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    public static SimulatorScenario Parse(string json, string source = "scenario")
    {
        SimulatorScenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize<SimulatorScenario>(json, Json);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
            // "$.rules[0].outcome" -> "rules[0].outcome": the field as the scenario's author wrote it.
            var field = ex.Path is { Length: > 1 } path ? path.TrimStart('$', '.') + ": " : "";
            throw new SimulatorScenarioException($"{source}{where}: {field}{Explain(ex)}", ex);
        }

        if (scenario is null)
        {
            throw new SimulatorScenarioException($"{source}: the scenario is empty (null).");
        }

        scenario.Check(source);
        return scenario;
    }

    /// <summary>System.Text.Json's message in the scenario's terms: no .NET type names, no repeated position.</summary>
    private static string Explain(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        message = cut >= 0 ? message[..cut] : message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return "unknown property (see the scenario format: timeScale, maxChannels, responseLatencyMs, seed, users, rules, mix, contexts, ledger, includes, queues).";
        }

        const string Converted = "could not be converted to ";
        var at = message.IndexOf(Converted, StringComparison.Ordinal);
        if (at < 0)
        {
            return message;
        }

        var type = message[(at + Converted.Length)..];
        return type switch
        {
            _ when type.Contains(nameof(SimulatedOutcome), StringComparison.Ordinal) =>
                "not an outcome: use one of " + string.Join(", ", Enum.GetValues<SimulatedOutcome>().Select(o => JsonNamingPolicy.CamelCase.ConvertName(o.ToString()))) + ".",
            _ when type.Contains("Double[]", StringComparison.Ordinal) => "must be [min, max] seconds.",
            _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Int32", StringComparison.Ordinal) => "must be a number.",
            _ when type.Contains("String", StringComparison.Ordinal) && type.Contains("List", StringComparison.Ordinal) => "must be a list of text values.",
            _ when type.Contains("String", StringComparison.Ordinal) => "must be text (in quotes).",
            _ when type.Contains("List", StringComparison.Ordinal) => "must be a list [ ... ].",
            _ => "must be an object { ... }.",
        };
    }

    /// <summary>Options for <see cref="AmiSimulator.StartAsync(SimulatorOptions?, CancellationToken)"/>; change address/port/logging afterwards.</summary>
    public SimulatorOptions ToOptions()
    {
        var rules = Rules?.Select(r => new OutcomeRule(r.Pattern!, r.Outcome, r.RingSeconds, r.TalkSeconds, r.Flavor)).ToList() ?? [];
        var mix = Mix?.Select(m => new OutcomeMixEntry(
            m.Outcome, m.Weight,
            m.RingSeconds?[0] ?? 2, m.RingSeconds?[^1] ?? 8,
            m.TalkSeconds?[0] ?? 5, m.TalkSeconds?[^1] ?? 60)).ToList() ?? [];
        return new SimulatorOptions
        {
            TimeScale = TimeScale,
            MaxConcurrentChannels = MaxChannels,
            ResponseLatency = TimeSpan.FromMilliseconds(ResponseLatencyMs),
            Users = Users is { Count: > 0 } users
                ? users.Select(u => new SimulatorUser(u.Username!, u.Secret!, AmiPrivileges.Parse(u.Read ?? "all"), AmiPrivileges.Parse(u.Write ?? "all"))).ToList()
                : SimulatorUser.TestPbxUsers,
            Outcomes = rules.Count == 0 && mix.Count == 0 ? OutcomeRules.TestPbx() : new OutcomeRules(rules, mix, Seed ?? Random.Shared.Next(1, int.MaxValue)),
            LedgerInstalled = Ledger,
            Includes = Includes ?? [],
            ExtraContexts = Contexts?.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value) ?? new Dictionary<string, IReadOnlyList<string>>(),
            Queues = Queues?.Select(q => q.ToOptions(Seed ?? 1)).ToList() ?? [QueueOptions.TestPbx()],
        };
    }

    private void Check(string source)
    {
        if (TimeScale <= 0 || double.IsNaN(TimeScale) || double.IsInfinity(TimeScale))
        {
            throw new SimulatorScenarioException($"{source}: timeScale must be a positive number (got {TimeScale}).");
        }

        if (MaxChannels is < 0)
        {
            throw new SimulatorScenarioException($"{source}: maxChannels must be 0 or more.");
        }

        if (ResponseLatencyMs < 0)
        {
            throw new SimulatorScenarioException($"{source}: responseLatencyMs must be 0 or more.");
        }

        for (var i = 0; i < (Users?.Count ?? 0); i++)
        {
            var u = Users![i];
            if (string.IsNullOrEmpty(u.Username) || u.Secret is null)
            {
                throw new SimulatorScenarioException($"{source}: users[{i}] needs a username and a secret.");
            }
        }

        for (var i = 0; i < (Includes?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(Includes![i]) || Includes[i].Contains('/', StringComparison.Ordinal))
            {
                throw new SimulatorScenarioException($"{source}: includes[{i}] must be a file name in the configuration folder, like \"amidialer.conf\".");
            }
        }

        for (var i = 0; i < (Rules?.Count ?? 0); i++)
        {
            var r = Rules![i];
            if (string.IsNullOrEmpty(r.Pattern))
            {
                throw new SimulatorScenarioException($"{source}: rules[{i}].pattern is missing.");
            }

            try
            {
                _ = new System.Text.RegularExpressions.Regex(r.Pattern);
            }
            catch (ArgumentException ex)
            {
                throw new SimulatorScenarioException($"{source}: rules[{i}].pattern is not a valid regular expression: {ex.Message}", ex);
            }

            if (r.RingSeconds is < 0 || r.TalkSeconds is < 0)
            {
                throw new SimulatorScenarioException($"{source}: rules[{i}] ringSeconds and talkSeconds must be 0 or more.");
            }
        }

        for (var i = 0; i < (Queues?.Count ?? 0); i++)
        {
            Queues![i].Check($"{source}: queues[{i}]");
        }

        if (Queues?.GroupBy(q => q.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new SimulatorScenarioException($"{source}: queues: '{twice.Key}' is defined twice.");
        }

        for (var i = 0; i < (Mix?.Count ?? 0); i++)
        {
            var m = Mix![i];
            if (m.Weight < 0)
            {
                throw new SimulatorScenarioException($"{source}: mix[{i}].weight must be 0 or more.");
            }

            foreach (var (name, range) in new[] { ("ringSeconds", m.RingSeconds), ("talkSeconds", m.TalkSeconds) })
            {
                if (range is not null && (range.Length is < 1 or > 2 || range.Any(x => x < 0) || range[0] > range[^1]))
                {
                    throw new SimulatorScenarioException($"{source}: mix[{i}].{name} must be [min, max] seconds with 0 <= min <= max.");
                }
            }
        }
    }
}

public sealed class ScenarioUser
{
    public string? Username { get; set; }

    public string? Secret { get; set; }

    public string? Read { get; set; }

    public string? Write { get; set; }
}

public sealed class ScenarioRule
{
    public string? Pattern { get; set; }

    public SimulatedOutcome Outcome { get; set; }

    public double? RingSeconds { get; set; }

    public double? TalkSeconds { get; set; }

    /// <summary>For answered calls: "answered" (default), "short", "long" or "playback" (captures d0, d6, d7, d9).</summary>
    public string? Flavor { get; set; }
}

public sealed class ScenarioMixEntry
{
    public SimulatedOutcome Outcome { get; set; }

    public double Weight { get; set; } = 1;

    public double[]? RingSeconds { get; set; }

    public double[]? TalkSeconds { get; set; }
}

/// <summary>
/// A queue of the scenario: <c>name</c>, and either <c>members</c> (interface, name, answers, paused, reason) or
/// <c>agents</c> (that many static members Local/1001@agentphone..., of which the last <c>noAnswerAgents</c> never pick
/// up); <c>talkSeconds</c> [min, max] of a conversation with an agent, <c>wrapUpSeconds</c>, <c>timeoutSeconds</c> (ring
/// before AgentRingNoAnswer), <c>retrySeconds</c>, <c>patienceSeconds</c> [min, max] a callee waits before abandoning.
/// </summary>
public sealed class ScenarioQueue
{
    public string Name { get; set; } = "sales";

    public int? Agents { get; set; }

    public int NoAnswerAgents { get; set; }

    public List<ScenarioQueueMember>? Members { get; set; }

    public double[]? TalkSeconds { get; set; }

    public double[]? PatienceSeconds { get; set; }

    public double WrapUpSeconds { get; set; } = 2;

    public double TimeoutSeconds { get; set; } = 15;

    public double RetrySeconds { get; set; } = 1;

    internal QueueOptions ToOptions(int seed)
    {
        var queue = Members is { } members
            ? new QueueOptions { Name = Name, Members = members.Select(m => new QueueAgent(m.Interface!, m.Name ?? m.Interface!, m.Answers, m.Paused, m.Reason ?? "")).ToList() }
            : Agents is { } agents ? QueueOptions.CallCentre(Name, agents, NoAnswerAgents) : QueueOptions.TestPbx();
        queue.Name = Name;
        queue.AgentTalkSeconds = Range(TalkSeconds);
        queue.PatienceSeconds = Range(PatienceSeconds);
        queue.WrapUpSeconds = WrapUpSeconds;
        queue.TimeoutSeconds = TimeoutSeconds;
        queue.RetrySeconds = RetrySeconds;
        queue.Seed = seed;
        return queue;
    }

    private static (double Min, double Max)? Range(double[]? range) => range is null ? null : (range[0], range[^1]);

    internal void Check(string where)
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Any(c => char.IsWhiteSpace(c) || c is ',' or '|'))
        {
            throw new SimulatorScenarioException($"{where}.name must be a queue name without spaces, commas or '|'.");
        }

        if (Agents is < 0 || NoAnswerAgents < 0 || NoAnswerAgents > (Agents ?? 0) && Members is null)
        {
            throw new SimulatorScenarioException($"{where}: agents must be 0 or more, and noAnswerAgents between 0 and agents.");
        }

        if (Agents is not null && Members is not null)
        {
            throw new SimulatorScenarioException($"{where}: give either agents (a count) or members (a list), not both.");
        }

        for (var i = 0; i < (Members?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(Members![i].Interface) || !Members[i].Interface!.Contains('/', StringComparison.Ordinal))
            {
                throw new SimulatorScenarioException($"{where}.members[{i}].interface must be a device such as \"Local/201@agentphone\".");
            }
        }

        foreach (var (name, range) in new[] { ("talkSeconds", TalkSeconds), ("patienceSeconds", PatienceSeconds) })
        {
            if (range is not null && (range.Length is < 1 or > 2 || range.Any(x => x < 0) || range[0] > range[^1]))
            {
                throw new SimulatorScenarioException($"{where}.{name} must be [min, max] seconds with 0 <= min <= max.");
            }
        }

        if (TimeoutSeconds <= 0 || RetrySeconds < 0 || WrapUpSeconds < 0)
        {
            throw new SimulatorScenarioException($"{where}: timeoutSeconds must be positive, retrySeconds and wrapUpSeconds 0 or more.");
        }
    }
}

public sealed class ScenarioQueueMember
{
    public string? Interface { get; set; }

    public string? Name { get; set; }

    public bool Answers { get; set; } = true;

    public bool Paused { get; set; }

    public string? Reason { get; set; }
}

/// <summary>A scenario file that cannot be used; the message says which file, where and why.</summary>
public sealed class SimulatorScenarioException : Exception
{
    public SimulatorScenarioException()
    {
    }

    public SimulatorScenarioException(string message)
        : base(message)
    {
    }

    public SimulatorScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
