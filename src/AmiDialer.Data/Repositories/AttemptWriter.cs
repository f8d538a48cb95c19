using System.Collections.Concurrent;
using AmiDialer.Data.Database;
using AmiDialer.Data.TestHooks;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// The engine's one writer to the SQLite store (its <see cref="IAttemptWriter"/>), doing group commit: attempt claims, live marks and endings queued by any
/// number of callers are written by one loop on one connection, many to a transaction, with statements prepared
/// once. Each request runs inside its own savepoint, so one that fails is rolled back and reported alone while the
/// rest of its batch commits. A caller's task completes only after its transaction has committed: a claimed
/// attempt is on disk, as dialing, before anyone can send its Originate.
/// <para>
/// Other writes of the engine go through <see cref="RunExclusiveAsync{T}"/>, between batches: SQLite has one writer,
/// and writers racing each other upgrade read locks into SQLITE_BUSY and back off for milliseconds each.
/// </para>
/// </summary>
public sealed partial class AttemptWriter : IAttemptWriter
{
    /// <summary>At most this many requests share a transaction, so no caller waits behind a huge batch.</summary>
    public const int MaxBatch = 512;

    private readonly AmiDialerDatabase _database;
    private readonly ConcurrentQueue<WriteRequest> _queue = new();
    private readonly List<WriteRequest> _batch = new(MaxBatch);
    private readonly List<(long AttemptId, DateTimeOffset? AnsweredAt)> _marks = [];
    // 1 while some thread is writing the queue: whoever sets it is the writer until it finds the queue empty.
    private int _writing;
    // 1 while a thread-pool drain is queued, so a burst of requests queues one.
    private int _drainQueued;
    private volatile bool _closed;
    private readonly bool _claimsOnCallerThread;
    private SqliteConnection? _connection;
    private Statements? _statements;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(long AttemptId, DateTimeOffset? AnsweredAt)> _liveMarks = new();
    private readonly ITimer _liveMarksTimer;
    private int _liveMarksSignalled;
    private long _batches;
    private long _requests;

    /// <summary>How long live marks may wait for a batch to ride with before they wake the loop on their own.</summary>
    public static readonly TimeSpan LiveMarkDelay = TimeSpan.FromMilliseconds(100);

    /// <param name="claimsOnCallerThread">
    /// Write a claim on its caller's thread when the writer is idle (the caller only waits for the commit anyway),
    /// rather than hand it to a thread-pool thread and back. Measured on the engine bench: a gain only where socket
    /// completions also run inline (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1), slightly worse without.
    /// </param>
    public AttemptWriter(AmiDialerDatabase database, TimeProvider? time = null, bool claimsOnCallerThread = false)
    {
        _database = database;
        _claimsOnCallerThread = claimsOnCallerThread;
        _liveMarksTimer = (time ?? TimeProvider.System).CreateTimer(
            static state => ((AttemptWriter)state!).TryEnqueue(new MarkLiveRequest(), inline: true), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        DataMetrics.Track(this);
    }

    /// <summary>Requests and live marks waiting to be written (the writer queue depth metric).</summary>
    internal int QueueDepth => _queue.Count + _liveMarks.Count;

    /// <summary>The writer connection's lookaside counts since it opened; null before it has written anything.</summary>
    internal (long Hits, long MissesFull)? LookasideCounts => _connection is { } c ? LookasideMemory.Counts(c) : null;

    /// <inheritdoc/>
    public (long Batches, long Requests) Stats => (Interlocked.Read(ref _batches), Interlocked.Read(ref _requests));

    /// <inheritdoc/>
    public Task<DialClaimResult[]> ClaimAsync(IReadOnlyList<DialClaim> claims, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var request = new ClaimRequest(claims, now);
        Enqueue(request, inline: _claimsOnCallerThread);
        return request.Done.Task;
    }

    /// <summary>
    /// Ends each attempt in one request: one wake-up of the writer and of the caller, each ending still in its own
    /// savepoint. Results in the order given.
    /// </summary>
    public Task<AttemptEndResult[]> EndManyAsync(IReadOnlyList<AttemptEnding> endings)
    {
        ArgumentNullException.ThrowIfNull(endings);
        foreach (var ending in endings)
        {
            if (ending.LeadState == Core.Model.LeadState.InProgress)
            {
                throw new ArgumentException("An ended attempt cannot leave its lead in progress.", nameof(endings));
            }
        }

        var request = new EndManyRequest(endings);
        Enqueue(request, inline: false);
        return request.Done.Task;
    }

    /// <summary>
    /// Dialing -> live, written with the next batch; nobody waits for it (a call's ending does not depend on it,
    /// and an ending queued after it is written after it).
    /// </summary>
    public void MarkLive(long attemptId)
    {
        // Queued aside and written at the start of the next batch, which a dialing campaign queues every few
        // milliseconds: a mark wakes the loop (and costs a commit) only when no batch came for LiveMarkDelay.
        QueueMark(attemptId, null);
    }

    /// <summary>
    /// Live, and answered at <paramref name="answeredAt"/> (kept if one is already written): ridden with the next batch
    /// like a live mark, so an answer seen is on disk within <see cref="LiveMarkDelay"/> even if this process dies later.
    /// </summary>
    public void MarkAnswered(long attemptId, DateTimeOffset answeredAt) => QueueMark(attemptId, answeredAt);

    private void QueueMark(long attemptId, DateTimeOffset? answeredAt)
    {
        _liveMarks.Enqueue((attemptId, answeredAt));
        if (Interlocked.CompareExchange(ref _liveMarksSignalled, 1, 0) == 0)
        {
            _liveMarksTimer.Change(LiveMarkDelay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Runs <paramref name="write"/> alone, between batches (a write with its own connection and transaction).</summary>
    public Task<T> RunExclusiveAsync<T>(Func<Task<T>> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var request = new ExclusiveRequest<T>(write);
        Enqueue(request, inline: false);
        return request.Done.Task;
    }

    private void Enqueue(WriteRequest request, bool inline)
    {
        if (!TryEnqueue(request, inline))
        {
            throw new ObjectDisposedException(nameof(AttemptWriter));
        }
    }

    /// <summary>
    /// Queues the request, then writes the queue on this thread (<paramref name="inline"/>) or has a thread-pool thread
    /// do it, unless a writer is at work already: it takes everything queued before it stops. Endings and exclusive
    /// writes are handed on, so requests queued one after another by one caller still share a transaction.
    /// </summary>
    private bool TryEnqueue(WriteRequest request, bool inline)
    {
        if (_closed)
        {
            return false;
        }

        _queue.Enqueue(request);
        if (_closed)
        {
            // Disposed meanwhile: its last drain may have missed this one.
            FailQueued();
            return true;
        }

        if (inline)
        {
            StartWriting();
        }
        else if (Interlocked.Exchange(ref _drainQueued, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static writer =>
            {
                Volatile.Write(ref writer._drainQueued, 0);
                writer.StartWriting();
            }, this, preferLocal: false);
        }

        return true;
    }

    /// <summary>Becomes the writer if nobody is; runs synchronously up to the first real wait (an exclusive write).</summary>
    private void StartWriting()
    {
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = WriteQueuedAsync();
        }
    }

    private async Task WriteQueuedAsync()
    {
        while (true)
        {
            try
            {
                await DrainAsync().ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _writing, 0);
            }

            // A request queued after the last look found the flag still set and left it to us: look again.
            if (_queue.IsEmpty || _closed || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>Writes until the queue is empty: batches of up to <see cref="MaxBatch"/>, each exclusive write alone between them.</summary>
    private async Task DrainAsync()
    {
        var batch = _batch;
        while (true)
        {
            IExclusive? exclusive = null;
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var request))
            {
                if (request is IExclusive e)
                {
                    exclusive = e;
                    break;
                }

                batch.Add(request);
            }

            if (batch.Count == 0 && exclusive is null)
            {
                return;
            }

            await WriteBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
            if (exclusive is not null)
            {
                await exclusive.RunAsync().ConfigureAwait(false);
            }
        }
    }

    private void FailQueued()
    {
        while (_queue.TryDequeue(out var request))
        {
            request.Fail(new ObjectDisposedException(nameof(AttemptWriter)));
        }
    }

    private async Task WriteBatchAsync(List<WriteRequest> batch)
    {
        if (batch.Count == 0 && _liveMarks.IsEmpty)
        {
            return;
        }

        try
        {
            if (_connection is null)
            {
                _connection = await _database.OpenSqliteConnectionAsync().ConfigureAwait(false);
                _statements = new Statements(_connection);
                _statements.UseMemoryJournals();
            }

            var statements = _statements!;
            // Before the batch's endings: a call's mark was queued before its ending.
            Volatile.Write(ref _liveMarksSignalled, 0);
            var marks = _marks;
            marks.Clear();
            while (_liveMarks.TryDequeue(out var mark))
            {
                marks.Add(mark);
            }

            // Nearly always nothing fails, so the batch is first written with no savepoints: SQLite copies every page a
            // savepoint changes into its statement journal, work wasted when nothing is undone. If anything fails, the
            // batch is rolled back and written again with a savepoint per request, so only what failed is lost.
            if (!TryWriteBatch(statements, marks, batch, isolated: false))
            {
                TryWriteBatch(statements, marks, batch, isolated: true);
            }
        }
        catch (Exception e)
        {
            foreach (var request in batch)
            {
                request.Fail(e);
            }

            // A broken connection is not reused: the next batch opens a fresh one.
            await CloseConnectionAsync().ConfigureAwait(false);

            return;
        }

        Interlocked.Increment(ref _batches);
        var written = 0;
        foreach (var request in batch)
        {
            // A live-mark wake-up is not a request anyone made: counting it made the figures depend on its timer.
            written += request is MarkLiveRequest ? 0 : 1;
            request.Complete();
        }

        Interlocked.Add(ref _requests, written);
    }

    /// <summary>
    /// One transaction: the live marks, then each request, then the counters, committed. Unisolated, a store error
    /// rolls it all back and returns false; isolated, each request handles its own, and only an error outside them
    /// (the commit itself) is thrown, after the rollback.
    /// </summary>
    private static bool TryWriteBatch(Statements statements, List<(long AttemptId, DateTimeOffset? AnsweredAt)> marks, List<WriteRequest> batch, bool isolated)
    {
        statements.Begin();
        var counters = new CounterDeltas();
        try
        {
            foreach (var (attemptId, answeredAt) in marks)
            {
                MarkLiveRequest.Write(statements, attemptId, answeredAt);
            }

            foreach (var request in batch)
            {
                if (isolated)
                {
                    request.Write(statements, counters);
                }
                else
                {
                    request.WriteUnisolated(statements, counters);
                }
            }

            counters.Write(statements);
            if (KillSwitch.IsArmed(KillSwitch.EndingCommit) && batch.Exists(r => r is EndManyRequest))
            {
                KillSwitch.Pass(KillSwitch.EndingCommit);
            }

            statements.Commit();
            return true;
        }
        catch (SqliteException) when (!isolated)
        {
            statements.Rollback();
            return false;
        }
        catch
        {
            statements.Rollback();
            throw;
        }
    }

    /// <summary>Writes what is queued, then stops; later requests are refused.</summary>
    public async ValueTask DisposeAsync()
    {
        DataMetrics.Untrack(this);
        await _liveMarksTimer.DisposeAsync().ConfigureAwait(false);
        _closed = true;
        // Waits for the writer at work, then becomes the last one: nobody writes after this.
        while (Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }

        try
        {
            await DrainAsync().ConfigureAwait(false);
            // Marks still waiting for a batch: written before the connection goes.
            await WriteBatchAsync([]).ConfigureAwait(false);
        }
        finally
        {
            await CloseConnectionAsync().ConfigureAwait(false);
            FailQueued();
        }
    }

    /// <summary>Hands the connection back to the pool as other users expect it: temporary files on disk again.</summary>
    private async Task CloseConnectionAsync()
    {
        var statements = _statements;
        var connection = _connection;
        _statements = null;
        _connection = null;
        if (statements is not null && !statements.TryRestoreJournals() && connection is not null)
        {
            // Not restored (the connection is broken): its handle must not be pooled with the writer's setting.
            SqliteConnection.ClearPool(connection);
        }

        statements?.Dispose();
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
