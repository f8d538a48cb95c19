namespace AmiDialer.Ami;

/// <summary>
/// An action written and waiting for its response (and, for a list action, for <c>EventList: Complete</c>).
/// Continuations run asynchronously, so the caller's code never runs on the reader. An action sent in a batch is
/// awaited through its <see cref="PendingBatch"/>: nobody waits on its own task, so completing it wakes nobody.
/// </summary>
internal sealed class PendingAction(string name, string actionId, bool isList, PendingBatch? batch = null)
    : TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public string Name { get; } = name;

    public string ActionId { get; } = actionId;

    public bool IsList { get; } = isList;

    /// <summary>Set once the list's opening response arrived; items are collected from then on. Reader thread only.</summary>
    public AmiMessage? ListResponse { get; set; }

    public List<AmiMessage> Items { get; } = isList ? [] : null!;

    public void Succeed(object result)
    {
        if (TrySetResult(result))
        {
            batch?.OneDone();
        }
    }

    public void Fail(Exception error)
    {
        if (TrySetException(error))
        {
            batch?.OneDone();
        }
    }
}

/// <summary>Actions written together: one waiter for all of their responses instead of one each.</summary>
internal sealed class PendingBatch(int count) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
{
    private int _remaining = count;

    public void OneDone()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            TrySetResult();
        }
    }
}
