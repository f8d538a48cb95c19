using AmiDialer.Data.Database;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Data.Repositories;

/// <summary>Who dials a campaign. <see cref="Acquired"/> false carries the current holder for the refusal message.</summary>
public sealed record LeaseResult(bool Acquired, string Owner, DateTimeOffset ExpiresAt);

/// <summary>
/// One engine per campaign: a lease row with an owner and an expiry. Times come from the caller's TimeProvider, never
/// from the database clock, so tests and several nodes agree on what "expired" means.
/// </summary>
public sealed class LeaseRepository(AmiDialerDatabase database, ILogger<LeaseRepository>? logger = null)
{
    private readonly ILogger logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Takes the lease if it is free, expired, or already ours; otherwise reports who holds it.</summary>
    public async Task<LeaseResult> TryAcquireAsync(long campaignId, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var expiresAt = now + duration;
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO campaign_leases (campaign_id, owner, acquired_at, expires_at) VALUES (@campaignId, @owner, @now, @expiresAt)
            ON CONFLICT (campaign_id) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
            WHERE campaign_leases.expires_at <= @now OR campaign_leases.owner = @owner
            """, new { campaignId, owner, now, expiresAt }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var holder = await connection.QuerySingleAsync<(string Owner, string ExpiresAt)>(new CommandDefinition(
            "SELECT owner, expires_at FROM campaign_leases WHERE campaign_id = @campaignId", new { campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var result = new LeaseResult(changed == 1, holder.Owner, DapperTypeHandlers.FromDb(holder.ExpiresAt));
        if (result.Acquired)
        {
            logger.LeaseAcquired(campaignId, owner, result.ExpiresAt);
        }
        else
        {
            logger.LeaseRefused(campaignId, owner, result.Owner, result.ExpiresAt);
        }

        return result;
    }

    /// <summary>Extends our lease (heartbeat). False when somebody else holds it now: stop dialing.</summary>
    public async Task<bool> RenewAsync(long campaignId, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE campaign_leases SET expires_at = @expiresAt WHERE campaign_id = @campaignId AND owner = @owner",
            new { campaignId, owner, expiresAt = now + duration }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>Gives the lease up so another process may take it at once. False when it was not ours.</summary>
    public async Task<bool> ReleaseAsync(long campaignId, string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM campaign_leases WHERE campaign_id = @campaignId AND owner = @owner",
            new { campaignId, owner }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>The current lease row, expired or not; null when none.</summary>
    public async Task<LeaseResult?> GetAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<(string Owner, string ExpiresAt)>(new CommandDefinition(
            "SELECT owner, expires_at FROM campaign_leases WHERE campaign_id = @campaignId", new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row.Owner is null ? null : new LeaseResult(true, row.Owner, DapperTypeHandlers.FromDb(row.ExpiresAt));
    }
}
