using System.Globalization;
using AmiDialer.Ami;
using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Engine.CallControl;

/// <summary>
/// Redirect from a process that does not follow the call (the CLI's <c>transfer</c>, while <c>serve</c> dials): reads
/// the attempt from the store, logs in to the AMI server it went to, finds its channel by Uniqueid (our ChannelId)
/// with CoreShowChannels, and redirects it. No engine is started, so no other process's attempts are adopted.
/// </summary>
public static class StandaloneTransfer
{
    public static async Task<TransferResult> TransferAsync(
        AmiDialerDatabase database,
        IReadOnlyList<AmiServerConfig> servers,
        CallControlOptions options,
        long attemptId,
        DialplanTarget destination,
        ILoggerFactory? loggers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(destination);
        loggers ??= NullLoggerFactory.Instance;
        if (DialplanNames.CheckTarget(destination) is { } shape)
        {
            throw new CallControlException(CallControlError.InvalidInput, "destination", $"Destination '{destination}': {shape}.");
        }

        if (DialplanNames.CheckAllowed(destination, options.AllowedContexts) is { } notAllowed)
        {
            throw new CallControlException(CallControlError.NotAllowed, "destination", $"Destination '{destination}': {notAllowed}.") { ConfigKey = "Dialing:AllowedContexts" };
        }

        var attempt = await new AttemptRepository(database).GetAsync(attemptId, cancellationToken).ConfigureAwait(false)
            ?? throw new CallControlException(CallControlError.NotFound, "id", $"No attempt with id {attemptId}.");
        if (attempt.State == AttemptState.Ended)
        {
            throw new CallControlException(CallControlError.CallEnded, "id",
                $"Attempt {attemptId} has ended ({attempt.Outcome?.ToWireName() ?? "unknown"} at {attempt.EndedAt:yyyy-MM-dd HH:mm:ss}Z): only a live call can be transferred.");
        }

        if (await new CampaignRepository(database, TimeProvider.System).GetAsync(attempt.CampaignId, cancellationToken).ConfigureAwait(false) is { } campaign
            && BuiltInCampaign.IsBuiltIn(campaign))
        {
            // Found by its Uniqueid, the channel is the agent's phone: only the process following the call knows the customer's leg.
            throw new CallControlException(CallControlError.Unsupported, "id",
                $"Call {attemptId} is a click-to-call: transfer it from the process that placed it (POST /api/calls/{attemptId}/transfer on amidialer serve), which moves the customer's leg.");
        }

        var server = servers.FirstOrDefault(s => s.Name == attempt.Server)
            ?? throw new CallControlException(CallControlError.NotConnected, "id", $"Attempt {attemptId} went to AMI server '{attempt.Server}', which is not configured (Ami:Servers).");
        await using var client = new AmiClient(server.Client, loggers.CreateLogger<AmiClient>(), TimeProvider.System);
        client.Start();
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connect.CancelAfter(server.Client.ConnectTimeout + TimeSpan.FromSeconds(5));
                await client.WaitUntilConnectedAsync(connect.Token).ConfigureAwait(false);
            }

            var list = await client.SendListAsync(new AmiAction("CoreShowChannels"), cancellationToken).ConfigureAwait(false);
            var channel = list.Items.FirstOrDefault(m => m.IsEventNamed(AmiEventNames.CoreShowChannel) && m.Uniqueid == attempt.ChannelId)?.Channel
                ?? throw new CallControlException(CallControlError.CallEnded, "id", $"Attempt {attemptId}: AMI server '{server.Name}' has no channel for it any more; the call has ended.");
            await client.SendAsync(
                new AmiAction("Redirect")
                    .Add("Channel", channel)
                    .Add("Context", destination.Context)
                    .Add("Exten", destination.Extension)
                    .Add("Priority", destination.Priority.ToString(CultureInfo.InvariantCulture)),
                cancellationToken).ConfigureAwait(false);
            return new TransferResult(attemptId, server.Name, channel, destination);
        }
        catch (AmiActionException e)
        {
            throw new CallControlException(CallControlError.Refused, "destination", $"Attempt {attemptId}: Asterisk refused the Redirect to '{destination}': {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CallControlException(CallControlError.NotConnected, "id", $"Attempt {attemptId}: could not log in to AMI server '{server.Name}' ({server.Client.Host}:{server.Client.Port}).", e);
        }
        catch (AmiException e)
        {
            throw new CallControlException(CallControlError.NotConnected, "id", $"Attempt {attemptId}: AMI server '{server.Name}' failed: {e.Message}", e);
        }
    }
}
