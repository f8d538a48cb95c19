namespace AmiDialer.Ami;

/// <summary>
/// An action written and waiting for its response (and, for a list action, for <c>EventList: Complete</c>).
/// Continuations run asynchronously, so the caller's code never runs on the reader.
/// </summary>
internal sealed class PendingAction(string name, string actionId, bool isList)
    : TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public string Name { get; } = name;

    public string ActionId { get; } = actionId;

    public bool IsList { get; } = isList;

    /// <summary>Set once the list's opening response arrived; items are collected from then on. Reader thread only.</summary>
    public AmiMessage? ListResponse { get; set; }

    public List<AmiMessage> Items { get; } = isList ? [] : null!;
}
