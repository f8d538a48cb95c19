using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.Live;
using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.Dialing;

/// <summary>
/// The store unavailable mid-campaign (PostgreSQL down, restarting, failing over): the dialer does not end. It places
/// nothing meanwhile (every call is claimed in the store before its Originate), its calls in flight are followed and
/// their endings held until the store is back (<see cref="EngineServices.EndCallsAsync"/>), the lease fence holds the
/// Originates back if the outage outlasts the renewal cutoff, and the first read that goes through resumes dialing.
/// </summary>
internal sealed partial class CampaignDialer
{
    /// <summary>How long the dialer waits before it asks the store again.</summary>
    private static readonly TimeSpan StoreRetryWait = TimeSpan.FromSeconds(1);

    /// <summary>Calls whose claim the store failed in: written or not, never sent. Checked once the store is back.</summary>
    private readonly List<(AmiServer Server, string CallId)> _claimsInDoubt = [];

    /// <summary>When the store was first found unavailable (a monotonic timestamp), while it is.</summary>
    private long? _storeDownSince;

    private void ClaimsInDoubt(IEnumerable<(AmiServer Server, string CallId)> calls) => _claimsInDoubt.AddRange(calls);

    private async Task OnStoreUnavailableAsync(Exception e, CancellationToken cancellationToken)
    {
        var reason = StoreErrors.Reason(e);
        if (_storeDownSince is null)
        {
            _storeDownSince = _s.Time.GetTimestamp();
            _s.Logger.StoreUnavailable(CampaignId, reason);
        }

        SetStatus(DialerStatus.Waiting, $"the store is unavailable ({reason}): no call is placed until it is back; calls in flight are followed");
        await WaitAsync(StoreRetryWait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A read went through: the store is back (if it was gone), and claims it failed in are settled first.</summary>
    private async Task StoreAnsweredAsync()
    {
        if (_storeDownSince is { } since)
        {
            _storeDownSince = null;
            _s.Logger.StoreBack(CampaignId, _s.Time.GetElapsedTime(since).TotalSeconds);
        }

        while (_claimsInDoubt.Count > 0)
        {
            var (server, callId) = _claimsInDoubt[^1];
            // The claim's ActionID is its call id: an attempt found open was committed but never sent.
            if (await _s.Attempts.GetByActionIdAsync(callId, CancellationToken.None).ConfigureAwait(false) is { State: not Core.Model.AttemptState.Ended } attempt)
            {
                _s.Logger.ClaimInDoubtNotSent(attempt.Id, attempt.ChannelId);
                await _s.EndNeverSentAsync(server, attempt).ConfigureAwait(false);
            }

            _claimsInDoubt.RemoveAt(_claimsInDoubt.Count - 1);
        }
    }

    private static async Task DropAsync(IDueLeadsQuery query)
    {
        try
        {
            await query.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (StoreErrors.IsStoreError(e) || e is InvalidOperationException or ObjectDisposedException)
        {
            // Its connection is the one that broke: a fresh query is opened when the store is back.
        }
    }
}
