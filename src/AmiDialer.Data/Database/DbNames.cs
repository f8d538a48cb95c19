using AmiDialer.Core.Model;

namespace AmiDialer.Data.Database;

/// <summary>The text each enum is stored as: stable, readable in the sqlite3 shell, independent of enum order.</summary>
public static class DbNames
{
    public static string Of(LeadState state) => state switch
    {
        LeadState.Pending => "pending",
        LeadState.InProgress => "in_progress",
        LeadState.WaitingRetry => "waiting_retry",
        LeadState.Done => "done",
        LeadState.Exhausted => "exhausted",
        LeadState.Blocked => "blocked",
        LeadState.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string Of(CampaignState state) => state switch
    {
        CampaignState.Draft => "draft",
        CampaignState.Scheduled => "scheduled",
        CampaignState.Running => "running",
        CampaignState.Paused => "paused",
        CampaignState.Completed => "completed",
        CampaignState.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string Of(AttemptState state) => state switch
    {
        AttemptState.Dialing => "dialing",
        AttemptState.Live => "live",
        AttemptState.Ended => "ended",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string Of(CallOutcome outcome) => outcome.ToWireName();

    public static LeadState LeadStateOf(string name) => Parse<LeadState>(name, Of);

    public static CampaignState CampaignStateOf(string name) => Parse<CampaignState>(name, Of);

    public static AttemptState AttemptStateOf(string name) => Parse<AttemptState>(name, Of);

    public static CallOutcome? OutcomeOf(string? name) =>
        name is null ? null : CallOutcomeNames.TryParse(name, out var outcome) ? outcome : throw new FormatException($"Unknown outcome '{name}' in the database.");

    private static T Parse<T>(string name, Func<T, string> toName)
        where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            if (toName(value) == name)
            {
                return value;
            }
        }

        throw new FormatException($"Unknown {typeof(T).Name} '{name}' in the database.");
    }
}
