using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>The per-lead report filtered (state, outcome, number, last attempt), counted, and one lead at a time.</summary>
public sealed partial class ReportRepository
{
    private const string RowColumns = """
        SELECT l.id AS LeadId, l.phone AS Phone, l.fields AS Fields, l.state AS State, l.final_outcome AS FinalOutcome,
               l.attempt_count AS Attempts, a.created_at AS LastAttemptAt, a.hangup_cause AS LastHangupCause,
               a.hangup_cause_text AS LastHangupCauseText, a.is_simulated AS IsSimulated,
               (SELECT SUM(t.talk_seconds) FROM attempts t WHERE t.lead_id = l.id) AS TalkSeconds, l.note AS Note
        """;

    private const string LastAttemptJoin = "LEFT JOIN attempts a ON a.id = (SELECT MAX(x.id) FROM attempts x WHERE x.lead_id = l.id)";

    /// <summary>
    /// One page of the leads <paramref name="filter"/> keeps, in lead id order, after <paramref name="afterLeadId"/>
    /// (keyset, for the API) and past <paramref name="offset"/> of them (numbered pages).
    /// </summary>
    public async Task<IReadOnlyList<LeadReportRow>> ListFilteredLeadRowsAsync(long campaignId, LeadFilter filter, long afterLeadId, int limit, int offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // The page's ids first, off an index: the per-row joins then run for the page only, not for every row skipped.
        var rows = await connection.QueryAsync<LeadReportDbRow>(new CommandDefinition(
            $"{RowColumns}\nFROM ({PageIdsSql(filter, database.Dialect)}) p JOIN leads l ON l.id = p.id\n{LastAttemptJoin}\nORDER BY l.id",
            Parameters(campaignId, filter, afterLeadId, limit, offset), cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(ToRow).ToList();
    }

    /// <summary>How many leads <paramref name="filter"/> keeps; with <paramref name="upToLeadId"/>, only those with an id up to it (a page's position).</summary>
    public async Task<long> CountFilteredLeadsAsync(long campaignId, LeadFilter filter, long? upToLeadId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var p = Parameters(campaignId, filter, 0, 0, 0);
        p.Add("upTo", upToLeadId ?? long.MaxValue);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountSql(filter, database.Dialect), p, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>One lead of a campaign as the per-lead report shows it; null when the campaign has no such lead.</summary>
    public async Task<LeadReportRow?> GetLeadRowAsync(long campaignId, long leadId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<LeadReportDbRow>(new CommandDefinition(
            $"{RowColumns}\nFROM leads l\n{LastAttemptJoin}\nWHERE l.id = @leadId AND l.campaign_id = @campaignId",
            new { campaignId, leadId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : ToRow(row);
    }

    /// <summary>The ids of one page (parameters as <see cref="Parameters"/> names them).</summary>
    internal static string PageIdsSql(LeadFilter filter, SqlDialect dialect) =>
        $"SELECT l.id FROM leads l WHERE {Where(filter, dialect)} AND l.id > @afterLeadId ORDER BY l.id LIMIT @limit OFFSET @offset";

    internal static string CountSql(LeadFilter filter, SqlDialect dialect) => $"SELECT COUNT(*) FROM leads l WHERE {Where(filter, dialect)} AND l.id <= @upTo";

    /// <summary>
    /// A state or outcome filter reads its leads off ix_leads_campaign_state / ix_leads_campaign_outcome in id order; a
    /// number prefix off the (campaign, phone) index. Otherwise the unary + keeps SQLite walking the primary key (see
    /// <see cref="ListLeadRowsAsync(long, long, int, Core.Model.LeadState?, CancellationToken)"/>): sorting a whole campaign by id is what is slow.
    /// The state index leaves out pending leads (imports would write every lead into it): a state other than pending
    /// repeats the index's condition word for word, which is how SQLite knows it may use it; pending walks the key.
    /// </summary>
    private static string Where(LeadFilter f, SqlDialect dialect)
    {
        var pending = f.State == Core.Model.LeadState.Pending;
        var indexed = (f.State is not null && !pending) || f.Outcome is not null || f.PhonePrefix is not null;
        var sql = new System.Text.StringBuilder(indexed ? "l.campaign_id = @campaignId" : "+l.campaign_id = @campaignId");
        if (f.State is not null)
        {
            sql.Append(pending ? " AND l.state = @state" : " AND l.state = @state AND l.state <> 'pending'");
        }

        if (f.Outcome is not null)
        {
            sql.Append(" AND l.final_outcome = @outcome");
        }

        if (f.PhonePrefix is not null)
        {
            // Every E.164 number starting with the prefix sorts between it and the prefix followed by ':' (after '9').
            sql.Append(" AND l.phone >= @prefix AND l.phone < @prefixEnd");
        }

        if (f.PhoneDigits is not null)
        {
            sql.Append(" AND ").Append(dialect.Contains("l.phone", "@digits"));
        }

        if (f.LastAttemptFrom is not null || f.LastAttemptTo is not null)
        {
            // The last attempt is the one with the highest id (what the report shows), found through ix_attempts_lead.
            const string last = "(SELECT x.created_at FROM attempts x WHERE x.lead_id = l.id ORDER BY x.id DESC LIMIT 1)";
            sql.Append(" AND l.attempt_count > 0");
            if (f.LastAttemptFrom is not null)
            {
                sql.Append(" AND ").Append(last).Append(" >= @from");
            }

            if (f.LastAttemptTo is not null)
            {
                sql.Append(" AND ").Append(last).Append(" < @to");
            }
        }

        return sql.ToString();
    }

    private static DynamicParameters Parameters(long campaignId, LeadFilter f, long afterLeadId, int limit, int offset)
    {
        var p = new DynamicParameters();
        p.Add("campaignId", campaignId);
        p.Add("afterLeadId", afterLeadId);
        p.Add("limit", limit);
        p.Add("offset", offset);
        p.Add("state", f.State is { } s ? DbNames.Of(s) : null);
        p.Add("outcome", f.Outcome is { } o ? DbNames.Of(o) : null);
        p.Add("prefix", f.PhonePrefix);
        p.Add("prefixEnd", f.PhonePrefix is { } prefix ? prefix + ":" : null);
        p.Add("digits", f.PhoneDigits);
        p.Add("from", f.LastAttemptFrom);
        p.Add("to", f.LastAttemptTo);
        return p;
    }
}
