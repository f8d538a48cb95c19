namespace AmiDialer.Ami;

/// <summary>The reader's single dispatch point: events to the channel or their list action, responses to their waiter.</summary>
public sealed partial class AmiClient
{
    /// <summary>Runs on the reader; never blocks and never runs caller code (waiters continue asynchronously).</summary>
    internal void Dispatch(AmiConnection connection, in AmiFrame frame)
    {
        switch (frame.Kind)
        {
            case AmiFrameKind.Banner:
                connection.Banner = frame.Banner;
                return;
            case AmiFrameKind.Malformed:
                LogMessages.MalformedFrame(_logger, _options.Host, _options.Port, frame.Error!);
                return;
        }

        var message = frame.Message!;
        if (message.Count == 0)
        {
            return;
        }

        var actionId = message.ActionId;
        if (message.IsEvent)
        {
            if (actionId is not null && connection.TryGetPending(actionId, out var list) && list.IsList && list.ListResponse is not null)
            {
                if (message.CompletesEventList)
                {
                    connection.TryRemovePending(actionId, out _);
                    list.TrySetResult(new AmiListResult(list.ListResponse, list.Items, message));
                }
                else
                {
                    list.Items.Add(message);
                }

                return;
            }

            if (!_events.Writer.TryWrite(new AmiEvent(message, connection.Generation)) && Volatile.Read(ref _disposed) == 0)
            {
                LogMessages.EventBufferFull(_logger, _options.EventBufferCapacity);
                connection.Break($"event buffer full ({_options.EventBufferCapacity} events): the event consumer is too slow", null);
            }

            return;
        }

        if (actionId is null)
        {
            // e.g. the error Asterisk sends for a stray blank line.
            LogMessages.ResponseWithoutActionId(_logger, message.Response, message.Message);
            return;
        }

        if (!connection.TryGetPending(actionId, out var pending))
        {
            LogMessages.UnmatchedResponse(_logger, actionId);
            return;
        }

        if (message.IsError)
        {
            connection.TryRemovePending(actionId, out _);
            pending.TrySetException(new AmiActionException(pending.Name, message));
        }
        else if (pending.IsList && message.StartsEventList)
        {
            pending.ListResponse = message;
        }
        else
        {
            connection.TryRemovePending(actionId, out _);
            pending.TrySetResult(pending.IsList ? new AmiListResult(message, [], message) : message);
        }
    }
}
