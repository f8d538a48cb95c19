namespace AmiDialer.Ami;

internal sealed partial class AmiConnection
{
    /// <summary>
    /// Writes several actions in one write and waits once for all of their responses; never re-sends. Each
    /// action's own task holds its outcome (response, refusal, lost connection or timeout) when this returns.
    /// </summary>
    public async Task<PendingAction[]> SendBatchAsync(IReadOnlyList<(AmiAction Action, string ActionId, byte[] Bytes)> actions, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var batch = new PendingBatch(actions.Count);
        var pending = new PendingAction[actions.Count];
        var length = 0;
        var blocking = 0;
        for (var i = 0; i < actions.Count; i++)
        {
            var (action, actionId, bytes) = actions[i];
            pending[i] = new PendingAction(action.Name, actionId, isList: false, batch);
            length += bytes.Length;
            blocking += IsBlocking(action) ? 1 : 0;
        }

        for (var i = 0; i < pending.Length; i++)
        {
            if (!_pending.TryAdd(pending[i].ActionId, pending[i]))
            {
                Forget(pending.AsSpan(0, i));
                throw new InvalidOperationException($"An action with ActionID {pending[i].ActionId} is already in flight; nothing of the batch was sent.");
            }
        }

        var wire = new byte[length];
        var at = 0;
        foreach (var (_, _, bytes) in actions)
        {
            bytes.CopyTo(wire, at);
            at += bytes.Length;
        }

        Interlocked.Add(ref _blockingActions, blocking);
        try
        {
            bool written;
            try
            {
                written = await WriteLockedAsync(wire, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Forget(pending);
                throw;
            }

            if (!written)
            {
                Forget(pending);
                throw new AmiNotConnectedException($"AMI connection is down ({BreakReason}); {actions.Count} actions were not sent.");
            }

            try
            {
                await batch.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                foreach (var action in pending)
                {
                    if (!action.Task.IsCompleted && _pending.TryRemove(action.ActionId, out _))
                    {
                        _client.OnActionTimedOut(action.Name, action.ActionId, timeout);
                        action.Fail(new AmiActionTimeoutException($"AMI action {action.Name} ({action.ActionId}) got no response within {timeout}; it was sent and may still take effect."));
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Forget(pending);
                throw;
            }
        }
        finally
        {
            Interlocked.Add(ref _blockingActions, -blocking);
        }

        return pending;
    }

    private void Forget(ReadOnlySpan<PendingAction> actions)
    {
        foreach (var action in actions)
        {
            _pending.TryRemove(action.ActionId, out _);
        }
    }
}
