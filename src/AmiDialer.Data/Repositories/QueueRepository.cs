using AmiDialer.Core.Queues;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// Queue campaigns' store (schema steps 9 and 12): each answered queue call's fate on its attempt, and each queue's free
/// agents as one budget (<c>queue_budgets</c>) that every campaign and node on that queue claims its calls in flight from.
/// </summary>
public sealed class QueueRepository(AmiDialerDatabase database, TimeProvider? time = null)
{
    /// <summary>
    /// What became of an answered call: its fate and abandoned flag are written once (the first decision stands: a call
    /// judged late stays late), the agent and the wait whenever they become known.
    /// </summary>
    public async Task RecordFateAsync(long attemptId, string queue, QueueCallFate fate, string? agent, TimeSpan? wait, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE attempts SET queue = @queue,
                queue_agent = COALESCE(queue_agent, @agent),
                queue_wait_ms = COALESCE(queue_wait_ms, @waitMs),
                is_abandoned = COALESCE(is_abandoned, @abandoned),
                queue_fate = COALESCE(queue_fate, @fate)
            WHERE id = @attemptId
            """,
            new
            {
                attemptId,
                queue,
                agent,
                waitMs = wait is { } w ? (long?)Math.Round(w.TotalMilliseconds) : null,
                abandoned = fate.IsAbandoned(),
                fate = fate.ToWireName(),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Answered calls of a queue campaign whose fate nobody recorded (the dialer was down, or lost the link, while they
    /// waited for an agent): unknown, which counts as abandoned. Only answers since the campaign's first recorded fate:
    /// calls from before it followed a queue had none to record. Returns how many were marked.
    /// </summary>
    public async Task<int> MarkUnknownFatesAsync(long campaignId, string queue, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE attempts SET queue = @queue, is_abandoned = @abandoned, queue_fate = @fate
            WHERE campaign_id = @campaignId AND state = 'ended' AND answered_at IS NOT NULL AND queue_fate IS NULL
              AND answered_at >= (SELECT MIN(f.answered_at) FROM attempts f WHERE f.campaign_id = @campaignId AND f.is_abandoned IS NOT NULL)
            """,
            new { campaignId, queue, abandoned = true, fate = QueueCallFate.Unknown.ToWireName() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>A campaign's answered queue calls and the abandoned ones among them, answered since <paramref name="since"/>.</summary>
    public async Task<(int Answered, int Abandoned)> AbandonCountsAsync(long campaignId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleAsync<(long Answered, long? Abandoned)>(new CommandDefinition(
            """
            SELECT COUNT(*), SUM(CASE WHEN is_abandoned THEN 1 ELSE 0 END)
            FROM attempts WHERE campaign_id = @campaignId AND is_abandoned IS NOT NULL AND answered_at >= @since
            """,
            new { campaignId, since },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return ((int)row.Answered, (int)(row.Abandoned ?? 0));
    }

    /// <summary>Each answered queue call's answer time and whether it was abandoned, since <paramref name="since"/>, oldest first.</summary>
    public async Task<IReadOnlyList<(DateTimeOffset AnsweredAt, bool Abandoned)>> FatesSinceAsync(long campaignId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(DateTimeOffset AnsweredAt, long Abandoned)>(new CommandDefinition(
            """
            SELECT answered_at, CASE WHEN is_abandoned THEN 1 ELSE 0 END
            FROM attempts WHERE campaign_id = @campaignId AND is_abandoned IS NOT NULL AND answered_at >= @since ORDER BY answered_at
            """,
            new { campaignId, since },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => (r.AnsweredAt, r.Abandoned != 0))];
    }

    /// <summary>The follower's latest look at a queue's agents (<paramref name="observer"/>: the process that follows it).</summary>
    public async Task WriteAgentsAsync(string server, string queue, QueueAgentCounts counts, DateTimeOffset observedAt, string observer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO queue_budgets (server, queue, logged_in, paused, busy, free_agents, waiting, observed_at, observed_by)
            VALUES (@server, @queue, @loggedIn, @paused, @busy, @free, @waiting, @observedAt, @observer)
            ON CONFLICT (server, queue) DO UPDATE SET logged_in = excluded.logged_in, paused = excluded.paused,
                busy = excluded.busy, free_agents = excluded.free_agents, waiting = excluded.waiting,
                observed_at = excluded.observed_at, observed_by = excluded.observed_by
            """,
            new { server, queue, loggedIn = counts.LoggedIn, paused = counts.Paused, busy = counts.Busy, free = counts.Free, waiting = counts.Waiting, observedAt, observer },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The queue's budget as stored, with its calls in flight as they are now; null before any follower wrote it.</summary>
    public async Task<QueueBudget?> GetBudgetAsync(string server, string queue, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<QueueBudget>(new CommandDefinition(
            $"""
            SELECT server AS Server, queue AS Queue, CAST(logged_in AS bigint) AS LoggedIn, CAST(paused AS bigint) AS Paused,
                   CAST(busy AS bigint) AS Busy, CAST(free_agents AS bigint) AS Free, CAST(waiting AS bigint) AS Waiting,
                   CAST(({InFlightSql}) AS bigint) AS InFlight, CAST(({AnsweringSql}) AS bigint) AS Answering,
                   observed_at AS ObservedAt, observed_by AS ObservedBy
            FROM queue_budgets WHERE server = @server AND queue = @queue
            """,
            new { server, queue, now = Time.GetUtcNow() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims up to <paramref name="wanted"/> calls in flight on the queue, so that the queue's calls in flight (every
    /// campaign's, every node's) stay within <paramref name="limit"/>. The calls in flight are derived, not counted: the
    /// open attempts of the queue's campaigns on that server not answered yet (or answered, with no queue fate yet), plus
    /// the claims granted and not expired (<c>queue_claims</c>: granted calls whose attempts may not be written yet). Claims on one queue are serialised
    /// (SQLite's write lock; the budget row locked FOR UPDATE on PostgreSQL), so two claimers never both take the last
    /// free agent. What a claimer that died held lapses with its claim (<see cref="ClaimLifetime"/>) and its attempts'
    /// ends: nothing it took stays taken. The claimer ends the claim (<see cref="EndClaimAsync"/>) once the calls it
    /// granted are attempts on disk, or were not placed. Granted 0 when none, or no budget row exists yet.
    /// </summary>
    public async Task<QueueClaim> ClaimAsync(string server, string queue, int wanted, int limit, string claimedBy, CancellationToken cancellationToken = default)
    {
        if (wanted <= 0 || limit <= 0)
        {
            return QueueClaim.None;
        }

        var now = Time.GetUtcNow();
        var key = new { server, queue, now };
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var known = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM queue_budgets WHERE server = @server AND queue = @queue" + database.Dialect.ForUpdate, key, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (known is null)
        {
            return QueueClaim.None;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM queue_claims WHERE server = @server AND queue = @queue AND expires_at <= @now", key, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var inFlight = await connection.ExecuteScalarAsync<long>(new CommandDefinition(InFlightSql, key, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var granted = (int)Math.Clamp(limit - inFlight, 0, wanted);
        string? id = null;
        if (granted > 0)
        {
            id = Guid.NewGuid().ToString("N");
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO queue_claims (id, server, queue, granted, claimed_by, expires_at)
                VALUES (@id, @server, @queue, @granted, @claimedBy, @expiresAt)
                """,
                new { id, server, queue, granted, claimedBy, expiresAt = now + ClaimLifetime }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new QueueClaim(id, granted, inFlight);
    }

    /// <summary>The claim's calls are attempts on disk now (or were not placed): it leaves the queue's calls in flight.</summary>
    public async Task EndClaimAsync(string claimId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimId);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM queue_claims WHERE id = @claimId", new { claimId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>How long a claim counts at most: a claimer ends it after one look (a dial batch); this only bounds what a
    /// claimer that died (or stalled) holds. Longer than any look's claim-and-write, short enough to cost a few calls' time.</summary>
    public TimeSpan ClaimLifetime { get; init; } = TimeSpan.FromSeconds(30);

    private TimeProvider Time => time ?? TimeProvider.System;

    // The queue's calls in flight on a server (@server, @queue, @now): its campaigns' open attempts that have no agent
    // coming yet (not answered, or answered with no fate recorded: the follower may not have seen it join and take an
    // agent yet, and an answer must not free a slot before the call holds one), read off ix_attempts_open_server (only the
    // server's open attempts, joined to their campaign), plus unexpired claims.
    private string InFlightSql =>
        $"""
        SELECT (SELECT COUNT(*) FROM {OpenOnQueue} AND (a.answered_at IS NULL OR a.queue_fate IS NULL))
             + (SELECT COALESCE(SUM(q.granted), 0) FROM queue_claims AS q WHERE q.server = @server AND q.queue = @queue AND q.expires_at > @now)
        """;

    // Of those, the answered ones (waiting for their fate): the follower may count them among the queue's callers waiting.
    private string AnsweringSql => $"SELECT COUNT(*) FROM {OpenOnQueue} AND a.answered_at IS NOT NULL AND a.queue_fate IS NULL";

    private string OpenOnQueue =>
        $"attempts AS a {database.Dialect.OrderedJoin} campaigns AS c ON c.id = a.campaign_id WHERE a.server = @server AND a.state <> 'ended' AND c.queue = @queue";
}

/// <summary>What a claim on a queue's budget granted (<see cref="QueueRepository.ClaimAsync"/>).</summary>
/// <param name="Id">The claim to end once its calls are attempts; null when nothing was granted.</param>
/// <param name="Granted">Calls granted.</param>
/// <param name="InFlightBefore">The queue's calls in flight the claim found (its own grant not included).</param>
public sealed record QueueClaim(string? Id, int Granted, long InFlightBefore)
{
    public static QueueClaim None { get; } = new(null, 0, 0);
}

/// <summary>
/// One queue's row of <c>queue_budgets</c>, with its calls in flight as derived now (open attempts of the queue's
/// campaigns on the server not answered, or answered with no queue fate yet, plus unexpired claims). Counts read as
/// bigint on both engines (PostgreSQL's integer columns would not fit the record's constructor).
/// </summary>
/// <param name="Answering">Of <paramref name="InFlight"/>, the answered calls whose fate is not known yet.</param>
public sealed record QueueBudget(string Server, string Queue, long LoggedIn, long Paused, long Busy, long Free, long Waiting, long InFlight, long Answering, DateTimeOffset? ObservedAt, string? ObservedBy);
