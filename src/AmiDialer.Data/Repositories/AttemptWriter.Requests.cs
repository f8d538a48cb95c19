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

    private sealed class ClaimRequest(IReadOnlyList<DialClaim> claims, DateTimeOffset now) : WriteRequest
    {
        private readonly DialClaimResult[] _results = new DialClaimResult[claims.Count];

        public TaskCompletionSource<IReadOnlyList<DialClaimResult>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void WriteUnisolated(Statements statements, CounterDeltas counters)
        {
            for (var i = 0; i < claims.Count; i++)
            {
                _results[i] = statements.Claim(claims[i], now, counters, isolated: false);
            }
        }

        public override void Write(Statements statements, CounterDeltas counters)
        {
            // The whole request in one savepoint (two statements per request instead of two per claim). If something
            // fails, it is undone and written again claim by claim, so only that claim is lost.
            if (Isolated(statements, counters, () =>
                {
                    WriteUnisolated(statements, counters);
                    return true;
                }) is null)
            {
                return;
            }

            for (var i = 0; i < claims.Count; i++)
            {
                var claim = claims[i];
                DialClaimResult result = new(DialClaimStatus.NotClaimable);
                var error = Isolated(statements, counters, () =>
                {
                    result = statements.Claim(claim, now, counters, isolated: true);
                    // A claim that changed nothing useful (the open-attempt index refused it) leaves nothing behind.
                    return result.Status != DialClaimStatus.NotClaimable;
                });
                _results[i] = error is null ? result : new DialClaimResult(DialClaimStatus.NotClaimable) { Error = error.Message };
            }
        }

        public override void Complete() => Done.TrySetResult(_results);

        public override void Fail(Exception error) => Done.TrySetException(error);
    }

    private sealed class EndManyRequest(IReadOnlyList<AttemptEnding> endings) : WriteRequest
    {
        private readonly AttemptEndResult[] _results = new AttemptEndResult[endings.Count];

        public TaskCompletionSource<AttemptEndResult[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void WriteUnisolated(Statements statements, CounterDeltas counters)
        {
            for (var i = 0; i < endings.Count; i++)
            {
                _results[i] = new AttemptEndResult(statements.End(endings[i], counters), null);
            }
        }

        public override void Write(Statements statements, CounterDeltas counters)
        {
            // As for claims: one savepoint for the request, and one per ending only when something failed.
            if (Isolated(statements, counters, () =>
                {
                    WriteUnisolated(statements, counters);
                    return true;
                }) is null)
            {
                return;
            }

            for (var i = 0; i < endings.Count; i++)
            {
                var ending = endings[i];
                var ended = false;
                var error = Isolated(statements, counters, () => ended = statements.End(ending, counters));
                _results[i] = new AttemptEndResult(ended, error);
            }
        }

        public override void Complete() => Done.TrySetResult(_results);

        public override void Fail(Exception error) => Done.TrySetException(error);
    }

    /// <summary>Wakes the loop for the live marks queued aside; the marks themselves are written at the start of every batch.</summary>
    private sealed class MarkLiveRequest : WriteRequest
    {
        /// <summary>One statement, no savepoint: SQLite undoes a failed statement by itself, and nobody waits for the answer.</summary>
        public static void Write(Statements statements, long attemptId)
        {
            try
            {
                statements.MarkLive(attemptId);
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
