using System.Data.Common;
using System.Globalization;
using AmiDialer.Core.Retries;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>A lead's latest abandoned answer, and when the lead may be called again.</summary>
/// <param name="Fate">Why it counts as abandoned, as stored (late, caller-left, unknown).</param>
public sealed record AbandonedLead(long LeadId, string Phone, DateTimeOffset AnsweredAt, string? Fate, DateTimeOffset NotBefore);

/// <summary>
/// Leads whose callee answered and met no agent (issue #26): no call may follow within <c>Dialing:AbandonRetryDelay</c>
/// of the answer (Ofcom's 72 hours). The dialer's retries keep that by themselves; this is for the people: the lead page
/// and API say when such a lead may be called again, and a requeue refuses, unless forced, leads still inside the delay.
/// Every abandoned answer counts here, whatever its fate (an agent who took it late does not undo the wait the callee
/// heard, and an unknown fate counts as abandoned); simulated calls reached nobody and do not.
/// </summary>
public static class AbandonedAnswers
{
    /// <summary>The lead's latest abandoned answer with the delay after it; null when none of its calls was abandoned.</summary>
    public static async Task<AbandonedLead?> LatestAsync(AmiDialerDatabase database, long leadId, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Phone, DateTimeOffset AnsweredAt, string? Fate)>(new CommandDefinition(
            """
            SELECT l.phone, a.answered_at, a.queue_fate
            FROM attempts a JOIN leads l ON l.id = a.lead_id
            WHERE a.lead_id = @leadId AND a.is_abandoned AND NOT a.is_simulated AND a.answered_at IS NOT NULL
            ORDER BY a.answered_at DESC LIMIT 1
            """, new { leadId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => Of(leadId, r.Phone, r.AnsweredAt, r.Fate, delay)).FirstOrDefault();
    }

    /// <summary>
    /// Of a campaign's leads that a requeue of unknown outcomes would return, those answered and abandoned less than
    /// <paramref name="delay"/> before <paramref name="now"/>: each with its latest such answer, in lead order.
    /// </summary>
    internal static async Task<IReadOnlyList<AbandonedLead>> UnknownInsideDelayAsync(DbConnection connection, DbTransaction transaction, long campaignId, string unknown,
        DateTimeOffset now, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return [];
        }

        var rows = await connection.QueryAsync<(long LeadId, string Phone, DateTimeOffset AnsweredAt)>(new CommandDefinition(
            """
            SELECT l.id, l.phone, MAX(a.answered_at)
            FROM leads l JOIN attempts a ON a.lead_id = l.id
            WHERE l.campaign_id = @campaignId AND l.final_outcome = @unknown AND l.state IN ('done', 'exhausted', 'expired')
              AND a.is_abandoned AND NOT a.is_simulated AND a.answered_at > @since
            GROUP BY l.id, l.phone
            ORDER BY l.id
            """, new { campaignId, unknown, since = now - delay }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => Of(r.LeadId, r.Phone, r.AnsweredAt, null, delay))];
    }

    /// <summary>"72 h", "90 min", "45 s": the delay as the messages say it.</summary>
    public static string Describe(TimeSpan delay) =>
        delay.Ticks % TimeSpan.TicksPerHour == 0 ? ((long)delay.TotalHours).ToString(CultureInfo.InvariantCulture) + " h"
        : delay.Ticks % TimeSpan.TicksPerMinute == 0 ? ((long)delay.TotalMinutes).ToString(CultureInfo.InvariantCulture) + " min"
        : delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static AbandonedLead Of(long leadId, string phone, DateTimeOffset answeredAt, string? fate, TimeSpan delay) =>
        new(leadId, phone, answeredAt, fate, new AbandonedAnswer(answeredAt, delay, fate ?? "").NotBefore);
}
