using System.Collections.Concurrent;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.TestHooks;
using Npgsql;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// The engine's writer of attempts on PostgreSQL (its <see cref="IAttemptWriter"/>). PostgreSQL has many writers, so
/// there is no single writer loop and no group commit: each claim or ending request is one transaction on a pooled
/// connection of the data source, written set-wise in a few round trips (arrays and <c>unnest</c>, batched commands)
/// rather than statement by statement. A claim locks its leads with <c>FOR UPDATE SKIP LOCKED</c>: a lead another
/// node is claiming at that moment is skipped (not claimable) instead of waited for, and of two claimers only one
/// sees a lead still dialable; <c>ux_attempts_open_lead</c> refuses a second open attempt even if that ever failed.
/// Counters (<see cref="CounterDeltas"/>) are written in the same transaction. When a set-wise write fails in the
/// store, it is rolled back and written again one request item per transaction, so only the item that failed is lost.
/// </summary>
public sealed partial class PostgresAttemptWriter : IAttemptWriter
{
    /// <summary>How long live marks may wait to be written with an ending before they are written on their own.</summary>
    public static readonly TimeSpan LiveMarkDelay = TimeSpan.FromMilliseconds(100);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ConcurrentQueue<(long AttemptId, DateTimeOffset? AnsweredAt)> _marks = new();
    private readonly SemaphoreSlim _markFlush = new(1, 1);
    private readonly ITimer _markTimer;
    private int _markTimerSet;
    private volatile bool _closed;
    private int _running;
    private long _batches;
    private long _requests;

    public PostgresAttemptWriter(NpgsqlDataSource dataSource, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _markTimer = (time ?? TimeProvider.System).CreateTimer(
            static state => _ = ((PostgresAttemptWriter)state!).FlushMarksAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc/>
    public (long Batches, long Requests) Stats => (Interlocked.Read(ref _batches), Interlocked.Read(ref _requests));

    /// <inheritdoc/>
    public async Task<DialClaimResult[]> ClaimAsync(IReadOnlyList<DialClaim> claims, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(claims);
        using var _ = Enter();
        if (claims.Count == 0)
        {
            return [];
        }

        DialClaimResult[] results;
        try
        {
            results = await WriteAsync(transaction => ClaimAllAsync(transaction, claims, now)).ConfigureAwait(false);
        }
        catch (PostgresException failed) when (StoreErrors.Classify(failed) != StoreFailure.Unavailable)
        {
            // Something in the set failed (a second open attempt refused by ux_attempts_open_lead, nearly always): one
            // by one, each in its own transaction, so only the claim that failed is lost.
            results = new DialClaimResult[claims.Count];
            for (var i = 0; i < claims.Count; i++)
            {
                try
                {
                    results[i] = (await WriteAsync(transaction => ClaimAllAsync(transaction, [claims[i]], now)).ConfigureAwait(false))[0];
                }
                catch (PostgresException e)
                {
                    results[i] = new DialClaimResult(DialClaimStatus.NotClaimable) { Error = IsOpenAttemptConflict(e) ? null : e.MessageText };
                }
            }
        }

        Interlocked.Increment(ref _requests);
        return results;
    }

    /// <inheritdoc/>
    public async Task<AttemptEndResult[]> EndManyAsync(IReadOnlyList<AttemptEnding> endings)
    {
        ArgumentNullException.ThrowIfNull(endings);
        foreach (var ending in endings)
        {
            if (ending.LeadState == LeadState.InProgress)
            {
                throw new ArgumentException("An ended attempt cannot leave its lead in progress.", nameof(endings));
            }
        }

        using var _ = Enter();
        if (endings.Count == 0)
        {
            return [];
        }

        // The live marks queued before this ending are written in its transaction, before it: taken under the flush's
        // lock, so a timer flush in flight cannot commit a mark of these attempts after them.
        List<(long AttemptId, DateTimeOffset? AnsweredAt)> marks = [];
        await _markFlush.WaitAsync().ConfigureAwait(false);
        try
        {
            while (_marks.TryDequeue(out var mark))
            {
                marks.Add(mark);
            }
        }
        finally
        {
            _markFlush.Release();
        }

        AttemptEndResult[] results;
        try
        {
            results = await WriteAsync(async transaction =>
            {
                await WriteMarksAsync(transaction, marks).ConfigureAwait(false);
                return await EndAllAsync(transaction, endings).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        catch (PostgresException failed) when (StoreErrors.Classify(failed) != StoreFailure.Unavailable)
        {
            // A server shutting down or starting up fails every item alike: that goes to the caller, which holds them.
            await TryWriteMarksAloneAsync(marks).ConfigureAwait(false);
            results = new AttemptEndResult[endings.Count];
            for (var i = 0; i < endings.Count; i++)
            {
                try
                {
                    results[i] = (await WriteAsync(transaction => EndAllAsync(transaction, [endings[i]])).ConfigureAwait(false))[0];
                }
                catch (PostgresException e)
                {
                    results[i] = new AttemptEndResult(false, e);
                }
            }
        }

        Interlocked.Increment(ref _requests);
        return results;
    }

    /// <inheritdoc/>
    public void MarkLive(long attemptId) => QueueMark(attemptId, null);

    /// <inheritdoc/>
    public void MarkAnswered(long attemptId, DateTimeOffset answeredAt) => QueueMark(attemptId, answeredAt);

    /// <summary>PostgreSQL has many writers: another write needs no turn, it simply runs.</summary>
    public Task<T> RunExclusiveAsync<T>(Func<Task<T>> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        ObjectDisposedException.ThrowIf(_closed, this);
        return write();
    }

    private void QueueMark(long attemptId, DateTimeOffset? answeredAt)
    {
        if (_closed)
        {
            return;
        }

        _marks.Enqueue((attemptId, answeredAt));
        // Nearly always an ending comes first and takes the mark along; the timer writes those no ending took.
        if (Interlocked.CompareExchange(ref _markTimerSet, 1, 0) == 0)
        {
            _markTimer.Change(LiveMarkDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task FlushMarksAsync()
    {
        Volatile.Write(ref _markTimerSet, 0);
        await _markFlush.WaitAsync().ConfigureAwait(false);
        try
        {
            List<(long, DateTimeOffset?)> marks = [];
            while (_marks.TryDequeue(out var mark))
            {
                marks.Add(mark);
            }

            await TryWriteMarksAloneAsync(marks).ConfigureAwait(false);
        }
        finally
        {
            _markFlush.Release();
        }
    }

    /// <summary>Nobody waits for a mark: one that cannot be written leaves its attempt dialing, still open, which the ending and reconciliation treat alike.</summary>
    private async Task TryWriteMarksAloneAsync(List<(long AttemptId, DateTimeOffset? AnsweredAt)> marks)
    {
        if (marks.Count == 0)
        {
            return;
        }

        try
        {
            await WriteAsync(async transaction =>
            {
                await WriteMarksAsync(transaction, marks).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // Left dialing (see above).
        }
        catch (ObjectDisposedException)
        {
            // The data source went first (shut-down): the same.
        }
    }

    /// <summary>One transaction on a pooled connection: committed when <paramref name="write"/> returns, rolled back when it throws.</summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlTransaction, Task<T>> write)
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var result = await write(transaction).ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
        Interlocked.Increment(ref _batches);
        return result;
    }

    private Running Enter()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        Interlocked.Increment(ref _running);
        return new Running(this);
    }

    private readonly struct Running(PostgresAttemptWriter writer) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref writer._running);
    }

    /// <summary>ux_attempts_open_lead refused a second attempt not ended for one lead (unique violation, SQLSTATE 23505).</summary>
    internal static bool IsOpenAttemptConflict(PostgresException e) =>
        e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "ux_attempts_open_lead";

    /// <summary>Waits for requests in flight, writes the marks still queued, then refuses any more.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        await _markTimer.DisposeAsync().ConfigureAwait(false);
        while (Volatile.Read(ref _running) != 0)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }

        await FlushMarksAsync().ConfigureAwait(false);
        _markFlush.Dispose();
    }

    /// <summary>The kill hook's ending point, as on SQLite: inside the ending's transaction, before its commit.</summary>
    private static void PassEndingCommit()
    {
        if (KillSwitch.IsArmed(KillSwitch.EndingCommit))
        {
            KillSwitch.Pass(KillSwitch.EndingCommit);
        }
    }

    private static DateTimeOffset Utc(DateTimeOffset at) => at.ToUniversalTime();

    private static DateTimeOffset? Utc(DateTimeOffset? at) => at?.ToUniversalTime();

    private static string? Name(CallOutcome? outcome) => outcome is { } o ? DbNames.Of(o) : null;
}
