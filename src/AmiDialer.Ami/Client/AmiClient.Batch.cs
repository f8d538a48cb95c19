namespace AmiDialer.Ami;

public sealed partial class AmiClient
{
    /// <summary>
    /// Sends several actions under ActionIDs the caller chose (see <see cref="SendAsync(AmiAction, string, CancellationToken)"/>)
    /// in one write, and returns once every one has its response or has failed, each outcome in the order given. Asterisk
    /// reads a session's actions in order, so this is what sending them one after another would do, with one write
    /// and one wake-up of the caller instead of one each. Each action is throttled like a single one (the batch is written
    /// once all have their permits); one whose headers would inject is refused alone, before anything is written.
    /// Nothing is re-sent.
    /// </summary>
    /// <exception cref="AmiNotConnectedException">Not logged in; nothing was sent.</exception>
    /// <exception cref="InvalidOperationException">One of the ActionIDs is already in flight; nothing was sent.</exception>
    public async Task<AmiActionResult[]> SendBatchAsync(IReadOnlyList<(AmiAction Action, string ActionId)> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var results = new AmiActionResult[actions.Count];
        var toSend = new List<(AmiAction, string, byte[])>(actions.Count);
        var sentAt = new List<int>(actions.Count);
        for (var i = 0; i < actions.Count; i++)
        {
            var (action, actionId) = actions[i];
            ArgumentNullException.ThrowIfNull(action);
            ArgumentException.ThrowIfNullOrEmpty(actionId);
            try
            {
                toSend.Add((action, actionId, action.ToBytes(actionId)));
                sentAt.Add(i);
            }
            catch (AmiFormatException e)
            {
                results[i] = new AmiActionResult(null, e);
            }
        }

        if (toSend.Count == 0)
        {
            return results;
        }

        foreach (var (action, _, _) in toSend)
        {
            var throttle = action.IsOriginate ? _originateThrottle : _actionThrottle;
            if (throttle is not null)
            {
                using var lease = await throttle.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            }
        }

        var connection = Volatile.Read(ref _current);
        if (connection is null || !connection.IsLoggedIn || connection.IsBroken)
        {
            throw new AmiNotConnectedException($"Not connected to AMI ({State}); {toSend.Count} actions were not sent.");
        }

        var pending = await connection.SendBatchAsync(toSend, _options.ActionTimeout, cancellationToken).ConfigureAwait(false);
        for (var j = 0; j < pending.Length; j++)
        {
            var task = pending[j].Task;
            if (!task.IsCompleted)
            {
                // Timed out as its response was being matched: the reader is completing it now.
                await ((Task)task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            results[sentAt[j]] = task.IsCompletedSuccessfully
                ? new AmiActionResult((AmiMessage)task.Result, null)
                : new AmiActionResult(null, task.Exception?.InnerException ?? new AmiConnectionLostException("the action's outcome is unknown", null));
        }

        return results;
    }
}
