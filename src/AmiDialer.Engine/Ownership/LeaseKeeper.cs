using System.Collections.Concurrent;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.Dialing;

namespace AmiDialer.Engine.Ownership;

/// <summary>
/// The engine's leases that no campaign dialer keeps: this process's click-to-call lease (taken when it places its
/// first click-to-call, so a process that places none, such as a refused <c>run</c>, writes no lease), and, in serve,
/// the leases of processes that are gone whose attempts no dialer here will adopt (click-to-call leases, and those of
/// campaigns that are not running: paused, stopped or completed while calls were up), taken over so their calls are
/// followed to their end. Renews them every <see cref="DialerEngineOptions.HeartbeatInterval"/>; a taken-over lease is
/// given back once its attempts have all ended, and left to a campaign's dialer once this process dials it.
/// </summary>
internal sealed class LeaseKeeper(EngineServices services) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Whether a dialer of this process holds the campaign now (set by the engine): its lease is the dialer's then.</summary>
    public Func<long, bool> DialedHere { get; set; } = _ => false;

    /// <summary>This process's click-to-call lease key.</summary>
    public string OwnKey { get; } = LeaseKeys.ClickToCall(services.Options.InstanceName);

    /// <summary>Taken-over leases whose attempts wait for a server that is not configured here, by lease key.</summary>
    public IReadOnlyDictionary<string, string> Waiting => _held.Where(h => h.Value.Waiting is not null).ToDictionary(h => h.Key, h => h.Value.Waiting!, StringComparer.Ordinal);

    /// <summary>
    /// Makes sure this process holds its click-to-call lease, recently renewed: the fence its claims carry. Throws
    /// <see cref="LeaseLostException"/> when another process holds it or its renewal is overdue (no Originate then).
    /// </summary>
    public async Task<LeaseFence> HoldOwnAsync(CancellationToken cancellationToken)
    {
        var fence = new LeaseFence(OwnKey, services.Options.InstanceName);
        if (_held.TryGetValue(OwnKey, out var held))
        {
            var age = services.Time.GetElapsedTime(held.RenewedAt);
            if (age > services.Options.RenewalCutoff && !await RenewAsync(OwnKey, held).ConfigureAwait(false))
            {
                services.Logger.SendingHeld(OwnKey, age.TotalSeconds);
                throw new LeaseLostException($"This process's click-to-call lease ({OwnKey}) was last renewed {age.TotalSeconds:F0} s ago; no call is placed until it is renewed.");
            }

            return fence;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_held.ContainsKey(OwnKey))
            {
                var result = await services.Leases.TryAcquireAsync(OwnKey, services.Options.InstanceName, services.Options.LeaseDuration, cancellationToken).ConfigureAwait(false);
                if (!result.Acquired)
                {
                    throw new LeaseLostException($"The click-to-call lease {OwnKey} is held by {result.Owner}: another process runs with this instance name.");
                }

                _held[OwnKey] = new Held(result.Timestamp, TakenOver: false);
                // An earlier process with this instance name may have left calls open under it: they are ours now.
                await services.AdoptOwnedAsync(OwnKey, cancellationToken).ConfigureAwait(false);
                StartLoop();
            }
        }
        finally
        {
            _gate.Release();
        }

        return fence;
    }

    /// <summary>
    /// Serve's supervisor: takes over the leases that own open attempts no dialer here will adopt and whose holder is
    /// gone (gone from this host, or its heartbeat watched standing still for the lease's duration over successive
    /// ticks), then adopts their attempts. Live holders are left alone; a running campaign's lease is its dialer's.
    /// </summary>
    public async Task TakeOverAbandonedAsync(CancellationToken cancellationToken)
    {
        var keys = (await services.Leases.ListOpenAttemptKeysAsync(LeaseKeys.ClickToCallPrefix, cancellationToken).ConfigureAwait(false))
            .Concat(await services.Leases.ListOpenAttemptKeysAsync(LeaseKeys.CampaignPrefix, cancellationToken).ConfigureAwait(false));
        foreach (var key in keys)
        {
            if (_held.ContainsKey(key) || key == OwnKey)
            {
                continue;
            }

            if (CampaignOf(key) is { } campaignId
                && (DialedHere(campaignId) || await services.Campaigns.GetAsync(campaignId, cancellationToken).ConfigureAwait(false) is not { State: not (Core.Model.CampaignState.Running or Core.Model.CampaignState.Scheduled) }))
            {
                continue; // Its dialer (here, or the one the supervisor starts for a running campaign) adopts them.
            }

            var result = await services.Leases.TryAcquireAsync(key, services.Options.InstanceName, services.Options.LeaseDuration, cancellationToken).ConfigureAwait(false);
            if (!result.Acquired)
            {
                continue;
            }

            services.Logger.LeaseTakenOver(key, result.Previous?.Owner ?? "nobody", result.How?.ToString() ?? "");
            var waiting = await services.AdoptOwnedAsync(key, cancellationToken).ConfigureAwait(false);
            _held[key] = new Held(result.Timestamp, TakenOver: true) { Waiting = EngineServices.DescribeWaiting(waiting) };
            StartLoop();
        }
    }

    private void StartLoop()
    {
        if (_loop is null && !_stop.IsCancellationRequested)
        {
            _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(services.Options.HeartbeatInterval, services.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            foreach (var (key, held) in _held)
            {
                if (CampaignOf(key) is { } campaignId && DialedHere(campaignId))
                {
                    // A dialer of this process took the campaign (it was resumed): the lease and its renewals are the dialer's.
                    _held.TryRemove(key, out _);
                    continue;
                }

                try
                {
                    if (held.TakenOver && (await services.Attempts.ListOpenOwnedAsync(key, CancellationToken.None).ConfigureAwait(false)).Count == 0)
                    {
                        // Every call it owned has ended: nothing left to own.
                        await services.Leases.ReleaseAsync(key, services.Options.InstanceName, CancellationToken.None).ConfigureAwait(false);
                        _held.TryRemove(key, out _);
                        continue;
                    }
                }
                catch (Exception e) when (AmiDialer.Data.Database.StoreErrors.IsStoreError(e) || e is InvalidOperationException)
                {
                    services.Logger.LeaseRenewalFailed(key, e);
                }

                await RenewAsync(key, held).ConfigureAwait(false);
            }
        }
    }

    private static long? CampaignOf(string key) =>
        key.StartsWith(LeaseKeys.CampaignPrefix, StringComparison.Ordinal)
        && long.TryParse(key.AsSpan(LeaseKeys.CampaignPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : null;

    /// <summary>False when the renewal failed (the store was busy: try again) or the lease is lost (dropped).</summary>
    private async Task<bool> RenewAsync(string key, Held held)
    {
        // Stamped before the write: a pause after it must count against the lease, not reset its age.
        var stamp = services.Time.GetTimestamp();
        try
        {
            if (await services.Leases.RenewAsync(key, services.Options.InstanceName, CancellationToken.None).ConfigureAwait(false))
            {
                _held[key] = held with { RenewedAt = stamp };
                return true;
            }

            services.Logger.KeptLeaseLost(key);
            _held.TryRemove(key, out _);
            return false;
        }
        catch (Exception e) when (AmiDialer.Data.Database.StoreErrors.IsStoreError(e) || e is InvalidOperationException)
        {
            services.Logger.LeaseRenewalFailed(key, e);
            return false;
        }
    }

    /// <summary>Stops renewing. With <paramref name="release"/> (a graceful stop), gives every lease back so another process takes it at once.</summary>
    public async Task StopAsync(bool release)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        if (release)
        {
            foreach (var key in _held.Keys)
            {
                await services.Leases.ReleaseAsync(key, services.Options.InstanceName, CancellationToken.None).ConfigureAwait(false);
            }
        }

        _held.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(release: true).ConfigureAwait(false);
        _stop.Dispose();
        _gate.Dispose();
    }

    private sealed record Held(long RenewedAt, bool TakenOver)
    {
        public string? Waiting { get; init; }
    }
}
