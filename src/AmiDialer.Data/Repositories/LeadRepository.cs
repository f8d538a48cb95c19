using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>Leads: what the dialer asks for (due leads), and the state changes that do not come with an attempt.</summary>
public sealed class LeadRepository(AmiDialerDatabase database)
{
    internal const string SelectColumns = """
        SELECT id AS Id, campaign_id AS CampaignId, phone AS Phone, fields AS Fields, time_zones AS TimeZones,
               state AS State, final_outcome AS FinalOutcome, attempt_count AS AttemptCount, next_eligible_at AS NextEligibleAt
        FROM leads
        """;

    private static readonly string[] DialableStates = [DbNames.Of(LeadState.Pending), DbNames.Of(LeadState.WaitingRetry)];

    public async Task<Lead?> GetAsync(long leadId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<LeadRow>(new CommandDefinition(
            SelectColumns + " WHERE id = @leadId", new { leadId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToLead();
    }

    public async Task<Lead?> GetByPhoneAsync(long campaignId, string phoneE164, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<LeadRow>(new CommandDefinition(
            SelectColumns + " WHERE campaign_id = @campaignId AND phone = @phoneE164", new { campaignId, phoneE164 }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToLead();
    }

    /// <summary>
    /// Pending and waiting-to-retry leads whose <c>next_eligible_at</c> has come (at or before <paramref name="now"/>),
    /// earliest first, at most <paramref name="limit"/>. Read straight off the partial index, so it stays fast at a million leads.
    /// </summary>
    public async Task<IReadOnlyList<Lead>> GetDueAsync(long campaignId, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<LeadRow>(new CommandDefinition(
            DueSql.Replace('$', '@'), new { campaign = campaignId, now, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToLead()).ToList();
    }

    /// <summary>
    /// <see cref="GetDueAsync"/> for a caller that asks again and again (the dialer, several times a second): a
    /// connection of its own with the query prepared once. Dispose it when done.
    /// </summary>
    public async Task<IDueLeadsQuery> OpenDueQueryAsync(CancellationToken cancellationToken = default) =>
        database.DataSource is { } postgres
            ? new PostgresDueLeadsQuery(postgres)
            : new DueLeadsQuery(await database.OpenSqliteConnectionAsync(cancellationToken).ConfigureAwait(false));

    internal const string DueSql = SelectColumns + """
         WHERE campaign_id = $campaign AND state IN ('pending', 'waiting_retry') AND next_eligible_at <= $now
        ORDER BY next_eligible_at, id LIMIT $limit
        """;

    /// <summary>
    /// <see cref="DueSql"/> for one dialable state (<c>$state</c>): the literal state list lets SQLite use the partial
    /// index on (campaign, state, due time), so due retries are found without walking every due fresh lead.
    /// </summary>
    internal const string DueByStateSql = SelectColumns + """
         WHERE campaign_id = $campaign AND state IN ('pending', 'waiting_retry') AND state = $state AND next_eligible_at <= $now
        ORDER BY next_eligible_at, id LIMIT $limit
        """;

    /// <summary>When the earliest dialable lead becomes due; null when no lead is dialable.</summary>
    public async Task<DateTimeOffset?> GetNextDueAtAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
            "SELECT MIN(next_eligible_at) FROM leads WHERE campaign_id = @campaignId AND state IN ('pending', 'waiting_retry')",
            new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// The campaign's dialable leads as the page's "why leads wait" shows them: how many are due at <paramref name="now"/>,
    /// how many pending and waiting-to-retry leads are due later, and the first <paramref name="sample"/> of those, earliest first.
    /// </summary>
    public async Task<WaitingLeads> GetWaitingAsync(long campaignId, DateTimeOffset now, int sample, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var counts = (await connection.QueryAsync<(string State, long Due, long N)>(new CommandDefinition(
            """
            SELECT state, CASE WHEN next_eligible_at <= @now THEN 1 ELSE 0 END, COUNT(*) FROM leads
            WHERE campaign_id = @campaignId AND state IN ('pending', 'waiting_retry') AND next_eligible_at IS NOT NULL GROUP BY 1, 2
            """,
            new { campaignId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var next = await connection.QueryAsync<LeadRow>(new CommandDefinition(
            SelectColumns + " WHERE campaign_id = @campaignId AND state IN ('pending', 'waiting_retry') AND next_eligible_at > @now ORDER BY next_eligible_at, id LIMIT @sample",
            new { campaignId, now, sample }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new WaitingLeads(
            counts.Where(c => c.Due != 0).Sum(c => c.N),
            counts.Where(c => c.Due == 0 && c.State == DbNames.Of(LeadState.WaitingRetry)).Sum(c => c.N),
            counts.Where(c => c.Due == 0 && c.State == DbNames.Of(LeadState.Pending)).Sum(c => c.N),
            [.. next.Select(r => r.ToLead())]);
    }

    /// <summary>
    /// Sets when a dialable lead becomes due (the engine moves it past closed calling hours, for instance).
    /// False when the lead is not pending or waiting to retry any more.
    /// </summary>
    public async Task<bool> RescheduleAsync(long leadId, DateTimeOffset? nextEligibleAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE leads SET next_eligible_at = @nextEligibleAt WHERE id = @leadId AND state IN ('pending', 'waiting_retry')",
            new { leadId, nextEligibleAt }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>
    /// Moves a lead from <paramref name="from"/> to <paramref name="to"/> with the counters, atomically; false when the
    /// lead is not in <paramref name="from"/>. For changes that come without an attempt ending (blocked at dial time, expired).
    /// </summary>
    public Task<bool> TransitionAsync(long leadId, LeadState from, LeadState to, CallOutcome? finalOutcome, DateTimeOffset? nextEligibleAt, CancellationToken cancellationToken = default) =>
        TransitionAsync(leadId, from, to, finalOutcome, nextEligibleAt, note: null, cancellationToken);

    /// <param name="note">Why the lead ended this way when no call says it (kept on the lead for the report); null keeps the old one.</param>
    public async Task<bool> TransitionAsync(long leadId, LeadState from, LeadState to, CallOutcome? finalOutcome, DateTimeOffset? nextEligibleAt, string? note, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var lead = await connection.QuerySingleOrDefaultAsync<(long CampaignId, string? FinalOutcome)>(new CommandDefinition(
            "SELECT campaign_id, final_outcome FROM leads WHERE id = @leadId AND state = @from" + database.Dialect.ForUpdate,
            new { leadId, from = DbNames.Of(from) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (lead.CampaignId == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE leads SET state = @to, final_outcome = COALESCE(@outcome, final_outcome), next_eligible_at = @nextEligibleAt, note = COALESCE(@note, note) WHERE id = @leadId",
            new { leadId, to = DbNames.Of(to), outcome = finalOutcome is { } o ? DbNames.Of(o) : null, nextEligibleAt, note }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await CampaignCounters.MoveLeadAsync(connection, transaction, lead.CampaignId, from, to, 1, cancellationToken).ConfigureAwait(false);
        if (finalOutcome is { } outcome && lead.FinalOutcome is null)
        {
            await CampaignCounters.AddAsync(connection, transaction, lead.CampaignId, CampaignCounters.Outcome(outcome), 1, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The CSV fields of the leads one import added, streamed (an import can hold a million).</summary>
    public async IAsyncEnumerable<IReadOnlyDictionary<string, string>> ListImportFieldsAsync(long importId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            "SELECT fields FROM leads WHERE import_id = @importId", new { importId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return JsonSerializer.Deserialize(reader.GetString(0), DataJson.Default.DictionaryStringString) ?? [];
        }
    }

    /// <summary>Every lead of the campaign still pending or waiting to retry becomes expired (the campaign ended). Returns how many.</summary>
    public async Task<int> ExpireDialableAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var total = 0;
        foreach (var state in new[] { LeadState.Pending, LeadState.WaitingRetry })
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE leads SET state = 'expired', next_eligible_at = NULL WHERE campaign_id = @campaignId AND state = @state",
                new { campaignId, state = DbNames.Of(state) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await CampaignCounters.MoveLeadAsync(connection, transaction, campaignId, state, LeadState.Expired, changed, cancellationToken).ConfigureAwait(false);
            total += changed;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return total;
    }

    internal static IReadOnlyList<string> DialableStateNames => DialableStates;

    internal sealed class LeadRow
    {
        public long Id { get; set; }
        public long CampaignId { get; set; }
        public string Phone { get; set; } = "";
        public string Fields { get; set; } = "{}";
        public string TimeZones { get; set; } = "[]";
        public string State { get; set; } = "";
        public string? FinalOutcome { get; set; }
        public int AttemptCount { get; set; }
        public DateTimeOffset? NextEligibleAt { get; set; }

        public Lead ToLead() => Build(Id, CampaignId, Phone, Fields, TimeZones, State, FinalOutcome, AttemptCount, NextEligibleAt);

        /// <summary>A lead from its stored columns, in <see cref="SelectColumns"/> order, the due time as SQLite's text.</summary>
        public static Lead Build(long id, long campaignId, string phone, string fields, string timeZones, string state, string? finalOutcome, int attemptCount, string? nextEligibleAt) =>
            Build(id, campaignId, phone, fields, timeZones, state, finalOutcome, attemptCount, nextEligibleAt is null ? null : DapperTypeHandlers.FromDb(nextEligibleAt));

        /// <summary>A lead from its stored columns, in <see cref="SelectColumns"/> order.</summary>
        public static Lead Build(long id, long campaignId, string phone, string fields, string timeZones, string state, string? finalOutcome, int attemptCount, DateTimeOffset? nextEligibleAt) => new()
        {
            Id = id,
            CampaignId = campaignId,
            PhoneE164 = phone,
            Fields = JsonSerializer.Deserialize(fields, DataJson.Default.DictionaryStringString) ?? [],
            TimeZones = JsonSerializer.Deserialize(timeZones, DataJson.Default.ListString) ?? [],
            State = DbNames.LeadStateOf(state),
            FinalOutcome = DbNames.OutcomeOf(finalOutcome),
            AttemptCount = attemptCount,
            NextEligibleAt = nextEligibleAt,
        };
    }
}

/// <summary>Dialable leads due now, due later (retries and pending), and the earliest of those due later.</summary>
public sealed record WaitingLeads(long DueNow, long RetriesLater, long PendingLater, IReadOnlyList<Lead> Next);
