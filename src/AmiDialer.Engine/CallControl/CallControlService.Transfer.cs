using System.Globalization;
using AmiDialer.Ami;
using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;
using AmiDialer.Core.Outcomes;
using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.CallControl;

/// <summary>Redirect: by attempt id on request, and at answer time for campaigns with an on-answer route.</summary>
public sealed partial class CallControlService
{
    /// <summary>
    /// Moves the live call of <paramref name="attemptId"/> to <paramref name="destination"/> with an AMI Redirect of
    /// its originated channel (the one its OriginateResponse/Newchannel named), or for a click-to-call of the customer's
    /// leg (the agent's phone hangs up). The destination's context must be in
    /// <c>Dialing:AllowedContexts</c>. The call keeps its Uniqueid/Linkedid, so its later events still end its attempt.
    /// Throws <see cref="CallControlException"/>: NotAllowed/InvalidInput (field <c>destination</c>), NotFound,
    /// CallEnded, NotConnected, Refused.
    /// </summary>
    public async Task<TransferResult> TransferAsync(long attemptId, DialplanTarget destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (DialplanNames.CheckTarget(destination) is { } shape)
        {
            throw new CallControlException(CallControlError.InvalidInput, "destination", $"Destination '{destination}': {shape}.");
        }

        if (DialplanNames.CheckAllowed(destination, _options.AllowedContexts) is { } notAllowed)
        {
            throw new CallControlException(CallControlError.NotAllowed, "destination", $"Destination '{destination}': {notAllowed}.") { ConfigKey = "Dialing:AllowedContexts" };
        }

        var server = _s.Servers.FirstOrDefault(s => s.Tracker.IsTracking(attemptId));
        string? channel;
        if (_s.Calls.TryGetValue(attemptId, out var call) && call.Kind == CallKind.ClickToCall)
        {
            // Its originated channel is the agent's phone: a Redirect of it would drop the customer. The customer's
            // leg is the channel the agent's Dial reached; moving it leaves the agent's leg to hang up on its own.
            channel = server?.Tracker.CustomerChannelOf(attemptId);
            if (server is not null && channel is null && server.Tracker.ChannelNameOf(attemptId) is not null)
            {
                // An answer without its Dial seen: the call was taken over (restart, reconnect) after the customer answered.
                throw new CallControlException(CallControlError.NotConnected, "id", server.Tracker.CustomerAnsweredAtOf(attemptId) is null
                    ? $"Call {attemptId}: the customer has not answered yet; the call can be transferred once they do."
                    : $"Call {attemptId}: this process did not see which line the customer is on (it took the call over after they answered); it cannot be transferred.");
            }
        }
        else
        {
            channel = server is null ? null : ChannelOf(server, attemptId);
        }

        if (server is null || channel is null)
        {
            throw await NotLiveAsync(attemptId, server, "transferred", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await RedirectAsync(server, channel, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (AmiActionException e)
        {
            _s.Logger.RedirectRefused(attemptId, destination.ToString(), e.Message);
            if (!server.Tracker.IsTracking(attemptId) || server.Tracker.ChannelNameOf(attemptId) is null
                || e.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase))
            {
                // It hung up between our look-up and the Redirect (e2: "Channel does not exist").
                throw new CallControlException(CallControlError.CallEnded, "id", $"Attempt {attemptId}: the call ended before it could be transferred ({e.Message}).", e);
            }

            throw new CallControlException(CallControlError.Refused, "destination", $"Attempt {attemptId}: Asterisk refused the Redirect to '{destination}': {e.Message}", e);
        }
        catch (AmiException e)
        {
            _s.Logger.RedirectRefused(attemptId, destination.ToString(), e.Message);
            throw new CallControlException(CallControlError.NotConnected, "id", $"Attempt {attemptId}: AMI server '{server.Name}' could not take the Redirect ({e.Message}); the call is where it was.", e);
        }

        _s.Logger.CallRedirected(attemptId, channel, server.Name, destination.ToString());
        return new TransferResult(attemptId, server.Name, channel, destination);
    }

    private static Task<AmiMessage> RedirectAsync(AmiServer server, string channel, DialplanTarget destination, CancellationToken cancellationToken) =>
        server.SendAsync(
            new AmiAction("Redirect")
                .Add("Channel", channel)
                .Add("Context", destination.Context)
                .Add("Exten", destination.Extension)
                .Add("Priority", destination.Priority.ToString(CultureInfo.InvariantCulture)),
            cancellationToken);

    /// <summary>Says precisely why an attempt has no channel to move.</summary>
    private async Task<CallControlException> NotLiveAsync(long attemptId, AmiServer? trackedOn, string verb, CancellationToken cancellationToken)
    {
        var attempt = await _s.Attempts.GetAsync(attemptId, cancellationToken).ConfigureAwait(false);
        if (attempt is null)
        {
            return new CallControlException(CallControlError.NotFound, "id", $"No attempt with id {attemptId}.");
        }

        if (attempt.State == AttemptState.Ended)
        {
            var outcome = attempt.Outcome?.ToWireName() ?? "unknown";
            return new CallControlException(CallControlError.CallEnded, "id",
                $"Attempt {attemptId} has ended ({outcome} at {attempt.EndedAt:yyyy-MM-dd HH:mm:ss}Z): only a live call can be {verb}.");
        }

        return trackedOn is null
            ? new CallControlException(CallControlError.NotConnected, "id", $"Attempt {attemptId} is open on AMI server '{attempt.Server}' but not followed by this process; it cannot be {verb} from here.")
            : new CallControlException(CallControlError.NotConnected, "id", $"Attempt {attemptId} has no connected channel yet (still ringing); it can be {verb} once it is answered.");
    }

    /// <summary>Tracker hook, on the event pump under its lock: remember the channel, queue the on-answer route. Never blocks.</summary>
    private void OnOriginateAnswered(AmiServer server, long attemptId, string? channel)
    {
        if (string.IsNullOrEmpty(channel))
        {
            return;
        }

        _answeredChannels[attemptId] = channel;
        if (_s.Calls.TryGetValue(attemptId, out var call) && call.Dialer?.Campaign.OnAnswerRedirect is { } target)
        {
            _onAnswer.Writer.TryWrite((server, attemptId, channel, target));
        }
    }

    private async Task PumpOnAnswerAsync()
    {
        try
        {
            await foreach (var (server, attemptId, channel, target) in _onAnswer.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (DialplanNames.CheckAllowed(target, _options.AllowedContexts) is not null)
                {
                    _s.Logger.OnAnswerRouteNotAllowed(attemptId, target.ToString());
                    continue;
                }

                // Not awaited: one slow answer must not hold back the next call's route.
                _ = RedirectOnAnswerAsync(server, attemptId, channel, target);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _s.Logger.OnAnswerLoopFailed(e);
        }
    }

    private async Task RedirectOnAnswerAsync(AmiServer server, long attemptId, string channel, DialplanTarget target)
    {
        try
        {
            await RedirectAsync(server, channel, target, CancellationToken.None).ConfigureAwait(false);
            _s.Logger.CallRedirected(attemptId, channel, server.Name, target.ToString());
        }
        catch (AmiException e)
        {
            // The call may have ended already (a short answered call): it keeps its outcome either way.
            _s.Logger.RedirectRefused(attemptId, target.ToString(), e.Message);
        }
    }
}
