using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>One click-to-call as stored: its attempt, the number dialed, the agent rung first and the customer's destination.</summary>
/// <param name="Agent">Null for calls placed before agents were recorded.</param>
public sealed record ClickToCallRecord(Attempt Attempt, string PhoneE164, string? Agent, string? Destination);

/// <summary>Which click-to-calls to list: an exact agent endpoint, a half-open range of start times [From, To), a page.</summary>
public sealed record ClickToCallQuery
{
    public string? Agent { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int Limit { get; init; } = 50;
    public int Offset { get; init; }
}

/// <summary>The click-to-call history (attempts of the built-in campaign), newest first, with agent and destination.</summary>
public sealed class ClickToCallRecords(AmiDialerDatabase database)
{
    private const string Select = """
        SELECT a.id AS Id, a.lead_id AS LeadId, a.campaign_id AS CampaignId, a.state AS State, a.action_id AS ActionId,
               a.channel_id AS ChannelId, a.server AS Server, a.created_at AS CreatedAt, a.answered_at AS AnsweredAt,
               a.ended_at AS EndedAt, a.outcome AS Outcome, a.failure_reason AS FailureReason, a.reason AS Reason,
               a.dial_status AS DialStatus, a.hangup_cause AS HangupCause, a.hangup_cause_text AS HangupCauseText,
               a.talk_seconds AS TalkSeconds, a.is_simulated AS IsSimulated,
               l.phone AS Phone, c.agent AS Agent, c.destination AS Destination
        FROM attempts a
        JOIN leads l ON l.id = a.lead_id
        LEFT JOIN click_to_calls c ON c.attempt_id = a.id
        """;

    private const string Filter = """
         WHERE a.campaign_id = (SELECT id FROM campaigns WHERE name = @name)
           AND (@agent IS NULL OR c.agent = @agent)
        """;

    // Only the bounds given: an instant bound to null has no type on PostgreSQL, and "@from IS NULL" cannot name one.
    private static string FilterOf(ClickToCallQuery query) =>
        Filter + (query.From is null ? "" : " AND a.created_at >= @from") + (query.To is null ? "" : " AND a.created_at < @to");

    /// <summary>The record of one attempt; its agent and destination are null when it is no click-to-call (or an older one).</summary>
    public async Task<ClickToCallRecord?> GetAsync(long attemptId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            Select + " WHERE a.id = @attemptId", new { attemptId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <summary>A page of click-to-calls, newest first, and how many match in all.</summary>
    public async Task<(IReadOnlyList<ClickToCallRecord> Calls, long Total)> ListAsync(ClickToCallQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var args = new
        {
            name = BuiltInCampaign.ClickToCallName,
            agent = query.Agent,
            from = query.From,
            to = query.To,
            limit = query.Limit,
            offset = query.Offset,
        };
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            Select + FilterOf(query) + " ORDER BY a.id DESC LIMIT @limit OFFSET @offset", args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM attempts a LEFT JOIN click_to_calls c ON c.attempt_id = a.id" + FilterOf(query), args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (rows.Select(r => r.ToRecord()).ToList(), total);
    }

    private sealed class Row : AttemptRepository.AttemptRow
    {
        public string Phone { get; set; } = "";
        public string? Agent { get; set; }
        public string? Destination { get; set; }

        public ClickToCallRecord ToRecord() => new(ToAttempt(), Phone, Agent, string.IsNullOrEmpty(Destination) ? null : Destination);
    }
}
