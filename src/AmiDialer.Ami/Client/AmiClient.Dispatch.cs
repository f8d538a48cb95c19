namespace AmiDialer.Ami;

/// <summary>
/// The reader's single dispatch point: events to the channel or their list action, responses to their waiter.
/// Events are handed to the channel in batches (all of one socket read), so a consumer that keeps up is woken
/// once per read instead of once per event; the batch is published before any waiter is released, so an event
/// that came before a response on the wire is always readable by the time that response's caller resumes.
/// </summary>
public sealed partial class AmiClient
{
    /// <summary>Runs on the reader; never blocks and never runs caller code (waiters continue asynchronously).</summary>
    internal void Dispatch(AmiConnection connection, in AmiFrame frame)
    {
        switch (frame.Kind)
        {
            case AmiFrameKind.Banner:
                connection.Banner = frame.Banner;
                Volatile.Write(ref _banner, frame.Banner);
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
                    PublishEvents(connection);
                    connection.TryRemovePending(actionId, out _);
                    list.Succeed(new AmiListResult(list.ListResponse, list.Items, message));
                }
                else
                {
                    list.Items.Add(message);
                }

                return;
            }

            connection.QueuedEvents.Add(new AmiEvent(message, connection.Generation));
            return;
        }

        PublishEvents(connection);

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
            pending.Fail(new AmiActionException(pending.Name, message));
        }
        else if (pending.IsList && message.StartsEventList)
        {
            pending.ListResponse = message;
        }
        else
        {
            connection.TryRemovePending(actionId, out _);
            pending.Succeed(pending.IsList ? new AmiListResult(message, [], message) : message);
        }
    }

    /// <summary>
    /// Moves the events queued by the reader into the channel. The buffer never drops an event: when the consumer
    /// has let <see cref="AmiClientOptions.EventBufferCapacity"/> pile up, what fits is kept and the connection is
    /// dropped with the reason, as a lost connection (the engine reconciles after it) rather than a lost Hangup.
    /// </summary>
    internal void PublishEvents(AmiConnection connection)
    {
        var queued = connection.QueuedEvents;
        if (queued.Count == 0)
        {
            return;
        }

        var fits = Math.Min(queued.Count, Math.Max(0, _options.EventBufferCapacity - _eventReader.Count));

        // Counted before they become readable, so the count never goes below zero.
        _eventReader.Added(fits);
        for (var i = 0; i < fits; i++)
        {
            _events.Writer.TryWrite(queued[i]);
        }

        var overflow = fits < queued.Count;
        queued.Clear();
        if (overflow && Volatile.Read(ref _disposed) == 0)
        {
            LogMessages.EventBufferFull(_logger, _options.EventBufferCapacity);
            connection.Break($"event buffer full ({_options.EventBufferCapacity} events): the event consumer is too slow", null);
        }
    }
}
