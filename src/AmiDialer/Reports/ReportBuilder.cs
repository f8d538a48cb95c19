using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Reports;

/// <summary>Turns the store's per-campaign counters into a <see cref="CampaignReport"/>; every derived figure is worked out here, once.</summary>
public static class ReportBuilder
{
    public static CampaignReport Build(ReportCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var states = new OrderedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var key in CampaignReport.StandardStates)
        {
            states[key] = 0;
        }

        foreach (var (state, n) in counts.LeadsByState)
        {
            states[state.ToWireName()] = n;
        }

        var outcomes = WithStandardKeys(counts.LeadsByFinalOutcome);
        var attemptOutcomes = WithStandardKeys(counts.AttemptsByOutcome);
        var leads = states.Values.Sum();
        var blocked = states["blocked"];
        var pending = states["pending"] + states["in-progress"] + states["waiting-retry"];
        // Unknown and not-sent leads may or may not have been answered: counting them either way would bend the rate.
        var final = outcomes.Values.Sum() - CampaignReport.OutsideAnswerRate.Sum(k => outcomes.GetValueOrDefault(k));
        var answered = outcomes["answered"];
        var ended = attemptOutcomes.Values.Sum() - CampaignReport.OutsideAnswerRate.Sum(k => attemptOutcomes.GetValueOrDefault(k));
        return new CampaignReport
        {
            Campaign = counts.Campaign,
            CampaignState = counts.CampaignState,
            Leads = leads,
            Dialable = leads - blocked,
            Blocked = blocked,
            Attempts = counts.Attempts,
            Simulated = counts.Simulated,
            Outcomes = outcomes,
            AttemptOutcomes = attemptOutcomes,
            States = states,
            Pending = pending,
            AnswerRate = final <= 0 ? 0 : Math.Round((double)answered / final, 4),
            AttemptAnswerRate = ended <= 0 ? 0 : Math.Round((double)attemptOutcomes["answered"] / ended, 4),
            OutcomeUnknown = outcomes.GetValueOrDefault("unknown"),
            AvgTalkSeconds = Math.Round(counts.AverageTalkSeconds, 1),
            ByHour = counts.ByHour.OrderBy(h => h.Hour).ToList(),
        };
    }

    /// <summary>The report of <paramref name="campaign"/> from the store's running counters (no scan of leads or attempts).</summary>
    public static CampaignReport Build(Campaign campaign, CampaignSummary summary)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(summary);
        return Build(new ReportCounts
        {
            Campaign = campaign.Name,
            CampaignState = campaign.State.ToString().ToLowerInvariant(),
            Simulated = campaign.IsSimulated,
            LeadsByState = summary.LeadsByState,
            LeadsByFinalOutcome = summary.LeadsByOutcome,
            AttemptsByOutcome = summary.AttemptsByOutcome,
            Attempts = summary.Attempts,
            AverageTalkSeconds = summary.AverageTalkSeconds,
            ByHour = summary.ByHour.Select(h => new HourCount(h.HourUtc, h.Attempts, h.Answered)).ToList(),
        });
    }

    public static string ToWireName(this LeadState state) => state switch
    {
        LeadState.Pending => "pending",
        LeadState.InProgress => "in-progress",
        LeadState.WaitingRetry => "waiting-retry",
        LeadState.Done => "done",
        LeadState.Exhausted => "exhausted",
        LeadState.Blocked => "blocked",
        LeadState.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    private static OrderedDictionary<string, long> WithStandardKeys(IReadOnlyDictionary<CallOutcome, long> counts)
    {
        var result = new OrderedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var key in CampaignReport.StandardOutcomes)
        {
            result[key] = 0;
        }

        foreach (var (outcome, n) in counts.OrderBy(p => p.Key))
        {
            var key = outcome.ToWireName();
            result[key] = result.GetValueOrDefault(key) + n;
        }

        return result;
    }
}

/// <summary>The raw counters a report is built from (the store keeps them up to date as attempts end).</summary>
public sealed record ReportCounts
{
    public required string Campaign { get; init; }
    public string? CampaignState { get; init; }
    public IReadOnlyDictionary<LeadState, long> LeadsByState { get; init; } = new Dictionary<LeadState, long>();
    public IReadOnlyDictionary<CallOutcome, long> LeadsByFinalOutcome { get; init; } = new Dictionary<CallOutcome, long>();
    public IReadOnlyDictionary<CallOutcome, long> AttemptsByOutcome { get; init; } = new Dictionary<CallOutcome, long>();
    public long Attempts { get; init; }
    public bool Simulated { get; init; }
    /// <summary>Mean talk time of the attempts that have one (answered ones); 0 when none.</summary>
    public double AverageTalkSeconds { get; init; }
    public IReadOnlyList<HourCount> ByHour { get; init; } = [];
}
