namespace AmiDialer.Data.Repositories;

/// <summary>
/// The engine's writes of attempts, the only way it claims, marks and ends them: one implementation per store
/// (SQLite: <see cref="AttemptWriter"/>), each free to use what its store is good at. Every implementation keeps the
/// same promises: a claim moves the lead to in progress and writes its attempt as dialing atomically, and is on disk
/// when its task completes (before any Originate is sent); an ending ends the attempt, moves its lead and updates the
/// counters (<see cref="CounterDeltas"/>) in one transaction, and an attempt already ended is left as it is.
/// </summary>
public interface IAttemptWriter : IAsyncDisposable
{
    /// <summary>
    /// Claims each lead (due at <paramref name="now"/>, pending or waiting to retry, not on the do-not-call list) and
    /// writes its attempt as dialing, each atomically; results in the order given.
    /// </summary>
    Task<DialClaimResult[]> ClaimAsync(IReadOnlyList<DialClaim> claims, DateTimeOffset now);

    /// <summary>Dialing -> live (Asterisk accepted the Originate). Nobody waits for it; an ending queued after it is written after it.</summary>
    void MarkLive(long attemptId);

    /// <summary>
    /// Live and answered at <paramref name="answeredAt"/> (an earlier answer time is kept): the answer is committed
    /// when it is seen, so a process that takes the call over later ends it answered. Nobody waits for it.
    /// </summary>
    void MarkAnswered(long attemptId, DateTimeOffset answeredAt);

    /// <summary>
    /// Ends the attempts with their outcomes and raw values, each with its lead's new state and the counters;
    /// results in the order given. One that fails is rolled back alone and reported in its result.
    /// </summary>
    Task<AttemptEndResult[]> EndManyAsync(IReadOnlyList<AttemptEnding> endings);

    /// <summary>Runs another write of the engine so that it does not race the writer's own (SQLite has one writer).</summary>
    Task<T> RunExclusiveAsync<T>(Func<Task<T>> write);

    /// <summary>Transactions committed and requests written so far (tests and benchmarks read the batching from them).</summary>
    (long Batches, long Requests) Stats { get; }
}

public static class AttemptWriterExtensions
{
    /// <summary>Ends one attempt: false when it was already ended; a store error is thrown.</summary>
    public static async Task<bool> EndAsync(this IAttemptWriter writer, AttemptEnding ending)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(ending);
        var result = (await writer.EndManyAsync([ending]).ConfigureAwait(false))[0];
        return result.Error is { } error ? throw error : result.Ended;
    }
}
