using System.Data.Common;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// The running totals behind reports. Only called inside the transaction of the change being counted, so a
/// counter is never ahead of or behind the rows it counts.
/// </summary>
internal static class CampaignCounters
{
    public const string Leads = "leads";
    public const string Attempts = "attempts";
    public const string TalkSeconds = "talk_seconds";
    public const string TalkedAttempts = "talked_attempts";

    public static string State(LeadState state) => "state:" + DbNames.Of(state);

    public static string Outcome(CallOutcome outcome) => "outcome:" + DbNames.Of(outcome);

    public static string AttemptOutcome(CallOutcome outcome) => "attempt:" + DbNames.Of(outcome);

    // Portable upsert (SQLite 3.24+ and PostgreSQL): add to the counter, creating it at zero first.
    internal const string AddSql = """
        INSERT INTO campaign_counters (campaign_id, name, value) VALUES (@campaignId, @name, @delta)
        ON CONFLICT (campaign_id, name) DO UPDATE SET value = campaign_counters.value + excluded.value
        """;

    public static Task AddAsync(DbConnection connection, DbTransaction transaction, long campaignId, string name, double delta, CancellationToken cancellationToken) =>
        delta == 0
            ? Task.CompletedTask
            : connection.ExecuteAsync(new CommandDefinition(AddSql, new { campaignId, name, delta }, transaction, cancellationToken: cancellationToken));

    public static async Task MoveLeadAsync(DbConnection connection, DbTransaction transaction, long campaignId, LeadState from, LeadState to, int count, CancellationToken cancellationToken)
    {
        if (from == to || count == 0)
        {
            return;
        }

        await AddAsync(connection, transaction, campaignId, State(from), -count, cancellationToken).ConfigureAwait(false);
        await AddAsync(connection, transaction, campaignId, State(to), count, cancellationToken).ConfigureAwait(false);
    }

    public static string HourKey(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH':00Z'", System.Globalization.CultureInfo.InvariantCulture);
}
