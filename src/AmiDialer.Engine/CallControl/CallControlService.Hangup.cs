using AmiDialer.Ami;
using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.CallControl;

/// <summary>Hang-up of a live call by attempt id.</summary>
public sealed partial class CallControlService
{
    /// <summary>
    /// Hangs up the live call of <paramref name="attemptId"/>: an AMI Hangup of its originated channel (for a
    /// click-to-call the agent's leg, which takes the customer's down with it). The call ends through its own events
    /// and the one outcome table, like any other. Throws <see cref="CallControlException"/>: NotFound, CallEnded,
    /// NotConnected (not followed here, or no channel yet), Refused.
    /// </summary>
    public async Task HangupAsync(long attemptId, CancellationToken cancellationToken = default)
    {
        var server = _s.Servers.FirstOrDefault(s => s.Tracker.IsTracking(attemptId));
        var channel = server is null ? null : ChannelOf(server, attemptId);
        if (server is null || channel is null)
        {
            throw await NotLiveAsync(attemptId, server, "hung up", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await server.SendAsync(new AmiAction("Hangup").Add("Channel", channel), cancellationToken).ConfigureAwait(false);
        }
        catch (AmiActionException e)
        {
            // It hung up between our look-up and the Hangup ("No such channel"): what was asked has happened.
            if (!server.Tracker.IsTracking(attemptId) || e.Message.Contains("no such channel", StringComparison.OrdinalIgnoreCase))
            {
                throw new CallControlException(CallControlError.CallEnded, "id", $"Call {attemptId} had already ended.", e);
            }

            throw new CallControlException(CallControlError.Refused, "id", $"Call {attemptId}: Asterisk refused the hang-up: {e.Message}", e);
        }
        catch (AmiException e)
        {
            throw new CallControlException(CallControlError.NotConnected, "id", $"Call {attemptId}: the phone system could not be reached to hang up ({e.Message}).", e);
        }

        _s.Logger.CallHungUp(attemptId, channel, server.Name);
    }
}
