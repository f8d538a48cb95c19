using System.Collections.Concurrent;
using AmiDialer.Data.Database;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// Who owns what: one lease per key (<see cref="LeaseKeys"/>). The holder increments the heartbeat counter at every
/// renewal; a taker treats the lease as abandoned only after it watched that counter stand still for the lease's
/// duration on its own monotonic clock (<see cref="TimeProvider.GetTimestamp"/>), never by comparing its wall clock with
/// a stored time: two hosts' clocks differ, and one that jumps would hand a live campaign to a second dialer. A holder
/// on this host whose process is gone (<see cref="ProcessIdentity.IsRunning"/>) is passed over at once. Every take is a
/// compare-and-swap on (owner, heartbeat), so of two takers one wins. Observations are kept per repository: use one
/// instance per engine.
/// </summary>
public sealed class LeaseRepository(AmiDialerDatabase database, TimeProvider? time = null, ILogger? logger = null, LeaseIdentity? identity = null)
{
    private readonly TimeProvider time = time ?? TimeProvider.System;
    private readonly ILogger logger = logger ?? NullLogger.Instance;
    private readonly LeaseIdentity self = identity ?? LeaseIdentity.Current;
    private readonly ConcurrentDictionary<string, Observation> seen = new(StringComparer.Ordinal);

    private const string SelectColumns = """
        SELECT key AS Key, owner AS Owner, heartbeat AS Heartbeat, host AS Host, pid AS Pid, process_start AS ProcessStart,
               acquired_at AS AcquiredAt, renewed_at AS RenewedAt
        FROM leases
        """;

    /// <summary>
    /// One look: takes the lease when it is free, already <paramref name="owner"/>'s, held by a process gone from this
    /// host, or when this repository has watched its heartbeat stand still for <paramref name="duration"/>. Otherwise
    /// refuses with the holder, saying whether the counter moved since the previous look.
    /// </summary>
    public async Task<LeaseResult> TryAcquireAsync(string key, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // Two rounds at most: a row that changed under a compare-and-swap is looked at once more, then reported.
        for (var round = 0; ; round++)
        {
            // Before the write: a holder counts its lease's age from here, never from after a pause that followed it.
            var stamp = time.GetTimestamp();
            var now = time.GetUtcNow();
            var holder = (await connection.QuerySingleOrDefaultAsync<LeaseRow>(new CommandDefinition(
                SelectColumns + " WHERE key = @key", new { key }, cancellationToken: cancellationToken)).ConfigureAwait(false))?.ToHolder();
            LeaseTake? how = null;
            if (holder is null)
            {
                var inserted = await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO leases (key, owner, heartbeat, host, pid, process_start, acquired_at, renewed_at)
                    VALUES (@key, @owner, 1, @Host, @Pid, @Start, @now, @now)
                    ON CONFLICT (key) DO NOTHING
                    """, new { key, owner, self.Host, self.Pid, self.Start, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                how = inserted == 1 ? LeaseTake.Free : null;
            }
            else
            {
                var watched = Watch(holder);
                var why = holder.Owner == owner ? LeaseTake.Ours
                    : ProcessIdentity.IsRunning(holder.Host, (int)holder.Pid, holder.ProcessStart) == false ? LeaseTake.HolderGone
                    : watched is { Moved: false } w && w.Still >= duration ? LeaseTake.HeartbeatStill
                    : (LeaseTake?)null;
                if (why is null)
                {
                    var refused = new LeaseResult(false, holder) { HeartbeatMoved = watched.Moved, Watched = watched.Still };
                    logger.LeaseRefused(key, owner, holder.Owner, holder.Heartbeat, watched.Still.TotalSeconds);
                    return refused;
                }

                var swapped = await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE leases SET owner = @owner, heartbeat = heartbeat + 1, host = @Host, pid = @Pid, process_start = @Start,
                        acquired_at = CASE WHEN owner = @owner THEN acquired_at ELSE @now END, renewed_at = @now
                    WHERE key = @key AND owner = @was AND heartbeat = @beat
                    """, new { key, owner, self.Host, self.Pid, self.Start, now, was = holder.Owner, beat = holder.Heartbeat }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                how = swapped == 1 ? why : null;
            }

            if (how is { } taken)
            {
                seen.TryRemove(key, out _);
                var mine = (await connection.QuerySingleAsync<LeaseRow>(new CommandDefinition(
                    SelectColumns + " WHERE key = @key", new { key }, cancellationToken: cancellationToken)).ConfigureAwait(false))?.ToHolder();
                logger.LeaseAcquired(key, owner, taken.ToString(), holder?.Owner ?? "");
                return new LeaseResult(true, mine) { How = taken, Previous = holder?.Owner == owner ? null : holder, Timestamp = stamp };
            }

            if (round > 0)
            {
                // Somebody else changed it twice while we looked: a live contender, so refuse and look again later.
                var now2 = (await connection.QuerySingleOrDefaultAsync<LeaseRow>(new CommandDefinition(
                    SelectColumns + " WHERE key = @key", new { key }, cancellationToken: cancellationToken)).ConfigureAwait(false))?.ToHolder();
                return new LeaseResult(false, now2) { HeartbeatMoved = true };
            }
        }
    }

    /// <summary>
    /// Looks until the lease is taken, its heartbeat is seen moving (a live holder: refused at once), or the
    /// cancellation (refused, with the holder last seen): at most about <paramref name="duration"/> when the holder is silent.
    /// </summary>
    public async Task<LeaseResult> AcquireWatchingAsync(string key, string owner, TimeSpan duration, TimeSpan lookEvery, CancellationToken cancellationToken = default, Action<LeaseResult>? watching = null)
    {
        for (var look = 0; ; look++)
        {
            var result = await TryAcquireAsync(key, owner, duration, cancellationToken).ConfigureAwait(false);
            if (result.Acquired || result.HeartbeatMoved || result.Holder is null)
            {
                return result;
            }

            if (look == 0)
            {
                watching?.Invoke(result);
            }

            var left = duration - result.Watched;
            try
            {
                await Task.Delay(left < lookEvery ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : lookEvery, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Given up (Ctrl-C): still held, by whom the last look saw.
                return result;
            }
        }
    }

    /// <summary>Renews our lease: the heartbeat counter goes up. False when it is not ours any more: stop.</summary>
    public async Task<bool> RenewAsync(string key, string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE leases SET heartbeat = heartbeat + 1, renewed_at = @now WHERE key = @key AND owner = @owner",
            new { key, owner, now = time.GetUtcNow() }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>Gives the lease up so another process may take it at once. False when it was not ours.</summary>
    public async Task<bool> ReleaseAsync(string key, string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM leases WHERE key = @key AND owner = @owner", new { key, owner }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>The lease row, held or abandoned; null when nobody holds it.</summary>
    public async Task<LeaseHolder?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QuerySingleOrDefaultAsync<LeaseRow>(new CommandDefinition(
            SelectColumns + " WHERE key = @key", new { key }, cancellationToken: cancellationToken)).ConfigureAwait(false))?.ToHolder();
    }

    /// <summary>
    /// Lease keys that own open attempts, starting with <paramref name="prefix"/>: what a supervisor looks at for
    /// attempts whose owner may be gone.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListOpenAttemptKeysAsync(string prefix, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var keys = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT lease_key FROM attempts WHERE state <> 'ended' AND lease_key IS NOT NULL AND substr(lease_key, 1, length(@prefix)) = @prefix ORDER BY lease_key",
            new { prefix }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return keys.ToList();
    }

    /// <summary>
    /// Records what this look saw: how long the counter has stood still on our monotonic clock, and whether it moved
    /// (or changed hands) since the previous look. The first look starts the watch.
    /// </summary>
    private (bool Moved, TimeSpan Still) Watch(LeaseHolder holder)
    {
        var stamp = time.GetTimestamp();
        var fresh = new Observation(holder.Owner, holder.Heartbeat, stamp);
        var before = seen.GetOrAdd(holder.Key, fresh);
        if (ReferenceEquals(before, fresh))
        {
            return (false, TimeSpan.Zero);
        }

        if (before.Owner == holder.Owner && before.Heartbeat == holder.Heartbeat)
        {
            return (false, time.GetElapsedTime(before.Since, stamp));
        }

        seen[holder.Key] = fresh;
        return (true, TimeSpan.Zero);
    }

    private sealed record Observation(string Owner, long Heartbeat, long Since);

    private sealed class LeaseRow
    {
        public string Key { get; set; } = "";
        public string Owner { get; set; } = "";
        public long Heartbeat { get; set; }
        public string Host { get; set; } = "";
        public long Pid { get; set; }
        public long ProcessStart { get; set; }
        public DateTimeOffset AcquiredAt { get; set; }
        public DateTimeOffset RenewedAt { get; set; }

        public LeaseHolder ToHolder() => new(Key, Owner, Heartbeat, Host, Pid, ProcessStart, AcquiredAt, RenewedAt);
    }
}

/// <summary>The keys of <see cref="LeaseRepository"/>, also written on every attempt as its owner (<c>attempts.lease_key</c>).</summary>
public static class LeaseKeys
{
    public const string ClickToCallPrefix = "c2c:";

    public const string CampaignPrefix = "campaign:";

    /// <summary>The campaign's dialer: its open attempts are its own.</summary>
    public static string Campaign(long campaignId) => CampaignPrefix + campaignId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The click-to-calls one process placed (<paramref name="owner"/>: its instance name).</summary>
    public static string ClickToCall(string owner) => ClickToCallPrefix + owner;
}

/// <summary>What a lease records of its holder's process (<see cref="ProcessIdentity"/>); tests make others.</summary>
public sealed record LeaseIdentity(string Host, long Pid, long Start)
{
    public static LeaseIdentity Current { get; } = new(ProcessIdentity.Host, Environment.ProcessId, ProcessIdentity.Start);
}

/// <summary>A lease row. <see cref="AcquiredAt"/> and <see cref="RenewedAt"/> are the holder's wall clock: for display only.</summary>
public sealed record LeaseHolder(string Key, string Owner, long Heartbeat, string Host, long Pid, long ProcessStart, DateTimeOffset AcquiredAt, DateTimeOffset RenewedAt);

/// <summary>How a lease was taken.</summary>
public enum LeaseTake
{
    Free,
    Ours,
    HolderGone,
    HeartbeatStill,
}

/// <summary>The lease after a look: <see cref="Holder"/> is us when <see cref="Acquired"/>, else who holds it.</summary>
public sealed record LeaseResult(bool Acquired, LeaseHolder? Holder)
{
    public LeaseTake? How { get; init; }

    /// <summary>The holder we took it from (gone, or silent for the lease's duration); null when it was free or ours.</summary>
    public LeaseHolder? Previous { get; init; }

    /// <summary>Refused: the counter moved since this repository's previous look, so its holder is alive.</summary>
    public bool HeartbeatMoved { get; init; }

    /// <summary>Refused: how long this repository has watched the counter stand still.</summary>
    public TimeSpan Watched { get; init; }

    /// <summary>Acquired: the taker's monotonic timestamp (<see cref="TimeProvider.GetTimestamp"/>) from just before the take was written.</summary>
    public long Timestamp { get; init; }

    public string Owner => Holder?.Owner ?? "";
}
