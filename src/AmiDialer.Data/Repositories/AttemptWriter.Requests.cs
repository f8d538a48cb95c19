using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Repositories;

public sealed partial class AttemptWriter
{
    /// <summary>One queued request. <see cref="Write"/> runs inside the batch's transaction; the outcome is handed over after the commit.</summary>
    private abstract class WriteRequest
    {
        public abstract void Write(Statements statements, CounterDeltas counters);

        /// <summary>
        /// The request's writes with no savepoint of its own: any store error is thrown, and the writer then rolls the
        /// whole batch back and writes it again through <see cref="Write"/>. Requests with nothing to isolate use Write.
        /// </summary>
        public virtual void WriteUnisolated(Statements statements, CounterDeltas counters) => Write(statements, counters);

        public abstract void Complete();

        public abstract void Fail(Exception error);

        /// <summary>Runs <paramref name="write"/> in a savepoint: when it throws, its changes (and its counter deltas) are undone alone.</summary>
        protected static Exception? Isolated(Statements statements, CounterDeltas counters, Func<bool> write)
        {
            var mark = counters.Mark;
            statements.Savepoint();
            try
            {
                if (write())
                {
                    statements.Release();
                }
                else
                {
                    statements.RollbackToSavepoint();
                    counters.Undo(mark);
                }

                return null;
            }
            catch (SqliteException e)
            {
                statements.RollbackToSavepoint();
                counters.Undo(mark);
                return e;
            }
        }
    }

    /// <summary>
    /// A request of several items, written one by one, each with its own result. Isolated, the whole request is tried
    /// in one savepoint (two statements per request instead of two per item); if something fails, it is undone and
    /// written again item by item, so only the item that failed is lost.
    /// </summary>
    private abstract class ItemsRequest<TItem, TResult>(IReadOnlyList<TItem> items) : WriteRequest
    {
        private readonly TResult[] _results = new TResult[items.Count];

        public TaskCompletionSource<TResult[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Writes one item. With <paramref name="isolated"/> false, a store error is thrown rather than reported.</summary>
        protected abstract TResult WriteItem(Statements statements, TItem item, CounterDeltas counters, bool isolated);

        /// <summary>False when the item changed nothing useful: its savepoint is rolled back so it leaves nothing behind.</summary>
        protected abstract bool Changed(TResult result);

        /// <summary>The result of an item whose writes failed and were rolled back.</summary>
        protected abstract TResult Failed(Exception error);

        public override void WriteUnisolated(Statements statements, CounterDeltas counters)
        {
            for (var i = 0; i < items.Count; i++)
            {
                _results[i] = WriteItem(statements, items[i], counters, isolated: false);
            }
        }

        public override void Write(Statements statements, CounterDeltas counters)
        {
            if (Isolated(statements, counters, () =>
                {
                    WriteUnisolated(statements, counters);
                    return true;
                }) is null)
            {
                return;
            }

            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var result = default(TResult)!;
                var error = Isolated(statements, counters, () => Changed(result = WriteItem(statements, item, counters, isolated: true)));
                _results[i] = error is null ? result : Failed(error);
            }
        }

        public override void Complete() => Done.TrySetResult(_results);

        public override void Fail(Exception error) => Done.TrySetException(error);
    }

    private sealed class ClaimRequest(IReadOnlyList<DialClaim> claims, DateTimeOffset now) : ItemsRequest<DialClaim, DialClaimResult>(claims)
    {
        protected override DialClaimResult WriteItem(Statements statements, DialClaim item, CounterDeltas counters, bool isolated) =>
            statements.Claim(item, now, counters, isolated);

        // A claim the open-attempt index refused leaves nothing behind.
        protected override bool Changed(DialClaimResult result) => result.Status is not (DialClaimStatus.NotClaimable or DialClaimStatus.LeaseLost or DialClaimStatus.ServerFull);

        protected override DialClaimResult Failed(Exception error) => new(DialClaimStatus.NotClaimable) { Error = error.Message };
    }

    private sealed class EndManyRequest(IReadOnlyList<AttemptEnding> endings) : ItemsRequest<AttemptEnding, AttemptEndResult>(endings)
    {
        protected override AttemptEndResult WriteItem(Statements statements, AttemptEnding item, CounterDeltas counters, bool isolated) =>
            new(statements.End(item, counters), null);

        protected override bool Changed(AttemptEndResult result) => result.Ended;

        protected override AttemptEndResult Failed(Exception error) => new(false, error);
    }

    /// <summary>Wakes the loop for the live marks queued aside; the marks themselves are written at the start of every batch.</summary>
    private sealed class MarkLiveRequest : WriteRequest
    {
        /// <summary>One statement, no savepoint: SQLite undoes a failed statement by itself, and nobody waits for the answer.</summary>
        public static void Write(Statements statements, long attemptId, DateTimeOffset? answeredAt)
        {
            try
            {
                if (answeredAt is { } at)
                {
                    statements.MarkAnswered(attemptId, at);
                }
                else
                {
                    statements.MarkLive(attemptId);
                }
            }
            catch (SqliteException)
            {
                // Left dialing: still an open attempt, which reconciliation and the ending treat alike.
            }
        }

        public override void Write(Statements statements, CounterDeltas counters)
        {
        }

        public override void Complete()
        {
        }

        public override void Fail(Exception error)
        {
        }
    }

    private interface IExclusive
    {
        Task RunAsync();
    }

    private sealed class ExclusiveRequest<T>(Func<Task<T>> write) : WriteRequest, IExclusive
    {
        public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RunAsync()
        {
            try
            {
                Done.TrySetResult(await write().ConfigureAwait(false));
            }
            catch (Exception e)
            {
                Done.TrySetException(e);
            }
        }

        public override void Write(Statements statements, CounterDeltas counters) => throw new InvalidOperationException("An exclusive write runs alone.");

        public override void Complete()
        {
        }

        public override void Fail(Exception error) => Done.TrySetException(error);
    }
}
