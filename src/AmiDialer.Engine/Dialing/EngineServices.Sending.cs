using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.Dialing;

internal sealed partial class EngineServices
{
    /// <summary>
    /// What an Originate's Response means for its attempt, for campaign calls and click-to-call alike: queued is live;
    /// refused or never sent ends it now; an unknown fate is left to reconciliation, never re-sent.
    /// </summary>
    public async Task ApplyOriginateResultAsync(AmiServer server, long attemptId, OriginateSendResult result, string? message)
    {
        switch (result)
        {
            case OriginateSendResult.Queued:
                // Not awaited: written with the next batch, before any ending queued after it.
                Writer.MarkLive(attemptId);
                break;
            case OriginateSendResult.Refused:
                Logger.OriginateRefused(attemptId, message ?? "");
                if (server.Tracker.OriginateRefused(attemptId, message) is { } refused)
                {
                    await EndHeldAsync(server, refused).ConfigureAwait(false);
                }

                break;
            case OriginateSendResult.NotSent:
                if (server.Tracker.Forget(attemptId, $"not sent: {message}") is { } notSent)
                {
                    await EndHeldAsync(server, notSent).ConfigureAwait(false);
                }

                break;
            default:
                Logger.OriginateUncertain(attemptId, message ?? "");
                break;
        }
    }

    /// <summary>
    /// Ends as not-sent an attempt that was written but whose Originate was never sent (its claim's commit went through
    /// as the store's connection broke, so the dialer took it for failed): its lead is due again.
    /// </summary>
    public async Task EndNeverSentAsync(AmiServer server, Core.Model.Attempt attempt)
    {
        server.Tracker.Track(Tracking.TrackedCallStart.Adopting(attempt, Core.Outcomes.CallKind.Campaign), adopted: true);
        if (server.Tracker.Forget(attempt.Id, "not sent: the store failed during its claim") is { } notSent)
        {
            await EndHeldAsync(server, notSent).ConfigureAwait(false);
        }
    }

    /// <summary>Ends a call the tracker has let go, its slot held until the ending is committed (see <see cref="AmiServer.BeginEndings"/>).</summary>
    private async Task EndHeldAsync(AmiServer server, Tracking.CallFacts facts)
    {
        server.BeginEndings(1);
        try
        {
            await EndCallsAsync(server, [facts]).ConfigureAwait(false);
        }
        finally
        {
            server.EndEndings(1);
        }
    }
}
