using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Core.Preflight;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>What a campaign's pre-flight counts (<see cref="CampaignPreflight"/>): leads by state, dialable leads in groups, its calls so far.</summary>
public sealed record PreflightCounts(IReadOnlyDictionary<LeadState, long> LeadsByState, IReadOnlyList<PreflightLeadGroup> Dialable, PreflightHistory History);

/// <summary>The store's side of a campaign's pre-flight: counts only, the rules are Core's.</summary>
public sealed class PreflightRepository(AmiDialerDatabase database)
{
    /// <summary>The latest ended attempts the line time is measured over.</summary>
    private const int LineSample = 1000;

    public async Task<PreflightCounts> CountAsync(long campaignId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var states = (await connection.QueryAsync<(string State, long N)>(new CommandDefinition(
            "SELECT state, COUNT(*) FROM leads WHERE campaign_id = @campaignId GROUP BY state",
            new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .ToDictionary(r => DbNames.LeadStateOf(r.State), r => r.N);

        // Grouped by zones: the schedule is asked once per group. The do-not-call look-up is one probe of its
        // (number, scope) index per dialable lead.
        var groups = await connection.QueryAsync<(string State, string TimeZones, long Due, long N, long OnDnc, DateTimeOffset? First)>(new CommandDefinition(
            """
            SELECT l.state, l.time_zones, CASE WHEN l.next_eligible_at <= @now THEN 1 ELSE 0 END, COUNT(*),
                   SUM(CASE WHEN EXISTS (SELECT 1 FROM dnc d WHERE d.number = l.phone AND (d.campaign_id IS NULL OR d.campaign_id = l.campaign_id)) THEN 1 ELSE 0 END),
                   MIN(l.next_eligible_at)
            FROM leads l
            WHERE l.campaign_id = @campaignId AND l.state IN ('pending', 'waiting_retry')
            GROUP BY 1, 2, 3
            """,
            new { campaignId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var dialable = groups.Select(g => new PreflightLeadGroup(
            DbNames.LeadStateOf(g.State),
            JsonSerializer.Deserialize(g.TimeZones, DataJson.Default.ListString) ?? [],
            g.Due != 0,
            g.N,
            g.OnDnc,
            g.First)).ToList();

        var finished = await connection.QuerySingleAsync<(long Leads, long? Attempts)>(new CommandDefinition(
            "SELECT COUNT(*), SUM(attempt_count) FROM leads WHERE campaign_id = @campaignId AND state IN ('done', 'exhausted', 'expired') AND attempt_count > 0",
            new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var line = await connection.QuerySingleAsync<(long Calls, double? Seconds)>(new CommandDefinition(
            $"""
            SELECT COUNT(*), AVG({database.Dialect.SecondsBetween("created_at", "ended_at")}) FROM (
                SELECT created_at, ended_at FROM attempts WHERE campaign_id = @campaignId AND ended_at IS NOT NULL ORDER BY id DESC LIMIT {LineSample}) AS recent
            """,
            new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new PreflightCounts(states, dialable, new PreflightHistory(finished.Leads, finished.Attempts ?? 0, line.Calls, line.Seconds));
    }
}
