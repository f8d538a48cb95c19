using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// Attempts: one row per Originate, written before it is sent and never overwritten by another call. This reads
/// them; the engine claims, marks and ends them through its <see cref="IAttemptWriter"/>, each change of the
/// attempt, its lead and the counters in one transaction.
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
    /// The insert of a dialing attempt (prepared once by <see cref="AttemptWriter"/>). No RETURNING: SQLite runs
    /// one as a trigger, and would copy every page the insert changes into a statement journal first; callers read
    /// the new row's id with <see cref="LastRowId"/>.
    /// </summary>
    internal const string InsertDialingSql = """
        INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated, lease_key)
        VALUES (@leadId, @campaignId, @actionId, @channelId, @server, 'dialing', @now, @isSimulated, COALESCE(@leaseKey, 'campaign:' || @campaignId))
        """;

    /// <summary>The rowid of the connection's last insert.</summary>
    internal static long LastRowId(SqliteConnection connection) => SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);

    /// <summary>
    /// <see cref="InsertDialingSql"/> for PostgreSQL: the insert names the partial unique index as its arbiter, so a
    /// lead that already has an open attempt gives no row instead of an error (which would abort the transaction).
    /// </summary>
    internal const string InsertDialingReturningSql = InsertDialingSql + """

        ON CONFLICT (lead_id) WHERE state <> 'ended' DO NOTHING
        RETURNING id
        """;

    /// <summary>The partial unique index (<c>ux_attempts_open_lead</c>) refused a second open attempt for a lead, on either engine.</summary>
    internal static bool IsOpenAttemptConflict(Exception e) => e switch
    {
        // SQLite names the index's column in its message, not the index.
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.Message.Contains("attempts.lead_id", StringComparison.Ordinal),
        _ => StoreErrors.IsUniqueViolation(e, "ux_attempts_open_lead"),
    };

    /// <summary>
    /// The one place an attempt row is born: inserted as dialing inside the caller's claim transaction, with the
    /// lead moved to in-progress in the counters. Null when the partial unique index finds the lead already has an
    /// open attempt (the caller then changes nothing).
    /// </summary>
    internal static async Task<long?> InsertDialingAsync(DbConnection connection, DbTransaction transaction, long leadId, long campaignId, LeadState leadWas, AttemptClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = new { leadId, campaignId, actionId = claim.ActionId, channelId = claim.ChannelId, server = claim.Server, now, isSimulated = claim.IsSimulated, leaseKey = claim.LeaseKey };
        long id;
        if (connection is SqliteConnection sqlite)
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertDialingSql, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                id = LastRowId(sqlite);
            }
            catch (SqliteException e) when (IsOpenAttemptConflict(e))
            {
                return null;
            }
        }
        else if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition(InsertDialingReturningSql, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) is { } inserted)
        {
            id = inserted;
        }
        else
        {
            return null;
        }

        await CampaignCounters.MoveLeadAsync(connection, transaction, campaignId, leadWas, LeadState.InProgress, 1, cancellationToken).ConfigureAwait(false);
        await CampaignCounters.AddAsync(connection, transaction, campaignId, CampaignCounters.Attempts, 1, cancellationToken).ConfigureAwait(false);
        return id;
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

    /// <summary>Whether any call was ever placed for the campaign.</summary>
    public async Task<bool> AnyForCampaignAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM attempts WHERE campaign_id = @campaignId LIMIT 1", new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false) is not null;
    }

    /// <summary>The open attempts a lease owns (<see cref="LeaseKeys"/>), oldest first: what its holder adopts.</summary>
    public async Task<IReadOnlyList<Attempt>> ListOpenOwnedAsync(string leaseKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AttemptRow>(new CommandDefinition(
            SelectColumns + " WHERE state <> 'ended' AND lease_key = @leaseKey ORDER BY id", new { leaseKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
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

    internal class AttemptRow
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
