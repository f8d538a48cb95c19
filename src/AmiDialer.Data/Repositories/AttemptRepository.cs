using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Repositories;

/// <summary>What the dialer writes for one Originate to be sent.</summary>
public sealed record AttemptClaim(long LeadId, string ActionId, string ChannelId, string Server, bool IsSimulated);

/// <summary>How an attempt ended (the raw values as Asterisk gave them) and what becomes of its lead.</summary>
public sealed record AttemptEnding
{
    public required long AttemptId { get; init; }
    public required CallOutcome Outcome { get; init; }
    public required DateTimeOffset EndedAt { get; init; }
    public string? FailureReason { get; init; }
    public string? Reason { get; init; }
    public string? DialStatus { get; init; }
    public int? HangupCause { get; init; }
    public string? HangupCauseText { get; init; }
    public DateTimeOffset? AnsweredAt { get; init; }
    public double? TalkSeconds { get; init; }

    /// <summary>The lead's new state, as Core's retry policy decided: waiting-retry, done or exhausted (or pending for an interrupted call).</summary>
    public required LeadState LeadState { get; init; }

    /// <summary>Set when the lead is final (done or exhausted).</summary>
    public CallOutcome? LeadFinalOutcome { get; init; }

    /// <summary>When a lead waiting to retry becomes due; null for a final lead.</summary>
    public DateTimeOffset? LeadNextEligibleAt { get; init; }

    /// <summary>
    /// The attempt as it was claimed, when the caller still holds it: the writer then ends it without reading it
    /// first. Null: read from the store.
    /// </summary>
    public ClaimedAttempt? Claimed { get; init; }
}

/// <summary>What an attempt's claim wrote and an ending needs: its lead, its campaign, and when it was created.</summary>
public readonly record struct ClaimedAttempt(long LeadId, long CampaignId, DateTimeOffset CreatedAt);

/// <summary>
/// Attempts: one row per Originate, written before it is sent and never overwritten by another call. Claiming a
/// lead and ending an attempt each change the attempt, the lead and the counters in one transaction.
/// </summary>
public sealed class AttemptRepository(AmiDialerDatabase database)
{
    private const string SelectColumns = """
        SELECT id AS Id, lead_id AS LeadId, campaign_id AS CampaignId, state AS State, action_id AS ActionId,
               channel_id AS ChannelId, server AS Server, created_at AS CreatedAt, answered_at AS AnsweredAt,
               ended_at AS EndedAt, outcome AS Outcome, failure_reason AS FailureReason, reason AS Reason,
               dial_status AS DialStatus, hangup_cause AS HangupCause, hangup_cause_text AS HangupCauseText,
               talk_seconds AS TalkSeconds, is_simulated AS IsSimulated
        FROM attempts
        """;

    /// <summary>
    /// The insert of a dialing attempt (also prepared once by <see cref="AttemptWriter"/>). No RETURNING: SQLite runs
    /// one as a trigger, and would copy every page the insert changes into a statement journal first; callers read
    /// the new row's id with <see cref="LastRowId"/>.
    /// </summary>
    internal const string InsertDialingSql = """
        INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated)
        VALUES (@leadId, @campaignId, @actionId, @channelId, @server, 'dialing', @now, @isSimulated)
        """;

    /// <summary>The rowid of the connection's last insert.</summary>
    internal static long LastRowId(SqliteConnection connection) => SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);

    /// <summary>The partial unique index refused a second open attempt for a lead.</summary>
    internal static bool IsOpenAttemptConflict(SqliteException e) =>
        e.SqliteErrorCode == 19 && e.Message.Contains("attempts.lead_id", StringComparison.Ordinal);

    /// <summary>
    /// The one place an attempt row is born: inserted as dialing inside the caller's claim transaction, with the
    /// lead moved to in-progress in the counters. Null when the partial unique index finds the lead already has an
    /// open attempt (the caller then changes nothing).
    /// </summary>
    internal static async Task<long?> InsertDialingAsync(SqliteConnection connection, SqliteTransaction transaction, long leadId, long campaignId, LeadState leadWas, AttemptClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long id;
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                InsertDialingSql, new { leadId, campaignId, actionId = claim.ActionId, channelId = claim.ChannelId, server = claim.Server, now, isSimulated = claim.IsSimulated },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            id = LastRowId(connection);
        }
        catch (SqliteException e) when (IsOpenAttemptConflict(e))
        {
            return null;
        }

        await CampaignCounters.MoveLeadAsync(connection, transaction, campaignId, leadWas, LeadState.InProgress, 1, cancellationToken).ConfigureAwait(false);
        await CampaignCounters.AddAsync(connection, transaction, campaignId, CampaignCounters.Attempts, 1, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>
    /// Claims a dialable lead (pending or waiting to retry, due at <paramref name="now"/>) and writes its attempt as
    /// dialing, atomically. Null when the lead is not claimable: another claimer won, it was blocked, or it is not due.
    /// The lead's attempt count goes up here, because the attempt exists from this moment.
    /// </summary>
    public async Task<Attempt?> ClaimAsync(AttemptClaim claim, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var lead = await connection.QuerySingleOrDefaultAsync<(long CampaignId, string State)>(new CommandDefinition(
            "SELECT campaign_id, state FROM leads WHERE id = @LeadId", claim, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (lead.CampaignId == 0)
        {
            return null;
        }

        // The conditional update is the claim: of two claimers only one sees its row change.
        var claimed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE leads SET state = 'in_progress', attempt_count = attempt_count + 1, next_eligible_at = NULL
            WHERE id = @leadId AND state = @state AND state IN ('pending', 'waiting_retry') AND next_eligible_at <= @now
            """, new { leadId = claim.LeadId, state = lead.State, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (claimed == 0)
        {
            return null;
        }

        var inserted = await InsertDialingAsync(connection, transaction, claim.LeadId, lead.CampaignId, DbNames.LeadStateOf(lead.State), claim, now, cancellationToken).ConfigureAwait(false);
        if (inserted is not { } id)
        {
            return null;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new Attempt
        {
            Id = id,
            LeadId = claim.LeadId,
            CampaignId = lead.CampaignId,
            State = AttemptState.Dialing,
            ActionId = claim.ActionId,
            ChannelId = claim.ChannelId,
            Server = claim.Server,
            CreatedAt = now,
            IsSimulated = claim.IsSimulated,
        };
    }

    /// <summary>Dialing -> live (Asterisk accepted the Originate). False when the attempt is not dialing.</summary>
    public async Task<bool> MarkLiveAsync(long attemptId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE attempts SET state = 'live' WHERE id = @attemptId AND state = 'dialing'",
            new { attemptId }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>Records when an open attempt was answered (first answer wins). False when it is ended or already answered.</summary>
    public async Task<bool> MarkAnsweredAsync(long attemptId, DateTimeOffset answeredAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE attempts SET answered_at = @answeredAt, state = 'live' WHERE id = @attemptId AND state <> 'ended' AND answered_at IS NULL",
            new { attemptId, answeredAt }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// Ends an open attempt with its outcome and raw values, and in the same transaction moves its lead to
    /// <see cref="AttemptEnding.LeadState"/> and updates the counters. False (and nothing changed) when the attempt is
    /// already ended, so a late or repeated ending is harmless.
    /// </summary>
    public async Task<bool> EndAsync(AttemptEnding ending, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ending);
        if (ending.LeadState == LeadState.InProgress)
        {
            throw new ArgumentException("An ended attempt cannot leave its lead in progress.", nameof(ending));
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var attempt = await connection.QuerySingleOrDefaultAsync<(long LeadId, long CampaignId, string CreatedAt, string? AnsweredAt)>(new CommandDefinition(
            "SELECT lead_id, campaign_id, created_at, answered_at FROM attempts WHERE id = @AttemptId AND state <> 'ended'",
            ending, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (attempt.LeadId == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE attempts SET state = 'ended', ended_at = @EndedAt, outcome = @outcome, failure_reason = @FailureReason,
                reason = @Reason, dial_status = @DialStatus, hangup_cause = @HangupCause, hangup_cause_text = @HangupCauseText,
                answered_at = COALESCE(answered_at, @AnsweredAt), talk_seconds = @TalkSeconds
            WHERE id = @AttemptId
            """,
            new
            {
                ending.AttemptId, ending.EndedAt, outcome = DbNames.Of(ending.Outcome), ending.FailureReason, ending.Reason, ending.DialStatus,
                ending.HangupCause, ending.HangupCauseText, ending.AnsweredAt, ending.TalkSeconds,
            }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

        var lead = await connection.QuerySingleAsync<(string State, string? FinalOutcome)>(new CommandDefinition(
            "SELECT state, final_outcome FROM leads WHERE id = @leadId", new { leadId = attempt.LeadId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var fromState = DbNames.LeadStateOf(lead.State);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE leads SET state = @state, final_outcome = COALESCE(final_outcome, @finalOutcome), next_eligible_at = @next WHERE id = @leadId",
            new
            {
                leadId = attempt.LeadId,
                state = DbNames.Of(ending.LeadState),
                finalOutcome = ending.LeadFinalOutcome is { } f ? DbNames.Of(f) : null,
                next = ending.LeadNextEligibleAt,
            }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

        var campaignId = attempt.CampaignId;
        await CampaignCounters.MoveLeadAsync(connection, transaction, campaignId, fromState, ending.LeadState, 1, cancellationToken).ConfigureAwait(false);
        if (ending.LeadFinalOutcome is { } final && lead.FinalOutcome is null)
        {
            await CampaignCounters.AddAsync(connection, transaction, campaignId, CampaignCounters.Outcome(final), 1, cancellationToken).ConfigureAwait(false);
        }

        await CampaignCounters.AddAsync(connection, transaction, campaignId, CampaignCounters.AttemptOutcome(ending.Outcome), 1, cancellationToken).ConfigureAwait(false);
        var talk = ending.TalkSeconds ?? 0;
        if (ending.TalkSeconds is not null)
        {
            await CampaignCounters.AddAsync(connection, transaction, campaignId, CampaignCounters.TalkSeconds, talk, cancellationToken).ConfigureAwait(false);
            await CampaignCounters.AddAsync(connection, transaction, campaignId, CampaignCounters.TalkedAttempts, 1, cancellationToken).ConfigureAwait(false);
        }

        await CampaignCounters.AddHourAsync(connection, transaction, campaignId, DapperTypeHandlers.FromDb(attempt.CreatedAt), ending.Outcome == CallOutcome.Answered, talk, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<Attempt?> GetAsync(long attemptId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<AttemptRow>(new CommandDefinition(
            SelectColumns + " WHERE id = @attemptId", new { attemptId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToAttempt();
    }

    public async Task<Attempt?> GetByActionIdAsync(string actionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<AttemptRow>(new CommandDefinition(
            SelectColumns + " WHERE action_id = @actionId", new { actionId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToAttempt();
    }

    /// <summary>Attempts still dialing or live, oldest first, optionally those sent to one AMI server: what reconciliation checks.</summary>
    public async Task<IReadOnlyList<Attempt>> ListOpenAsync(string? server = null, long? campaignId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AttemptRow>(new CommandDefinition(
            SelectColumns + """
             WHERE state <> 'ended' AND (@server IS NULL OR server = @server) AND (@campaignId IS NULL OR campaign_id = @campaignId)
            ORDER BY id
            """, new { server, campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToAttempt()).ToList();
    }

    /// <summary>Every attempt of a lead, oldest first.</summary>
    public async Task<IReadOnlyList<Attempt>> ListByLeadAsync(long leadId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AttemptRow>(new CommandDefinition(
            SelectColumns + " WHERE lead_id = @leadId ORDER BY id", new { leadId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToAttempt()).ToList();
    }

    /// <summary>How many of a lead's ended attempts had each outcome: what the retry policy counts.</summary>
    public async Task<IReadOnlyDictionary<CallOutcome, int>> CountOutcomesAsync(long leadId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Outcome, int Count)>(new CommandDefinition(
            "SELECT outcome, COUNT(*) FROM attempts WHERE lead_id = @leadId AND state = 'ended' AND outcome IS NOT NULL GROUP BY outcome",
            new { leadId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => DbNames.OutcomeOf(r.Outcome)!.Value, r => r.Count);
    }

    private sealed class AttemptRow
    {
        public long Id { get; set; }
        public long LeadId { get; set; }
        public long CampaignId { get; set; }
        public string State { get; set; } = "";
        public string ActionId { get; set; } = "";
        public string ChannelId { get; set; } = "";
        public string Server { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset? AnsweredAt { get; set; }
        public DateTimeOffset? EndedAt { get; set; }
        public string? Outcome { get; set; }
        public string? FailureReason { get; set; }
        public string? Reason { get; set; }
        public string? DialStatus { get; set; }
        public int? HangupCause { get; set; }
        public string? HangupCauseText { get; set; }
        public double? TalkSeconds { get; set; }
        public bool IsSimulated { get; set; }

        public Attempt ToAttempt() => new()
        {
            Id = Id,
            LeadId = LeadId,
            CampaignId = CampaignId,
            State = DbNames.AttemptStateOf(State),
            ActionId = ActionId,
            ChannelId = ChannelId,
            Server = Server,
            CreatedAt = CreatedAt,
            AnsweredAt = AnsweredAt,
            EndedAt = EndedAt,
            Outcome = DbNames.OutcomeOf(Outcome),
            FailureReason = FailureReason,
            Reason = Reason,
            DialStatus = DialStatus,
            HangupCause = HangupCause,
            HangupCauseText = HangupCauseText,
            TalkSeconds = TalkSeconds,
            IsSimulated = IsSimulated,
        };
    }
}
