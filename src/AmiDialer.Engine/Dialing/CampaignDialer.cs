using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;
using AmiDialer.Core.Outcomes;
using AmiDialer.Core.Pacing;
using AmiDialer.Core.Phone;
using AmiDialer.Core.Scheduling;
using AmiDialer.Data.Repositories;
using AmiDialer.Data.TestHooks;
using AmiDialer.Engine.Live;
using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.Dialing;

/// <summary>
/// Dials one campaign while holding its lease: asks the store for due leads in <c>next_eligible_at</c> order,
/// re-checks do-not-call and calling hours at the moment of dialing, writes each attempt as dialing, then
/// sends its Originate, as many at a time as the campaign's <see cref="IPacingPolicy"/> decides and the sliding window
/// kept by <see cref="OriginatePacer"/> lets go. Outcomes come back through
/// <see cref="OnCallEnded"/>. Pause, stop and campaign changes made anywhere (this process, the CLI in
/// another, the web) are read from the store at least every <see cref="ReloadEvery"/>.
/// </summary>
internal sealed partial class CampaignDialer
{
    private static readonly TimeSpan ReloadEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);

    private readonly EngineServices _s;
    private readonly bool _foreground;

    // Logged once per wait, not at each look for leads.
    private bool _saidNothingToDial;
    private readonly OriginatePacer _pacer;
    private IPacingPolicy _policy;
    // At most one pending wake-up: a burst of call endings and Responses wakes the loop once, not once each.
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _statsGate = new();
    private readonly Queue<DateTimeOffset> _recent = new();
    private readonly Dictionary<CallOutcome, int> _outcomes = [];
    private Campaign _campaign;
    private DialingSchedule _schedule;
    private NumberTemplate _template;
    private int _active;
    private long _sent;
    private volatile bool _controlChanged;

    // The campaign's lease: the key its attempts are written under, and when (monotonic) it was last renewed.
    private readonly string _leaseKey;
    private long _renewedAt;
    private volatile bool _leaseLost;

    // Open attempts adopted with the lease that were sent to servers not configured here: left open, reported.
    private IReadOnlyDictionary<string, int> _waitingFor = new Dictionary<string, int>();

    // Set while the loop waits for a call to end (the concurrency cap, no server room, the last calls of a run):
    // other waits are for a time, and would only spin if each of the hundreds of endings a second woke them.
    private volatile bool _roomWanted;

    public CampaignDialer(EngineServices services, Campaign campaign, bool foreground)
    {
        _s = services;
        _foreground = foreground;
        _pacer = new OriginatePacer(services.Time);
        _campaign = campaign;
        _capsOnly = PacingFor(services.Options);
        _policy = PolicyFor(campaign);
        _schedule = DialingSchedule.For(campaign);
        _template = NumberTemplate.Parse(campaign.DialTemplate);
        Status = DialerStatus.Waiting;
        _startedAt = services.Time.GetUtcNow();
        _leaseKey = LeaseKeys.Campaign(campaign.Id);
    }

    // A lead due before this dialer ran was not late because of it: its lag counts from here (or the campaign's start).
    private readonly DateTimeOffset _startedAt;

    public long CampaignId => _campaign.Id;

    public Campaign Campaign => _campaign;

    public DialerStatus Status { get; private set; }

    public string? Message { get; private set; }

    public DateTimeOffset? NextDueAt { get; private set; }

    public int Active => Volatile.Read(ref _active);

    public long OriginatesSent => Interlocked.Read(ref _sent);

    public Task? Running { get; set; }

    /// <summary>
    /// How the campaign is paced: fixed caps, with the calls a rate-bound look allows spread over four batch intervals.
    /// At 500/s that is 485 -> 497 sent per second: a window's calls freed in waves each lost the time to claim and send
    /// them. Four rather than two: half the claim transactions, whose commits are much of the dialer's CPU. Calls held
    /// back by the cap on calls free as they end, in no waves.
    /// </summary>
    private static FixedPacing PacingFor(DialerEngineOptions options) => new FixedPacing(4 * options.DialBatchInterval);

    /// <summary>
    /// Acquires the campaign's lease, or throws <see cref="CampaignLeaseException"/> naming the holder. With
    /// <paramref name="watch"/> (<c>run</c>), a held lease is watched for up to its duration: a heartbeat that moves
    /// refuses at once, one that stands still is taken over; without it (serve's supervisor) each call is one look, the
    /// watch carried over from the previous tick. A real engine then refuses a campaign the simulator dialed
    /// (<see cref="CampaignSimulatedException"/>: its results are not real calls); a simulating engine marks the campaign
    /// it takes as simulated. Once held, the campaign's open attempts are adopted (see <see cref="EngineServices.AdoptOwnedAsync"/>).
    /// </summary>
    public async Task AcquireLeaseAsync(bool watch, CancellationToken cancellationToken)
    {
        var options = _s.Options;
        var lease = watch
            ? await _s.Leases.AcquireWatchingAsync(_leaseKey, options.InstanceName, options.LeaseDuration, LookEvery(options), cancellationToken,
                held => _s.Logger.WatchingLease(CampaignId, held.Owner, options.LeaseDuration.TotalSeconds)).ConfigureAwait(false)
            : await _s.Leases.TryAcquireAsync(_leaseKey, options.InstanceName, options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        if (!lease.Acquired)
        {
            Status = DialerStatus.Refused;
            Message = RefusalMessage(lease, options.LeaseDuration);
            _s.Logger.LeaseRefused(CampaignId, Message);
            throw new CampaignLeaseException(Message) { Holder = lease.Owner };
        }

        _renewedAt = lease.Timestamp;
        if (lease.Previous is { } previous)
        {
            _s.Logger.LeaseTakenOver(_leaseKey, previous.Owner, lease.How?.ToString() ?? "");
        }

        // Read again under the lease: a simulating engine may have marked it since this dialer was made.
        var simulated = (await _s.Campaigns.GetAsync(CampaignId, cancellationToken).ConfigureAwait(false))?.IsSimulated ?? _campaign.IsSimulated;
        if (_s.Options.Simulated)
        {
            if (!simulated && await _s.Campaigns.MarkSimulatedAsync(CampaignId, _s.Options.Actor, cancellationToken).ConfigureAwait(false))
            {
                _s.Logger.CampaignMarkedSimulated(CampaignId);
            }
        }
        else if (simulated)
        {
            await _s.Leases.ReleaseAsync(_leaseKey, _s.Options.InstanceName, CancellationToken.None).ConfigureAwait(false);
            Status = DialerStatus.Refused;
            Message = CampaignSimulatedException.Explain(_campaign.Name);
            _s.Logger.SimulatedCampaignRefused(CampaignId, Message);
            throw new CampaignSimulatedException(Message);
        }

        // Ours now, and only now: the calls a previous holder left open are followed (or wait for their server).
        _waitingFor = await _s.AdoptOwnedAsync(_leaseKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How often a watching run looks at a held lease's heartbeat.</summary>
    private static TimeSpan LookEvery(DialerEngineOptions options) => Min(TimeSpan.FromSeconds(1), options.HeartbeatInterval / 2);

    private string RefusalMessage(LeaseResult lease, TimeSpan duration)
    {
        var holder = lease.Holder;
        var where = holder is null ? "" : $" (pid {holder.Pid}, lease taken {holder.AcquiredAt:yyyy-MM-dd HH:mm:ss}Z by its clock)";
        var why = lease.HeartbeatMoved
            ? "its heartbeat is moving, so it is alive"
            : $"its heartbeat has stood still for {lease.Watched.TotalSeconds:F0} s of the {duration.TotalSeconds:F0} s after which it is taken over";
        return $"Campaign '{_campaign.Name}' is being dialed by another process, {lease.Owner}{where}: {why}. Stop that process, or run this again once it is gone.";
    }

    /// <summary>Something changed (a call ended, pause/resume/stop): look again now rather than at the next tick.</summary>
    public void Wake()
    {
        _controlChanged = true;
        Signal();
    }

    /// <summary>Room may have opened (a call ended, a Response came back): look again, without reloading the campaign.</summary>
    private void Signal()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another thread signalled first: one wake-up is enough.
            }
        }
    }

    public void OnCallEnded(CallContext? call, CallOutcome outcome, DateTimeOffset at)
    {
        OnAgentCallEnded(call, outcome, at);
        Interlocked.Decrement(ref _active);
        lock (_statsGate)
        {
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
        }

        if (_roomWanted)
        {
            Signal();
        }
    }

    public CampaignLiveState Snapshot(DateTimeOffset now)
    {
        lock (_statsGate)
        {
            while (_recent.Count > 0 && _recent.Peek() <= now - RateWindow)
            {
                _recent.Dequeue();
            }

            return new CampaignLiveState
            {
                CampaignId = CampaignId,
                Name = _campaign.Name,
                Status = Status,
                ActiveCalls = Active,
                AttemptsByOutcome = new Dictionary<CallOutcome, int>(_outcomes),
                DialRate = _recent.Count / RateWindow.TotalSeconds,
                OriginatesSent = Interlocked.Read(ref _sent),
                NextDueAt = NextDueAt,
                Message = Message,
                Pacing = PacingReason,
                PacingFallback = PacingReason?.StartsWith("predictive warming", StringComparison.Ordinal) == true || PacingReason?.StartsWith("predictive throttled", StringComparison.Ordinal) == true,
                AbandonRate = AbandonRate(now),
            };
        }
    }

    /// <summary>
    /// The dialing loop, with the lease already held. Returns when the campaign is finished, ended, stopped,
    /// paused by cancellation (foreground), or its lease was lost. In the foreground, waits for live calls.
    /// </summary>
    public async Task<CampaignRunResult> RunAsync(CancellationToken cancellationToken)
    {
        var time = _s.Time;
        var lastRenewTry = time.GetTimestamp();
        var lastReload = DateTimeOffset.MinValue;
        var lastDialCheck = DateTimeOffset.MinValue;
        CampaignRunResult? result = null;
        IDueLeadsQuery? dueQuery = null;
        SetStatus(DialerStatus.Waiting, null);
        _s.Logger.DialerStarted(CampaignId, _foreground ? "foreground" : "scheduled");
        try
        {
            while (result is null && !_s.Crashed)
            {
                try
                {
                    var now = time.GetUtcNow();
                    var cancelled = cancellationToken.IsCancellationRequested;
                    if (_s.Stopping.IsCancellationRequested || (cancelled && !_foreground))
                    {
                        // The engine is shutting down: the campaign stays as it is stored (running), and the next start,
                        // here or on another node, resumes it. Never a pause: a deploy must not leave campaigns paused.
                        result = End(CampaignRunEnd.Stopped, "engine stopping", now);
                        break;
                    }

                    if (cancelled)
                    {
                        await _s.Campaigns.TransitionAsync(CampaignId, [CampaignState.Running, CampaignState.Scheduled], CampaignState.Paused, _s.Options.Actor, CancellationToken.None).ConfigureAwait(false);
                        result = End(CampaignRunEnd.Paused, "paused: no new calls, live calls let finish", now);
                        break;
                    }

                    if (time.GetElapsedTime(lastRenewTry) >= _s.Options.HeartbeatInterval)
                    {
                        lastRenewTry = time.GetTimestamp();
                        await RenewAsync().ConfigureAwait(false);
                    }

                    if (_leaseLost)
                    {
                        _s.Logger.LeaseLost(CampaignId);
                        result = End(CampaignRunEnd.LeaseLost, "lease lost: another process took the campaign's lease", now);
                        break;
                    }

                    if (RenewalOverdue() is { } overdue)
                    {
                        // Maybe stalled (a GC or VM pause, a store that would not answer): another process may be about to take the
                        // campaign over, so nothing is sent until a renewal proves the lease is still ours.
                        _s.Logger.SendingHeld(_leaseKey, overdue.TotalSeconds);
                        SetStatus(DialerStatus.Waiting, $"lease renewal overdue ({overdue.TotalSeconds:F0} s): not dialing until it is renewed");
                        lastRenewTry = time.GetTimestamp();
                        await RenewAsync().ConfigureAwait(false);
                        if (RenewalOverdue() is not null && !_leaseLost)
                        {
                            await WaitAsync(_s.Options.IdleWait, cancellationToken).ConfigureAwait(false);
                        }

                        continue;
                    }

                    if (_controlChanged || now - lastReload >= ReloadEvery)
                    {
                        _controlChanged = false;
                        lastReload = now;
                        if (await _s.Campaigns.GetAsync(CampaignId, CancellationToken.None).ConfigureAwait(false) is not { } fresh)
                        {
                            result = End(CampaignRunEnd.Stopped, "the campaign was deleted", now);
                            break;
                        }

                        if (fresh != _campaign)
                        {
                            _campaign = fresh;
                            _policy = PolicyFor(fresh);
                            _schedule = DialingSchedule.For(fresh);
                            _template = NumberTemplate.Parse(fresh.DialTemplate);
                        }
                    }

                    switch (_campaign.State)
                    {
                        case CampaignState.Paused:
                            SetStatus(DialerStatus.Paused, "paused");
                            await WaitAsync(_s.Options.IdleWait, cancellationToken).ConfigureAwait(false);
                            continue;
                        case CampaignState.Stopped:
                            result = End(CampaignRunEnd.Stopped, "stopped", now);
                            continue;
                        case CampaignState.Completed:
                            result = End(CampaignRunEnd.Finished, "completed", now);
                            continue;
                        case CampaignState.Draft:
                            SetStatus(DialerStatus.Waiting, "draft: not started");
                            await WaitAsync(_s.Options.IdleWait, cancellationToken).ConfigureAwait(false);
                            continue;
                    }

                    if (_campaign.EndAt is { } endAt && now >= endAt)
                    {
                        await CompleteAsync(now).ConfigureAwait(false);
                        result = End(CampaignRunEnd.EndReached, $"the campaign's end ({endAt:yyyy-MM-dd HH:mm}Z) came", now);
                        continue;
                    }

                    if (_campaign.StartAt is { } startAt && now < startAt)
                    {
                        SetStatus(DialerStatus.Waiting, $"starts at {startAt:yyyy-MM-dd HH:mm:ss}Z");
                        await WaitAsync(Min(startAt - now, _s.Options.IdleWait), cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (_campaign.State == CampaignState.Scheduled)
                    {
                        await _s.Campaigns.TransitionAsync(CampaignId, [CampaignState.Scheduled], CampaignState.Running, _s.Options.Actor, CancellationToken.None).ConfigureAwait(false);
                        _campaign = _campaign with { State = CampaignState.Running };
                    }

                    if (_s.DescribeUnusableServers() is { } unusable)
                    {
                        // Logged in, but no server may be dialed (a ledger server without its dialplan): no lead is claimed
                        // meanwhile, and the campaign says why.
                        SetStatus(DialerStatus.Waiting, unusable);
                        await WaitForRoomAsync(_s.Options.IdleWait, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    SetStatus(DialerStatus.Dialing, null);
                    if (now - lastDialCheck < _s.Options.DialBatchInterval)
                    {
                        // Leads due meanwhile are claimed together, in one transaction, instead of one query and one claim each.
                        await PauseAsync(lastDialCheck + _s.Options.DialBatchInterval - now, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    lastDialCheck = now;
                    // Claimed for the slots opening within the lookahead too: the query and the claim's commit take time,
                    // and a slot left idle meanwhile is a call per second lost. They go out when their slots open.
                    await EndQueueClaimAsync().ConfigureAwait(false);
                    var pacing = await DecideByAgentsAsync(now).ConfigureAwait(false)
                        ?? _pacer.Decide(_policy, _campaign.CallsPerSecond, _campaign.MaxConcurrentCalls, Active, 2 * _s.Options.DialBatchInterval);
                    var allowed = pacing.MayStart;
                    if (allowed == 0)
                    {
                        if (pacing.LookAgainAt is { } slot)
                        {
                            await WaitAsync(Min(slot - now, _s.Options.IdleWait), cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            await WaitForRoomAsync(_s.Options.IdleWait, cancellationToken).ConfigureAwait(false);
                        }

                        continue;
                    }

                    dueQuery ??= await _s.Leads.OpenDueQueryAsync(CancellationToken.None).ConfigureAwait(false);
                    var leads = await dueQuery.GetAsync(CampaignId, now, allowed, _campaign.Order, CancellationToken.None).ConfigureAwait(false);
                    await StoreAnsweredAsync().ConfigureAwait(false);
                    if (leads.Count == 0)
                    {
                        await EndQueueClaimAsync().ConfigureAwait(false);
                        var next = await _s.Leads.GetNextDueAtAsync(CampaignId, CancellationToken.None).ConfigureAwait(false);
                        NextDueAt = next;
                        var nothingDue = next is null || (_campaign.EndAt is { } end && next >= end);
                        var (noneOpen, onlyWaiting) = Active == 0 && nothingDue ? await OpenAttemptsAsync().ConfigureAwait(false) : (false, false);
                        if (onlyWaiting && _foreground)
                        {
                            // What is left can only end when its server is configured again: a run that waited would wait for ever.
                            result = End(CampaignRunEnd.Stopped, DescribeWaiting() ?? "waiting for a server that is not configured", now);
                            continue;
                        }

                        if (noneOpen && next is null && !_foreground && !await _s.Attempts.AnyForCampaignAsync(CampaignId, CancellationToken.None).ConfigureAwait(false))
                        {
                            // Started before its leads were imported (or with none dialable): completing it now would strand
                            // the leads imported next, so it waits for them and says why.
                            const string Why = "no lead to dial yet: leads imported into the campaign are dialed as they arrive";
                            if (!_saidNothingToDial)
                            {
                                _saidNothingToDial = true;
                                _s.Logger.NothingToDial(CampaignId, Why);
                            }

                            SetStatus(DialerStatus.Waiting, Why);
                            await WaitAsync(_s.Options.IdleWait, cancellationToken).ConfigureAwait(false);
                            continue;
                        }

                        if (noneOpen)
                        {
                            await CompleteAsync(now).ConfigureAwait(false);
                            var why = next is null
                                ? "every lead is final: nothing left to dial"
                                : $"no lead can become due before the campaign's end; the next would have been due at {next:yyyy-MM-dd HH:mm:ss}Z";
                            result = End(CampaignRunEnd.Finished, why, now, next);
                            continue;
                        }

                        SetStatus(DialerStatus.Dialing, next is { } n && n > now ? $"next lead due at {n:yyyy-MM-dd HH:mm:ss}Z" : null);
                        await WaitForRoomAsync(next is { } due && due > now ? Min(due - now, _s.Options.IdleWait) : _s.Options.IdleWait, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    _saidNothingToDial = false;
                    var dialed = await DialAsync(leads, now).ConfigureAwait(false);
                    // The calls the queue claim granted are attempts on disk now: counted from them, not twice.
                    await EndQueueClaimAsync().ConfigureAwait(false);
                    if (!dialed)
                    {
                        // No server has room: wait for a call to end.
                        await WaitForRoomAsync(_s.Options.IdleWait, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (AmiDialer.Data.Database.StoreErrors.IsUnavailable(e))
                {
                    // PostgreSQL down, restarting or failing over: the dialer stays, places nothing (a claim must be
                    // committed before its Originate), follows its calls, and resumes when a read goes through again.
                    if (dueQuery is not null)
                    {
                        await DropAsync(dueQuery).ConfigureAwait(false);
                        dueQuery = null;
                    }

                    await OnStoreUnavailableAsync(e, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _s.Logger.DialerFailed(CampaignId, e);
            throw;
        }
        finally
        {
            if (dueQuery is not null)
            {
                await dueQuery.DisposeAsync().ConfigureAwait(false);
            }

            if (_s.Crashed)
            {
                // A simulated kill: nothing is cleaned up, exactly like a process that died.
                Status = DialerStatus.Stopped;
            }
            else
            {
                await FinishRunAsync(result).ConfigureAwait(false);
            }
        }

        return result ?? End(CampaignRunEnd.Stopped, "engine crashed", time.GetUtcNow());
    }

    private async Task FinishRunAsync(CampaignRunResult? result)
    {
        if ((_foreground || _s.Stopping.IsCancellationRequested) && result?.End != CampaignRunEnd.LeaseLost)
        {
            await DrainAsync().ConfigureAwait(false);
        }

        if (result?.End != CampaignRunEnd.LeaseLost)
        {
            await _s.Leases.ReleaseAsync(_leaseKey, _s.Options.InstanceName, CancellationToken.None).ConfigureAwait(false);
        }

        SetStatus(result?.End switch
        {
            CampaignRunEnd.Paused => DialerStatus.Paused,
            CampaignRunEnd.Stopped or CampaignRunEnd.LeaseLost => DialerStatus.Stopped,
            _ => DialerStatus.Finished,
        }, result?.Message);
        _s.Logger.DialerEnded(CampaignId, result?.Message ?? "failed");
    }

    /// <summary>
    /// Dials due leads: calling hours and the dial string checked for each, a server slot reserved, then all claimed
    /// in one transaction (do-not-call checked inside it) and, once that is committed, their Originates sent.
    /// False when no server had room for some of them (they stay due).
    /// </summary>
    private async Task<bool> DialAsync(IReadOnlyList<Lead> leads, DateTimeOffset now)
    {
        var planned = new List<PlannedCall>(leads.Count);
        var claims = new List<DialClaim>(leads.Count);
        var room = true;
        await _s.RefreshServerSlotsAsync().ConfigureAwait(false);
        foreach (var lead in leads)
        {
            var eligible = _schedule.NextDueAt(now, lead.TimeZones);
            if (eligible != now)
            {
                // Outside the callee's hours (or the campaign's windows) right now: due again when they open.
                await _s.WriteAsync(() => _s.Leads.RescheduleAsync(lead.Id, eligible, CancellationToken.None)).ConfigureAwait(false);
                continue;
            }

            var number = E164.Split(lead.PhoneE164);
            var channel = DialString.Render(_template, number);
            string? problem = DialString.Check(channel);
            IReadOnlyList<KeyValuePair<string, string>> variables = [];
            if (problem is null && !ChannelVariables.TryResolve(_campaign.Variables, lead.Fields, out variables, out problem))
            {
                variables = [];
            }

            if (problem is not null)
            {
                // Nothing can be sent for this lead: say why, never send it half-checked.
                // The reason stays on the lead: the report, the leads CSV and the API show why it was never called.
                var reason = problem + ": not dialed";
                await _s.WriteAsync(() => _s.Leads.TransitionAsync(lead.Id, lead.State, LeadState.Done, CallOutcome.Failed, null, reason, CancellationToken.None)).ConfigureAwait(false);
                _s.Logger.LeadSkipped(lead.Id, reason);
                continue;
            }

            // An agent-paced campaign's calls go to the Asterisks whose queues granted them; a fixed-paced one with a
            // queue only to those that have its queue.
            var server = AgentPaced ? ReserveQueueServer() : _s.ReserveServer(_queueServers);
            if (server is null)
            {
                room = false;
                break;
            }

            var callId = _s.NextCallId();
            planned.Add(new PlannedCall(lead, server, callId, channel, variables));
            claims.Add(new DialClaim(new AttemptClaim(lead.Id, callId, callId, server.Name, _s.Options.Simulated) { LeaseKey = _leaseKey }, CampaignId, lead.PhoneE164)
            {
                LeadState = lead.State,
                AttemptCount = lead.AttemptCount,
                Fence = new LeaseFence(_leaseKey, _s.Options.InstanceName),
                // Counted over every process dialing this Asterisk, not only this one's calls.
                ServerCap = server.MaxConcurrentCalls,
            });
        }

        if (claims.Count == 0)
        {
            return room;
        }

        IReadOnlyList<DialClaimResult> results;
        try
        {
            results = await _s.Writer.ClaimAsync(claims, now).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var call in planned)
            {
                call.Server.ReleaseReservation();
                UnplaceOnQueue(call.Server);
            }

            if (AmiDialer.Data.Database.StoreErrors.IsUnavailable(e))
            {
                // The connection may have been cut after the commit went through: nothing was sent, so attempts written
                // are ended not-sent once the store is back (a lead must not stay in progress with no call).
                ClaimsInDoubt(planned.Select(p => (p.Server, p.CallId)));
            }

            throw;
        }

        var claimed = new List<(PlannedCall Call, Attempt Attempt, int PriorAttempts)>(planned.Count);
        for (var i = 0; i < planned.Count; i++)
        {
            var call = planned[i];
            var result = results[i];
            if (result is { Status: DialClaimStatus.Claimed, Attempt: { } attempt })
            {
                claimed.Add((call, attempt, result.PriorAttempts));
                continue;
            }

            call.Server.ReleaseReservation();
            UnplaceOnQueue(call.Server);
            if (result.Status == DialClaimStatus.LeaseLost)
            {
                // The fence: the lease row is not ours, so this claim (and the batch's others) wrote nothing.
                _leaseLost = true;
            }
            else if (result.Status == DialClaimStatus.Blocked)
            {
                _s.Logger.LeadSkipped(call.Lead.Id, "on the do-not-call list");
            }
            else if (result.Status == DialClaimStatus.ServerFull)
            {
                // Other processes fill the server: the lead stays due, and the loop waits for room.
                room = false;
            }
            else if (result.Error is { } error)
            {
                _s.Logger.LeadSkipped(call.Lead.Id, "claim failed: " + error);
            }
        }

        _s.ObserveClaims([.. planned.Select(p => p.Server)], results);

        if (claimed.Count > 0)
        {
            KillSwitch.Pass(KillSwitch.AfterClaim);
        }

        await SendPacedAsync(claimed).ConfigureAwait(false);
        return room;
    }

    private sealed record PlannedCall(Lead Lead, AmiServer Server, string CallId, string Channel, IReadOnlyList<KeyValuePair<string, string>> Variables);

    /// <summary>The attempt is on disk as dialing: registers the call and builds its Originate.</summary>
    private (OriginateRequest Request, DateTimeOffset SentAt, string ActionId) Prepare(PlannedCall call, Attempt attempt, int priorAttempts)
    {
        var (lead, server, callId, channel, variables) = call;
        // Counted at the moment it goes out, not when the batch was planned.
        var sentAt = _s.Time.GetUtcNow();
        var context = new CallContext(attempt.Id, attempt.CreatedAt, CampaignId, lead, server.Name, callId, sentAt, this, PriorAttempts: priorAttempts);
        _s.Calls[attempt.Id] = context;
        CountOnQueue(attempt.Id, server);
        EngineMetrics.CallPlaced(CallKind.Campaign);
        if (lead.NextEligibleAt is { } due)
        {
            EngineMetrics.Lag(sentAt - Max(Max(due, _startedAt), _campaign.StartAt ?? _startedAt));
        }

        Interlocked.Increment(ref _active);
        Interlocked.Increment(ref _sent);
        lock (_statsGate)
        {
            // Pruned here too: with nobody asking for snapshots the queue would keep every send of the run.
            while (_recent.Count > 0 && _recent.Peek() <= sentAt - RateWindow)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(sentAt);
        }

        var ringTimeout = _campaign.RingTimeout < _s.Options.MinimumRingTimeout ? _s.Options.MinimumRingTimeout : _campaign.RingTimeout;
        var request = new OriginateRequest(attempt.Id, callId, channel, _campaign.Destination.Context, _campaign.Destination.Extension,
            _campaign.Destination.Priority, _campaign.CallerId, ringTimeout, variables);
        if (server.Ledger)
        {
            request = LedgerDialplan.Campaign(request, lead.PhoneE164.TrimStart('+'));
        }

        _s.Logger.Originating(attempt.Id, lead.Id, server.Name, callId);
        _s.Publish(new EngineChange(EngineChangeKind.CallStarted, sentAt, CampaignId, attempt.Id));
        return (request, sentAt, callId);
    }

    /// <summary>
    /// Sends claimed calls as the window lets them: they were claimed for slots opening within the lookahead, so
    /// this waits at most about that long (a campaign whose rate was just lowered may wait longer). Claimed calls are
    /// on disk as dialing, so they are sent even if the campaign is paused meanwhile.
    /// </summary>
    private async Task SendPacedAsync(List<(PlannedCall Call, Attempt Attempt, int PriorAttempts)> claimed)
    {
        var next = 0;
        while (next < claimed.Count)
        {
            if (RenewalOverdue() is { } overdue)
            {
                // Claimed but not sent, and the lease may be passing to another process: only a renewal lets them go.
                _s.Logger.SendingHeld(_leaseKey, overdue.TotalSeconds);
                await RenewAsync().ConfigureAwait(false);
                if (_leaseLost)
                {
                    // Left open under the campaign's lease: the new holder adopts them (never sent: not-sent or unknown).
                    for (; next < claimed.Count; next++)
                    {
                        claimed[next].Call.Server.ReleaseReservation();
                        UnplaceOnQueue(claimed[next].Call.Server);
                    }

                    return;
                }

                if (RenewalOverdue() is not null)
                {
                    await WaitAsync(_s.Options.IdleWait, CancellationToken.None).ConfigureAwait(false);
                }

                continue;
            }

            var now = _s.Time.GetUtcNow();
            var (free, slotAt) = _pacer.Room(_campaign.CallsPerSecond);
            if (free == 0)
            {
                await WaitAsync(slotAt is { } at ? Min(at - now, _s.Options.IdleWait) : _s.Options.IdleWait, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            var end = Math.Min(claimed.Count, next + free);
            List<(OriginateRequest Request, DateTimeOffset SentAt, string ActionId)>? sends = null;
            AmiServer? sendTo = null;
            for (; next < end; next++)
            {
                var (call, attempt, priorAttempts) = claimed[next];
                if (sendTo is not null && sendTo != call.Server)
                {
                    SendBatch(sendTo, sends!);
                    sends = null;
                }

                sendTo = call.Server;
                (sends ??= []).Add(Prepare(call, attempt, priorAttempts));
            }

            SendBatch(sendTo!, sends!);
        }
    }

    /// <summary>Sends the Originates of one server together: one write, and one wake-up when all Responses are in.</summary>
    private void SendBatch(AmiServer server, List<(OriginateRequest Request, DateTimeOffset SentAt, string ActionId)> sends)
    {
        var paced = _pacer.Sending(sends.Count);
        var sending = server.OriginateBatchAsync(sends, CancellationToken.None);
        _ = AfterSendAsync(server, sends, sending, paced);
    }

    private async Task AfterSendAsync(AmiServer server, List<(OriginateRequest Request, DateTimeOffset SentAt, string ActionId)> sends,
        Task<(OriginateSendResult Result, string? Message)[]> sending, OriginatePacer.Entry paced)
    {
        var results = await sending.ConfigureAwait(false);
        paced.Answered();
        Signal();
        for (var i = 0; i < results.Length; i++)
        {
            await _s.ApplyOriginateResultAsync(server, sends[i].Request.AttemptId, results[i].Result, results[i].Message).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the campaign has no open attempt, and whether those it has all wait for servers not configured here.</summary>
    private async Task<(bool NoneOpen, bool OnlyWaiting)> OpenAttemptsAsync()
    {
        var open = await _s.Attempts.ListOpenAsync(campaignId: CampaignId, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        return (open.Count == 0, open.Count > 0 && open.All(a => _s.Servers.All(s => s.Name != a.Server)));
    }

    /// <summary>
    /// Renews the lease (the heartbeat goes up). A lease found not ours any more sets <see cref="_leaseLost"/>; a store
    /// that fails is tried again at the next look, while <see cref="RenewalOverdue"/> holds the Originates back.
    /// </summary>
    private async Task RenewAsync()
    {
        // Stamped before the write: a pause after it must count against the lease, not reset its age.
        var stamp = _s.Time.GetTimestamp();
        try
        {
            if (await _s.Leases.RenewAsync(_leaseKey, _s.Options.InstanceName, CancellationToken.None).ConfigureAwait(false))
            {
                _renewedAt = stamp;
            }
            else
            {
                _leaseLost = true;
            }
        }
        catch (Exception e) when (AmiDialer.Data.Database.StoreErrors.IsUnavailable(e))
        {
            _s.Logger.StoreUnavailableFor($"Lease {_leaseKey}'s renewal", AmiDialer.Data.Database.StoreErrors.Reason(e));
        }
        catch (Exception e) when (AmiDialer.Data.Database.StoreErrors.IsStoreError(e) || e is InvalidOperationException)
        {
            _s.Logger.LeaseRenewalFailed(_leaseKey, e);
        }
    }

    /// <summary>How old the last successful renewal is once past <see cref="DialerEngineOptions.RenewalCutoff"/>; null while fresh.</summary>
    private TimeSpan? RenewalOverdue()
    {
        var age = _s.Time.GetElapsedTime(_renewedAt);
        return age > _s.Options.RenewalCutoff ? age : null;
    }

    private string? DescribeWaiting() => EngineServices.DescribeWaiting(_waitingFor);

    private async Task CompleteAsync(DateTimeOffset now)
    {
        _ = now;
        await _s.Campaigns.TransitionAsync(CampaignId, [CampaignState.Running, CampaignState.Scheduled, CampaignState.Paused], CampaignState.Completed, _s.Options.Actor, CancellationToken.None).ConfigureAwait(false);
        await _s.Leads.ExpireDialableAsync(CampaignId, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Lets live calls finish, renewing the lease meanwhile so nobody else starts dialing under them. A stopping
    /// engine waits only until its deadline: calls still up then stay open in the store for the next start to reconcile.
    /// </summary>
    private async Task DrainAsync()
    {
        SetStatus(DialerStatus.Draining, Message);
        // Nothing more is placed: the queue's other claimers get the unused grant now, not after the drain.
        await EndQueueClaimAsync().ConfigureAwait(false);
        var lastRenew = _s.Time.GetTimestamp();
        while (Active > 0)
        {
            var until = _s.DrainUntil;
            var left = until is { } u ? u - _s.Time.GetUtcNow() : _s.Options.IdleWait;
            if (left <= TimeSpan.Zero)
            {
                _s.Logger.CallsLeftToReconciliation(CampaignId, Active);
                break;
            }

            await WaitForRoomAsync(Min(left, _s.Options.IdleWait), CancellationToken.None).ConfigureAwait(false);
            if (_s.Time.GetElapsedTime(lastRenew) >= _s.Options.HeartbeatInterval)
            {
                await RenewAsync().ConfigureAwait(false);
                lastRenew = _s.Time.GetTimestamp();
            }
        }
    }

    private CampaignRunResult End(CampaignRunEnd end, string message, DateTimeOffset now, DateTimeOffset? nextDue = null) =>
        new(CampaignId, end, message, nextDue ?? NextDueAt, now);

    private void SetStatus(DialerStatus status, string? message)
    {
        if (DescribeWaiting() is { } waiting)
        {
            message = message is null ? waiting : message + "; " + waiting;
        }

        if (Status == status && Message == message)
        {
            return;
        }

        Status = status;
        Message = message;
        _s.Publish(new EngineChange(EngineChangeKind.CampaignStatusChanged, _s.Time.GetUtcNow(), CampaignId, Detail: status.ToString()));
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await _wake.WaitAsync(WholeMilliseconds(delay), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits like <see cref="WaitAsync"/>, and a call's ending cuts it short too.</summary>
    private async Task WaitForRoomAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        _roomWanted = true;
        try
        {
            await WaitAsync(delay, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _roomWanted = false;
        }
    }

    /// <summary>A short pause that a wake-up does not cut short (cancellation does).</summary>
    private async Task PauseAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(WholeMilliseconds(delay), _s.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>
    /// Rounded up: a wait counts whole milliseconds, so 0.4 ms would be no wait at all, and the loop would spin
    /// through its checks until the slot it waits for opens.
    /// </summary>
    private static TimeSpan WholeMilliseconds(TimeSpan delay) => TimeSpan.FromMilliseconds(Math.Ceiling(delay.TotalMilliseconds));
}
