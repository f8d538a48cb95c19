using System.Globalization;
using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;
using AmiDialer.Core.Scheduling;

namespace AmiDialer.Core.Preflight;

/// <summary>
/// Dialable leads (pending or waiting to retry) that share a state, callee zones and whether they are due by their own
/// time: the store counts them in groups, so the schedule is asked once per group, not once per lead.
/// </summary>
/// <param name="OnDoNotCall">How many of them are on the do-not-call list (global or the campaign's): the dialer will block them.</param>
/// <param name="FirstDueAt">The earliest due time in the group (null when none has one).</param>
public sealed record PreflightLeadGroup(LeadState State, IReadOnlyList<string> TimeZones, bool Due, long Count, long OnDoNotCall, DateTimeOffset? FirstDueAt);

/// <summary>What the campaign's own calls so far say: attempts per finished lead and how long a call holds a line.</summary>
/// <param name="FinishedLeads">Leads final after at least one attempt.</param>
/// <param name="FinishedLeadAttempts">The attempts those leads took.</param>
/// <param name="EndedAttempts">Ended attempts <paramref name="AverageLineSeconds"/> was measured over.</param>
/// <param name="AverageLineSeconds">Seconds from claim to end of those attempts (ring and talk), or null.</param>
public sealed record PreflightHistory(long FinishedLeads, long FinishedLeadAttempts, long EndedAttempts, double? AverageLineSeconds)
{
    public static PreflightHistory None { get; } = new(0, 0, 0, null);
}

/// <summary>
/// One configured AMI server: its call slots (the cap in force over the cluster), the calls open on it now over every
/// node, and whether it is connected (null: not known here).
/// </summary>
public sealed record PreflightServer(string Name, int Capacity, int LiveCalls, bool? Connected)
{
    /// <summary>Of <see cref="LiveCalls"/>, this node's own; null when this process runs no engine.</summary>
    public int? ThisNodeCalls { get; init; }
}

/// <summary>
/// A campaign before it starts (#24): of its leads, how many are dialable now, blocked by do-not-call, outside calling
/// hours now (and when the first of them opens), kept by the campaign's own schedule, due later, in progress, exhausted
/// or already final (the counts add up to <see cref="Leads"/>); the time it would need at its pacing; and whether the
/// servers' free call slots cover its concurrency. Built by <see cref="Of"/>, pure: the store and the engine only count.
/// </summary>
public sealed record CampaignPreflight
{
    /// <summary>Below this many finished leads or ended attempts the campaign's own figures are not trusted yet.</summary>
    public const int MeasuredFrom = 20;

    /// <summary>The talk time assumed per call before the campaign has calls of its own (added to its ring timeout).</summary>
    public static readonly TimeSpan AssumedTalk = TimeSpan.FromSeconds(30);

    public required DateTimeOffset At { get; init; }
    public required long Leads { get; init; }
    public required long DialableNow { get; init; }
    public required long BlockedByDoNotCall { get; init; }
    public required long OutsideCallingHours { get; init; }

    /// <summary>When the first lead outside its calling hours may be called.</summary>
    public DateTimeOffset? CallingHoursOpenAt { get; init; }

    public required long OutsideCampaignSchedule { get; init; }
    public DateTimeOffset? CampaignScheduleOpensAt { get; init; }

    /// <summary>Retries not due yet, or leads moved to a later time.</summary>
    public required long DueLater { get; init; }
    public DateTimeOffset? FirstDueLaterAt { get; init; }

    /// <summary>No allowed time before the campaign's end: they will expire undialed.</summary>
    public required long WillExpire { get; init; }
    public required long InProgress { get; init; }
    public required long Exhausted { get; init; }

    /// <summary>Done or expired: nothing more happens to them.</summary>
    public required long AlreadyFinal { get; init; }

    /// <summary>Leads the campaign will still call: dialable now, outside hours or schedule, due later, in progress.</summary>
    public long ToCall => DialableNow + OutsideCallingHours + OutsideCampaignSchedule + DueLater + InProgress;

    public required double AttemptsPerLead { get; init; }
    public required int MaxAttemptsPerLead { get; init; }
    public required string AttemptsBasis { get; init; }
    public required double LineSecondsPerCall { get; init; }
    public required string LineBasis { get; init; }

    /// <summary>Calls a second at its pacing: the lower of its concurrency over the line time and its calls per second.</summary>
    public required double CallsPerSecond { get; init; }
    public required string RateBasis { get; init; }

    /// <summary><see cref="ToCall"/> × <see cref="AttemptsPerLead"/> ÷ <see cref="CallsPerSecond"/>; closed hours not counted.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The same with every lead taking <see cref="MaxAttemptsPerLead"/>.</summary>
    public required TimeSpan DurationAtMost { get; init; }

    public required int Concurrency { get; init; }

    /// <summary>Call slots of the servers counted (connected ones when that is known), and those free now.</summary>
    public required int ServerCapacity { get; init; }
    public required int ServerFree { get; init; }
    public required bool CapacityCovers { get; init; }
    public required string CapacityVerdict { get; init; }

    /// <summary>Each server's calls, "pbx1 12 of 40 in use, 5 by this node" (every node's calls against the cap in force); empty without servers.</summary>
    public string ServerUse { get; init; } = "";

    public static CampaignPreflight Of(
        Campaign campaign,
        DateTimeOffset now,
        IReadOnlyDictionary<LeadState, long> leadsByState,
        IReadOnlyList<PreflightLeadGroup> dialable,
        PreflightHistory history,
        IReadOnlyList<PreflightServer> servers)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(leadsByState);
        ArgumentNullException.ThrowIfNull(dialable);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(servers);
        var schedule = DialingSchedule.For(campaign);
        var campaignOnly = LeadWait.CampaignOnly(campaign);
        long dialableNow = 0, dnc = 0, hours = 0, own = 0, later = 0, expire = 0;
        DateTimeOffset? hoursOpen = null, ownOpens = null, laterAt = null;
        foreach (var group in dialable)
        {
            // The dialer blocks a number on the list when it reaches it, whatever its time: never called.
            dnc += group.OnDoNotCall;
            var count = group.Count - group.OnDoNotCall;
            if (count <= 0)
            {
                continue;
            }

            if (!group.Due)
            {
                later += count;
                laterAt = Min(laterAt, group.FirstDueAt);
                continue;
            }

            var wait = LeadWait.Of(group.State, now, group.TimeZones, now, schedule, campaignOnly);
            switch (wait.Kind)
            {
                case WaitKind.DueNow:
                    dialableNow += count;
                    break;
                case WaitKind.OutsideCallingHours:
                    hours += count;
                    hoursOpen = Min(hoursOpen, wait.Until);
                    break;
                case WaitKind.OutsideCampaignSchedule:
                    own += count;
                    ownOpens = Min(ownOpens, wait.Until);
                    break;
                default:
                    expire += count;
                    break;
            }
        }

        var maxAttempts = MaxAttempts(campaign);
        var (perLead, attemptsBasis) = Attempts(history, maxAttempts);
        var (line, lineBasis) = Line(campaign, history);
        var concurrencyRate = campaign.MaxConcurrentCalls / line;
        var rate = Math.Min(concurrencyRate, campaign.CallsPerSecond);
        var rateBasis = concurrencyRate <= campaign.CallsPerSecond
            ? $"its concurrency: {campaign.MaxConcurrentCalls} lines ÷ {Seconds(line)} s a call = {Rate(concurrencyRate)} calls/s (below its {Rate(campaign.CallsPerSecond)} calls/s)"
            : $"its calls per second: {Rate(campaign.CallsPerSecond)} (its {campaign.MaxConcurrentCalls} lines could carry {Rate(concurrencyRate)} calls/s)";

        var counted = servers.Where(s => s.Connected != false).ToList();
        var capacity = counted.Sum(s => s.Capacity);
        var free = Math.Max(0, counted.Sum(s => Math.Max(0, s.Capacity - s.LiveCalls)));
        var covers = free >= campaign.MaxConcurrentCalls;
        var verdict = servers.Count == 0 ? "no AMI server is configured"
            : counted.Count == 0 ? $"no AMI server is connected ({string.Join(", ", servers.Select(s => s.Name))})"
            : (covers ? $"enough: {free} free call slots on {Servers(counted)} for its {campaign.MaxConcurrentCalls} lines"
                : $"short: {free} free call slots on {Servers(counted)} for its {campaign.MaxConcurrentCalls} lines: at most {free} calls at once")
              // Without an engine in this process the slots are the configured ones, not seen live.
              + (counted.All(s => s.Connected is null) ? " (as configured; not connected from here)" : "");

        var preflight = new CampaignPreflight
        {
            At = now,
            Leads = leadsByState.Values.Sum(),
            DialableNow = dialableNow,
            BlockedByDoNotCall = dnc + leadsByState.GetValueOrDefault(LeadState.Blocked),
            OutsideCallingHours = hours,
            CallingHoursOpenAt = hoursOpen,
            OutsideCampaignSchedule = own,
            CampaignScheduleOpensAt = ownOpens,
            DueLater = later,
            FirstDueLaterAt = laterAt,
            WillExpire = expire,
            InProgress = leadsByState.GetValueOrDefault(LeadState.InProgress),
            Exhausted = leadsByState.GetValueOrDefault(LeadState.Exhausted),
            AlreadyFinal = leadsByState.GetValueOrDefault(LeadState.Done) + leadsByState.GetValueOrDefault(LeadState.Expired),
            AttemptsPerLead = perLead,
            MaxAttemptsPerLead = maxAttempts,
            AttemptsBasis = attemptsBasis,
            LineSecondsPerCall = line,
            LineBasis = lineBasis,
            CallsPerSecond = rate,
            RateBasis = rateBasis,
            Duration = TimeSpan.Zero,
            DurationAtMost = TimeSpan.Zero,
            Concurrency = campaign.MaxConcurrentCalls,
            ServerCapacity = capacity,
            ServerFree = free,
            CapacityCovers = covers,
            CapacityVerdict = verdict,
            ServerUse = string.Join("; ", servers.Select(s => s.Name + " " + Cluster.ServerUse.Describe(s.LiveCalls, s.Capacity, s.ThisNodeCalls)
                + (s.Connected == false ? " (not connected)" : ""))),
        };
        return preflight with
        {
            Duration = TimeSpan.FromSeconds(preflight.ToCall * perLead / rate),
            DurationAtMost = TimeSpan.FromSeconds(preflight.ToCall * (double)maxAttempts / rate),
        };
    }

    /// <summary>
    /// The most calls one lead can take: one with no retry rule (max attempts then has no effect), else the first plus
    /// every rule's retries, capped by max attempts. Interrupted and not-sent calls, always retried, are left out.
    /// </summary>
    public static int MaxAttempts(Campaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var policy = RetryPolicy.TryParse(campaign.RetryPolicy, out var parsed, out _) ? parsed : RetryPolicy.None;
        return policy.Rules.Count == 0 ? 1 : (int)Math.Min(campaign.MaxAttempts, 1L + policy.Rules.Sum(r => (long)r.Retries));
    }

    private static (double PerLead, string Basis) Attempts(PreflightHistory history, int max)
    {
        if (max == 1)
        {
            return (1, "no retry rule: each number is called once");
        }

        if (history.FinishedLeads >= MeasuredFrom)
        {
            var measured = Math.Clamp((double)history.FinishedLeadAttempts / history.FinishedLeads, 1, max);
            return (measured, $"measured: {Rate(measured)} calls per finished lead over {history.FinishedLeads} leads (at most {max})");
        }

        return (1, $"no finished leads yet: from 1 to {max} calls per number, estimated at 1");
    }

    private static (double Seconds, string Basis) Line(Campaign campaign, PreflightHistory history)
    {
        if (history.EndedAttempts >= MeasuredFrom && history.AverageLineSeconds is { } measured && measured > 0)
        {
            return (measured, $"measured: {Seconds(measured)} s a call (ring and talk) over its last {history.EndedAttempts} calls");
        }

        var assumed = (campaign.RingTimeout + AssumedTalk).TotalSeconds;
        return (assumed, $"no calls yet: assumed {Seconds(assumed)} s a call (ring timeout {Seconds(campaign.RingTimeout.TotalSeconds)} s + {Seconds(AssumedTalk.TotalSeconds)} s talk)");
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static string Servers(IReadOnlyList<PreflightServer> servers) =>
        servers.Count == 1 ? $"server {servers[0].Name}" : $"{servers.Count} servers";

    private static string Rate(double value) => value.ToString(value >= 10 ? "0.#" : "0.##", CultureInfo.InvariantCulture);

    private static string Seconds(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
