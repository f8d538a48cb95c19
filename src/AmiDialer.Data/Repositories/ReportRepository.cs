using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

public sealed record HourlyFigures(DateTimeOffset HourUtc, long Attempts, long Answered, double TalkSeconds);

/// <summary>A campaign's figures, read from the running counters (no scan of leads or attempts).</summary>
public sealed record CampaignSummary
{
    public long CampaignId { get; init; }
    public long Leads { get; init; }

    /// <summary>Leads by state; every state present, zero when none.</summary>
    public IReadOnlyDictionary<LeadState, long> LeadsByState { get; init; } = new Dictionary<LeadState, long>();

    /// <summary>Leads by final outcome (only leads that have one).</summary>
    public IReadOnlyDictionary<CallOutcome, long> LeadsByOutcome { get; init; } = new Dictionary<CallOutcome, long>();

    public long Attempts { get; init; }

    /// <summary>Ended attempts by outcome.</summary>
    public IReadOnlyDictionary<CallOutcome, long> AttemptsByOutcome { get; init; } = new Dictionary<CallOutcome, long>();

    public long AnsweredAttempts => AttemptsByOutcome.GetValueOrDefault(CallOutcome.Answered);

    public double TalkSecondsTotal { get; init; }

    /// <summary>Mean talk time of the attempts that have one; 0 when none.</summary>
    public double AverageTalkSeconds { get; init; }

    /// <summary>Ended attempts per UTC hour (of the attempt's start), oldest first.</summary>
    public IReadOnlyList<HourlyFigures> ByHour { get; init; } = [];
}

/// <summary>One lead as the per-lead report shows it.</summary>
public sealed record LeadReportRow
{
    public long LeadId { get; init; }
    public string PhoneE164 { get; init; } = "";
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
    public LeadState State { get; init; }
    public CallOutcome? FinalOutcome { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    public double? TalkSeconds { get; init; }
    public int? LastHangupCause { get; init; }
    public string? LastHangupCauseText { get; init; }
    public bool IsSimulated { get; init; }

    /// <summary>Why the lead ended without a call (stored by the dialer), else null.</summary>
    public string? Note { get; init; }
}

/// <summary>Reads for reports and live views. Writes never go through here.</summary>
public sealed partial class ReportRepository(AmiDialerDatabase database)
{
    public async Task<CampaignSummary> GetSummaryAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One read transaction: counters and hours from the same snapshot.
        await using var transaction = SqlDialect.BeginSnapshot(connection);
        var counters = (await connection.QueryAsync<(string Name, double Value)>(new CommandDefinition(
            "SELECT name, value FROM campaign_counters WHERE campaign_id = @campaignId", new { campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .ToDictionary(r => r.Name, r => r.Value, StringComparer.Ordinal);
        var hours = await connection.QueryAsync<(object Hour, long Attempts, long Answered, double TalkSeconds)>(new CommandDefinition(
            "SELECT hour_utc, attempts, answered, talk_seconds FROM campaign_hourly WHERE campaign_id = @campaignId ORDER BY hour_utc",
            new { campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

        long Count(string name) => (long)Math.Round(counters.GetValueOrDefault(name));
        var byState = Enum.GetValues<LeadState>().ToDictionary(s => s, s => Count(CampaignCounters.State(s)));
        var byOutcome = Enum.GetValues<CallOutcome>().Where(o => Count(CampaignCounters.Outcome(o)) != 0).ToDictionary(o => o, o => Count(CampaignCounters.Outcome(o)));
        var attemptsByOutcome = Enum.GetValues<CallOutcome>().Where(o => Count(CampaignCounters.AttemptOutcome(o)) != 0).ToDictionary(o => o, o => Count(CampaignCounters.AttemptOutcome(o)));
        var talked = Count(CampaignCounters.TalkedAttempts);
        var talk = counters.GetValueOrDefault(CampaignCounters.TalkSeconds);
        return new CampaignSummary
        {
            CampaignId = campaignId,
            Leads = byState.Values.Sum(),
            LeadsByState = byState,
            LeadsByOutcome = byOutcome,
            Attempts = Count(CampaignCounters.Attempts),
            AttemptsByOutcome = attemptsByOutcome,
            TalkSecondsTotal = talk,
            AverageTalkSeconds = talked == 0 ? 0 : talk / talked,
            ByHour = hours.Select(h => new HourlyFigures(HourOf(h.Hour), h.Attempts, h.Answered, h.TalkSeconds)).ToList(),
        };
    }

    /// <summary>An hour's start as stored: SQLite's text (<see cref="CampaignCounters.HourKey"/>), PostgreSQL's timestamptz.</summary>
    private static DateTimeOffset HourOf(object stored) => stored switch
    {
        string text => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal),
        DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
        DateTimeOffset at => at.ToUniversalTime(),
        _ => throw new System.Data.DataException($"Cannot read {stored.GetType().Name} as an hour."),
    };

    /// <summary>
    /// Attempts the campaign started at or after <paramref name="since"/>, reading at most <paramref name="cap"/> of its
    /// latest attempts: the caller passes what its rate limit allows in the span, so the read stays small at any size.
    /// </summary>
    public async Task<int> CountAttemptsSinceAsync(long campaignId, DateTimeOffset since, int cap, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM (SELECT created_at FROM attempts WHERE campaign_id = @campaignId ORDER BY id DESC LIMIT @cap) AS latest WHERE created_at >= @since",
            new { campaignId, since, cap }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of the per-lead report in lead id order: pass the last row's <see cref="LeadReportRow.LeadId"/> as
    /// <paramref name="afterLeadId"/> for the next page (keyset paging stays fast deep into a million leads).
    /// </summary>
    /// <remarks>
    /// The unary + keeps SQLite off the (campaign_id, phone) index: through it every page sorted all the campaign's
    /// leads to take 1,000 (a 1M-lead export never finished); walking the primary key from <paramref name="afterLeadId"/>
    /// reads each lead once over a whole export.
    /// </remarks>
    public async Task<IReadOnlyList<LeadReportRow>> ListLeadRowsAsync(long campaignId, long afterLeadId = 0, int limit = 1000, CancellationToken cancellationToken = default) =>
        await ListLeadRowsAsync(campaignId, afterLeadId, limit, state: null, cancellationToken).ConfigureAwait(false);

    /// <summary>One page of the per-lead report, only leads in <paramref name="state"/> when it is given.</summary>
    public async Task<IReadOnlyList<LeadReportRow>> ListLeadRowsAsync(long campaignId, long afterLeadId, int limit, LeadState? state, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<LeadReportDbRow>(new CommandDefinition(
            """
            SELECT l.id AS LeadId, l.phone AS Phone, l.fields AS Fields, l.state AS State, l.final_outcome AS FinalOutcome,
                   l.attempt_count AS Attempts, a.created_at AS LastAttemptAt, a.hangup_cause AS LastHangupCause,
                   a.hangup_cause_text AS LastHangupCauseText, a.is_simulated AS IsSimulated,
                   (SELECT SUM(t.talk_seconds) FROM attempts t WHERE t.lead_id = l.id) AS TalkSeconds, l.note AS Note
            FROM leads l
            LEFT JOIN attempts a ON a.id = (SELECT MAX(x.id) FROM attempts x WHERE x.lead_id = l.id)
            WHERE +l.campaign_id = @campaignId AND l.id > @afterLeadId AND (@state IS NULL OR l.state = @state)
            ORDER BY l.id LIMIT @limit
            """, new { campaignId, afterLeadId, limit, state = state is { } s ? DbNames.Of(s) : null }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(ToRow).ToList();
    }

    /// <summary>
    /// Recounts a campaign's counters from its leads and attempts (a full scan: for repair and for tests that check
    /// the counters never drift). Returns the recounted summary after replacing the counters with it.
    /// </summary>
    public async Task<CampaignSummary> RebuildCountersAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var transaction = connection.BeginTransaction();
            var p = new { campaignId };
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                DELETE FROM campaign_counters WHERE campaign_id = @campaignId;
                DELETE FROM campaign_hourly WHERE campaign_id = @campaignId;
                INSERT INTO campaign_counters (campaign_id, name, value)
                    SELECT @campaignId, 'state:' || state, COUNT(*) FROM leads WHERE campaign_id = @campaignId GROUP BY state;
                INSERT INTO campaign_counters (campaign_id, name, value)
                    SELECT @campaignId, 'outcome:' || final_outcome, COUNT(*) FROM leads WHERE campaign_id = @campaignId AND final_outcome IS NOT NULL GROUP BY final_outcome;
                INSERT INTO campaign_counters (campaign_id, name, value)
                    SELECT @campaignId, 'attempts', COUNT(*) FROM attempts WHERE campaign_id = @campaignId;
                INSERT INTO campaign_counters (campaign_id, name, value)
                    SELECT @campaignId, 'attempt:' || outcome, COUNT(*) FROM attempts WHERE campaign_id = @campaignId AND state = 'ended' GROUP BY outcome;
                INSERT INTO campaign_counters (campaign_id, name, value)
                    SELECT @campaignId, 'talk_seconds', SUM(talk_seconds) FROM attempts WHERE campaign_id = @campaignId AND talk_seconds IS NOT NULL HAVING COUNT(*) > 0;
                INSERT INTO campaign_counters (campaign_id, name, value)
                    SELECT @campaignId, 'talked_attempts', COUNT(*) FROM attempts WHERE campaign_id = @campaignId AND talk_seconds IS NOT NULL HAVING COUNT(*) > 0;
                INSERT INTO campaign_hourly (campaign_id, hour_utc, attempts, answered, talk_seconds)
                    SELECT @campaignId, {database.Dialect.HourOf("created_at")}, COUNT(*), SUM(CASE WHEN outcome = 'answered' THEN 1 ELSE 0 END), COALESCE(SUM(talk_seconds), 0)
                    FROM attempts WHERE campaign_id = @campaignId AND state = 'ended' GROUP BY 2;
                """, p, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return await GetSummaryAsync(campaignId, cancellationToken).ConfigureAwait(false);
    }

    private static LeadReportRow ToRow(LeadReportDbRow r) => new()
    {
        LeadId = r.LeadId,
        PhoneE164 = r.Phone,
        Fields = JsonSerializer.Deserialize(r.Fields, DataJson.Default.DictionaryStringString) ?? [],
        State = DbNames.LeadStateOf(r.State),
        FinalOutcome = DbNames.OutcomeOf(r.FinalOutcome),
        Attempts = r.Attempts,
        LastAttemptAt = r.LastAttemptAt,
        TalkSeconds = r.TalkSeconds,
        LastHangupCause = r.LastHangupCause,
        LastHangupCauseText = r.LastHangupCauseText,
        IsSimulated = r.IsSimulated ?? false,
        Note = r.Note,
    };

    private sealed class LeadReportDbRow
    {
        public long LeadId { get; set; }
        public string Phone { get; set; } = "";
        public string Fields { get; set; } = "{}";
        public string State { get; set; } = "";
        public string? FinalOutcome { get; set; }
        public int Attempts { get; set; }
        public DateTimeOffset? LastAttemptAt { get; set; }
        public int? LastHangupCause { get; set; }
        public string? LastHangupCauseText { get; set; }
        public bool? IsSimulated { get; set; }
        public double? TalkSeconds { get; set; }
        public string? Note { get; set; }
    }
}
