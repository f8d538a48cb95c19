using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>One UTC day of a queue campaign's answered calls and the abandoned ones among them.</summary>
public sealed record AbandonDay(DateOnly Day, long Answered, long Abandoned);

/// <summary>
/// A queue campaign's abandon history for its report's chart (schema step 9's <c>is_abandoned</c>, set once the
/// call's queue fate is known). Calls are bucketed here rather than in SQL so that one query serves both stores,
/// whose date functions differ; a window is at most 30 days of one campaign's answered calls.
/// </summary>
public sealed class AbandonHistory(AmiDialerDatabase database)
{
    public async Task<IReadOnlyList<AbandonDay>> DailyAsync(long campaignId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(DateTimeOffset AnsweredAt, bool Abandoned)>(new CommandDefinition(
            """
            SELECT answered_at, is_abandoned FROM attempts
            WHERE campaign_id = @campaignId AND is_abandoned IS NOT NULL AND answered_at >= @since
            """,
            new { campaignId, since },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.GroupBy(r => DateOnly.FromDateTime(r.AnsweredAt.UtcDateTime))
            .OrderBy(g => g.Key)
            .Select(g => new AbandonDay(g.Key, g.LongCount(), g.LongCount(r => r.Abandoned)))];
    }
}
