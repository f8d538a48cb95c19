using AmiDialer.Core.Queues;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// Queue campaigns' store (schema step 9): each answered queue call's fate on its attempt, and each queue's free agents
/// as one budget (<c>queue_budgets</c>) that every campaign and node on that queue claims its calls in flight from.
/// </summary>
public sealed class QueueRepository(AmiDialerDatabase database)
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
            INSERT INTO queue_budgets (server, queue, logged_in, paused, busy, free_agents, waiting, in_flight, observed_at, observed_by)
            VALUES (@server, @queue, @loggedIn, @paused, @busy, @free, @waiting, 0, @observedAt, @observer)
            ON CONFLICT (server, queue) DO UPDATE SET logged_in = excluded.logged_in, paused = excluded.paused,
                busy = excluded.busy, free_agents = excluded.free_agents, waiting = excluded.waiting,
                observed_at = excluded.observed_at, observed_by = excluded.observed_by
            """,
            new { server, queue, loggedIn = counts.LoggedIn, paused = counts.Paused, busy = counts.Busy, free = counts.Free, waiting = counts.Waiting, observedAt, observer },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The queue's budget as stored; null before any follower wrote it.</summary>
    public async Task<QueueBudget?> GetBudgetAsync(string server, string queue, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<QueueBudget>(new CommandDefinition(
            """
            SELECT server AS Server, queue AS Queue, logged_in AS LoggedIn, paused AS Paused, busy AS Busy,
                   free_agents AS Free, waiting AS Waiting, in_flight AS InFlight, observed_at AS ObservedAt, observed_by AS ObservedBy
            FROM queue_budgets WHERE server = @server AND queue = @queue
            """,
            new { server, queue },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims up to <paramref name="wanted"/> calls in flight on the queue, so that the queue's calls in flight (every
    /// campaign's, every node's) stay within <paramref name="limit"/>: one conditional update, so two claimers never
    /// both take the last free agent. Returns how many were granted (0 when none, or no budget row exists yet).
    /// </summary>
    public async Task<int> ClaimAsync(string server, string queue, int wanted, int limit, CancellationToken cancellationToken = default)
    {
        if (wanted <= 0 || limit <= 0)
        {
            return 0;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // A compare-and-swap on the count seen: of two claimers on one budget, one wins and the other reads again.
        for (var tries = 0; tries < 20; tries++)
        {
            var seen = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                "SELECT in_flight FROM queue_budgets WHERE server = @server AND queue = @queue",
                new { server, queue },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (seen is not { } inFlight || inFlight >= limit)
            {
                return 0;
            }

            var granted = (int)Math.Min(wanted, limit - inFlight);
            var changed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE queue_budgets SET in_flight = @next WHERE server = @server AND queue = @queue AND in_flight = @inFlight",
                new { server, queue, inFlight, next = inFlight + granted },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (changed == 1)
            {
                return granted;
            }
        }

        return 0;
    }

    /// <summary>Calls claimed on the queue were answered, failed or ended: they leave its calls in flight.</summary>
    public async Task ReleaseAsync(string server, string queue, int count, CancellationToken cancellationToken = default)
    {
        if (count <= 0)
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE queue_budgets SET in_flight = CASE WHEN in_flight > @count THEN in_flight - @count ELSE 0 END WHERE server = @server AND queue = @queue",
            new { server, queue, count },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

/// <summary>One queue's row of <c>queue_budgets</c>.</summary>
public sealed record QueueBudget(string Server, string Queue, long LoggedIn, long Paused, long Busy, long Free, long Waiting, long InFlight, DateTimeOffset? ObservedAt, string? ObservedBy);
