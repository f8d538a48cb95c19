using AmiDialer.Core.Model;
using AmiDialer.Core.Outcomes;
using AmiDialer.Core.Pacing;
using AmiDialer.Core.Queues;
using AmiDialer.Engine.Queues;
using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.Dialing;

/// <summary>
/// Agent-aware pacing (issue #26): a campaign with a queue and progressive or predictive pacing asks its Core policy
/// with the queue's agents (from the server's <see cref="QueueFollower"/>) and this campaign's measured figures
/// (<see cref="PacingMeasurements"/>, fed by its calls). Calls in flight on a queue are one budget in the store
/// (<c>queue_budgets</c>): what the policy allows is claimed from it, so two campaigns on one queue, or two nodes, never
/// count the same free agent. The store derives the calls in flight from open unanswered attempts plus unexpired claims
/// (<see cref="Data.Repositories.QueueRepository.ClaimAsync"/>): a call leaves it when its answer or end is written, and
/// a claim is ended once its calls are attempts; a dialer that dies leaves nothing taken for good. A queue lives on one
/// PBX (its agents take only calls placed there): every usable server whose queue has logged-in agents gets calls, each
/// server's share paced by its own agents and claimed from its own budget, the campaign's fixed caps shared by all.
/// </summary>
internal sealed partial class CampaignDialer
{
    private readonly Lock _queueGate = new();
    // This campaign's calls placed on its queue's budget, until answered or ended (what is measured as not answered).
    private readonly HashSet<long> _queueInFlight = [];
    private PacingMeasurements _measurements = new();
    private PacingMode _pacingMode;
    private double _pacingRatio;
    private string? _pacingReason;
    // The servers whose queues pace this campaign this look (its calls go there), each with the calls claimed on its
    // budget, those planned so far, and the claim to end once they are attempts on disk. The dialing loop's alone.
    private readonly Dictionary<AmiServer, QueueGrant> _queueGrants = [];
    private readonly FixedPacing _capsOnly;

    private sealed class QueueGrant(int granted, string claimId)
    {
        public int Granted { get; } = granted;

        public string ClaimId { get; } = claimId;

        public int Placed { get; set; }
    }

    /// <summary>Why the policy decided as it did last (its mode and figures), for the live view; null for fixed pacing.</summary>
    public string? PacingReason => Volatile.Read(ref _pacingReason);

    private bool AgentPaced => _campaign.Pacing != PacingMode.Fixed && !string.IsNullOrEmpty(_campaign.Queue);

    /// <summary>The policy for the campaign as it is now; a new one when its mode or ratio changed (or at start).</summary>
    private IPacingPolicy PolicyFor(Campaign campaign)
    {
        var fixedCaps = _capsOnly;
        if (campaign.Pacing == _pacingMode && campaign.PacingRatio.Equals(_pacingRatio) && _policy is not null)
        {
            return _policy;
        }

        _pacingMode = campaign.Pacing;
        _pacingRatio = campaign.PacingRatio;
        var ratio = campaign.PacingRatio > 0 && double.IsFinite(campaign.PacingRatio) ? campaign.PacingRatio : 1.0;
        var caps = fixedCaps;
        if (!string.IsNullOrEmpty(campaign.Queue))
        {
            // Whatever paces it, a queue campaign's answered calls are measured: their fates go on the attempts.
            foreach (var server in _s.Servers)
            {
                server.FollowQueue(campaign.Queue);
            }
        }

        if (string.IsNullOrEmpty(campaign.Queue) || campaign.Pacing == PacingMode.Fixed)
        {
            return fixedCaps;
        }

        _measurements = new PacingMeasurements(abandonWindow: _s.Options.AbandonWindow);
        _measurementsSeeded = false;
        return campaign.Pacing == PacingMode.Predictive
            ? new PredictivePacing(_s.Options.MaxAbandonRate, progressiveRatio: ratio, caps: caps)
            : new ProgressivePacing(ratio, caps);
    }

    /// <summary>
    /// The agent-aware decision: for each usable server whose queue has logged-in agents, its agents, the store's calls
    /// in flight on its queue, the policy's answer and the part of it that server's budget grants; the campaign's fixed
    /// caps (concurrency, rate) bound the sum. Null when the campaign is paced by fixed caps.
    /// </summary>
    private async Task<PacingDecision?> DecideByAgentsAsync(DateTimeOffset now)
    {
        if (!AgentPaced)
        {
            return FixedOnQueueServers();
        }

        var queue = _campaign.Queue!;
        List<(AmiServer Server, QueueAgentCounts Counts)> servers = [];
        foreach (var server in _s.Servers)
        {
            if (server.IsUsable && server.QueueCounts(queue) is { LoggedIn: > 0 } known)
            {
                servers.Add((server, known));
            }
        }

        if (servers.Count == 0)
        {
            SetPacingReason($"waiting for queue {queue}: no logged-in agent seen on a connected server");
            return new PacingDecision(0, null, PacingLimit.Agents, _pacingReason);
        }

        var store = _s.QueueStore;
        if (!_measurementsSeeded)
        {
            await SeedMeasurementsAsync(now).ConfigureAwait(false);
        }

        MeasuredFigures measured;
        lock (_queueGate)
        {
            measured = _measurements.Figures(now);
        }

        var lookahead = 2 * _s.Options.DialBatchInterval;
        // What the campaign's own caps leave for all servers together this look.
        var room = _pacer.Decide(_capsOnly, _campaign.CallsPerSecond, _campaign.MaxConcurrentCalls, Active, lookahead).MayStart;
        var total = 0;
        List<string> reasons = [];
        PacingDecision? waiting = null;
        var limit = PacingLimit.Agents;
        foreach (var (server, seen) in servers)
        {
            var serverName = server.Name;
            await _s.WriteAsync(async () =>
            {
                await store.WriteAgentsAsync(serverName, queue, seen, now, _s.Options.InstanceName, CancellationToken.None).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            var budget = await store.GetBudgetAsync(serverName, queue, CancellationToken.None).ConfigureAwait(false);
            // The agents are looked at again now, after the store: a call leaves the store's calls in flight when its fate
            // is written, which is only after the follower saw its agent connect, so a look taken after the store's sees
            // that agent talking. Taken before it (as it was), an answer between the two went missing from both: the
            // call out of the store, its agent still free in the older look, and a call was placed for an agent who was
            // talking (the shared-queue test's one late answer in about four runs).
            var counts = server.QueueCounts(queue) ?? seen;
            var inFlight = (int)(budget?.InFlight ?? 0);
            // An answered call the follower already sees waiting is in its Waiting: not counted again among the ringing.
            var ringing = inFlight - (int)Math.Min(budget?.Answering ?? 0, counts.Waiting);
            var agents = new AgentFigures(counts.Free, counts.Busy, ringing, counts.Waiting);
            var decision = _pacer.Decide(_policy, _campaign.CallsPerSecond, _campaign.MaxConcurrentCalls, Active, lookahead, agents, measured);
            reasons.Add(servers.Count == 1 ? decision.Reason ?? "" : $"{decision.Reason} (on {serverName})");
            var wanted = Math.Min(decision.MayStart, room - total);
            if (wanted <= 0)
            {
                waiting ??= decision;
                continue;
            }

            // The policy wants inFlight + wanted on this server's queue: claim the difference, against every other claimer.
            var claim = await _s.WriteAsync(() => store.ClaimAsync(serverName, queue, wanted, inFlight + wanted, _s.Options.InstanceName, CancellationToken.None)).ConfigureAwait(false);
            if (claim is { Granted: > 0, Id: { } claimId })
            {
                _queueGrants[server] = new QueueGrant(claim.Granted, claimId);
                total += claim.Granted;
            }

            limit = claim.Granted < wanted ? PacingLimit.Agents : decision.LimitedBy;
        }

        var reason = string.Join("; ", reasons);
        SetPacingReason(reason);
        return total > 0 || waiting is not { } none
            ? new PacingDecision(total, null, limit, reason)
            : none with { MayStart = 0, Reason = reason };
    }

    private bool _measurementsSeeded;

    // A fixed-paced campaign with a queue: the servers it may be sent to this look (null: any server, no queue).
    private List<AmiServer>? _queueServers;

    /// <summary>
    /// A fixed-paced campaign with a queue goes only to Asterisks that have that queue (the agents of a queue take only
    /// the calls placed on its own PBX: elsewhere every answer would wait for nobody), preferring those whose queue has
    /// logged-in agents. With none known yet (the follower has not read the queue, or no server has it) nothing is
    /// placed, and the live view says why. Null, deciding nothing, for a campaign without a queue.
    /// </summary>
    private PacingDecision? FixedOnQueueServers()
    {
        if (string.IsNullOrEmpty(_campaign.Queue))
        {
            _queueServers = null;
            return null;
        }

        var queue = _campaign.Queue;
        var having = _s.Servers.Where(s => s.IsUsable && s.QueueCounts(queue) is not null).ToList();
        var staffed = having.Where(s => s.QueueCounts(queue) is { LoggedIn: > 0 }).ToList();
        _queueServers = staffed.Count > 0 ? staffed : having;
        if (_queueServers.Count > 0)
        {
            SetPacingReason(null);
            return null;
        }

        SetPacingReason($"fixed: waiting for queue {queue}: no connected server has it (or its QueueStatus is not read yet)");
        return new PacingDecision(0, null, PacingLimit.Agents, _pacingReason);
    }

    /// <summary>
    /// Once per dialer: answers nobody recorded a fate for (the dialer was down while they waited) become unknown, i.e.
    /// abandoned; then the abandon window's stored fates are measured, so a restart does not forget the rate the limit is
    /// about (the warm-up's answer count still starts at 0: the answer rate is this run's).
    /// </summary>
    private async Task SeedMeasurementsAsync(DateTimeOffset now)
    {
        _measurementsSeeded = true;
        var queue = _campaign.Queue!;
        var marked = await _s.WriteAsync(() => _s.QueueStore.MarkUnknownFatesAsync(CampaignId, queue, CancellationToken.None)).ConfigureAwait(false);
        if (marked > 0)
        {
            _s.Logger.PacingChanged(CampaignId, $"{marked} answered call(s) whose queue fate nobody saw count as abandoned (unknown)");
        }

        var fates = await _s.QueueStore.FatesSinceAsync(CampaignId, now - _s.Options.AbandonWindow, CancellationToken.None).ConfigureAwait(false);
        lock (_queueGate)
        {
            foreach (var (answeredAt, abandoned) in fates)
            {
                _measurements.AgentOutcome(answeredAt, abandoned);
            }
        }
    }

    /// <summary>This campaign's abandon rate over the window as measured now; null when it follows no queue.</summary>
    public double? AbandonRate(DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(_campaign.Queue))
        {
            return null;
        }

        lock (_queueGate)
        {
            return _measurements.Figures(now).AbandonRate;
        }
    }

    /// <summary>
    /// After a look: its claims end. The calls they placed are attempts on disk by now (the claim transaction committed
    /// before they were sent), counted as in flight from them until answered; the grant not used goes back.
    /// </summary>
    private async Task EndQueueClaimAsync()
    {
        if (_queueGrants.Count == 0)
        {
            return;
        }

        var claims = _queueGrants.Values.Select(g => g.ClaimId).ToList();
        _queueGrants.Clear();
        foreach (var claimId in claims)
        {
            await _s.WriteAsync(async () =>
            {
                await _s.QueueStore.EndClaimAsync(claimId, CancellationToken.None).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A server for one of this look's calls of an agent-paced campaign: one whose grant has room left (most left first)
    /// and whose own cap takes another call, reserved. Null when none: the lead stays due.
    /// </summary>
    private AmiServer? ReserveQueueServer()
    {
        foreach (var (server, grant) in _queueGrants.OrderByDescending(g => g.Value.Granted - g.Value.Placed))
        {
            if (grant.Placed < grant.Granted && server.TryReserve())
            {
                grant.Placed++;
                return server;
            }
        }

        return null;
    }

    /// <summary>A planned call that was not claimed or sent after all: its share of the grant may go to another lead this look.</summary>
    private void UnplaceOnQueue(AmiServer server)
    {
        if (_queueGrants.TryGetValue(server, out var grant) && grant.Placed > 0)
        {
            grant.Placed--;
        }
    }

    /// <summary>A call of this campaign is being placed on a server whose queue granted it: measured as the queue's.</summary>
    private void CountOnQueue(long attemptId, AmiServer server)
    {
        if (!_queueGrants.ContainsKey(server))
        {
            return;
        }

        lock (_queueGate)
        {
            _queueInFlight.Add(attemptId);
        }
    }

    /// <summary>The callee answered (the tracker saw it): measured, and the pacer looks again (the store counts the call out
    /// of the queue's calls in flight once its answer is written).</summary>
    public void OnAnswered(CallContext call, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!AgentPaced)
        {
            return;
        }

        lock (_queueGate)
        {
            _measurements.Answered(at - call.StartedAt);
        }

        LeftQueueBudget(call);
        Signal();
    }

    /// <summary>What the follower decided about one of this campaign's answered calls.</summary>
    public void OnQueueFate(CallContext call, QueueCallNews news)
    {
        ArgumentNullException.ThrowIfNull(news);
        lock (_queueGate)
        {
            // The first decision is the one measured (a late call taken later stays late); the agent's connect time
            // is kept for the talk time.
            if (_fated.Add(call.AttemptId))
            {
                _measurements.AgentOutcome(news.AnsweredAt, news.Fate.IsAbandoned());
            }

            if (news.Agent is not null && news.Wait is { } wait)
            {
                _connectedAt[call.AttemptId] = news.AnsweredAt + wait;
            }
        }
    }

    private readonly HashSet<long> _fated = [];
    private readonly Dictionary<long, DateTimeOffset> _connectedAt = [];

    /// <summary>The call ended: its answer (or none) and talk measured.</summary>
    private void OnAgentCallEnded(CallContext? call, CallOutcome outcome, DateTimeOffset at)
    {
        if (call is null || !AgentPaced)
        {
            return;
        }

        lock (_queueGate)
        {
            if (outcome != CallOutcome.Answered && _queueInFlight.Contains(call.AttemptId))
            {
                _measurements.NotAnswered();
            }

            if (_connectedAt.Remove(call.AttemptId, out var connected) && at > connected)
            {
                _measurements.TalkEnded(at - connected);
            }

            _fated.Remove(call.AttemptId);
        }

        LeftQueueBudget(call);
    }

    private void LeftQueueBudget(CallContext call)
    {
        lock (_queueGate)
        {
            _queueInFlight.Remove(call.AttemptId);
        }
    }

    private void SetPacingReason(string? reason)
    {
        var previous = Interlocked.Exchange(ref _pacingReason, reason);
        // Said when the mode of deciding changes (predictive throttled to progressive and back, waiting for agents), not
        // at every look: the figures in the reason change at every call.
        if (Head(previous) != Head(reason) && reason is not null)
        {
            _s.Logger.PacingChanged(CampaignId, reason);
            _s.Publish(new Live.EngineChange(Live.EngineChangeKind.CampaignStatusChanged, _s.Time.GetUtcNow(), CampaignId, Detail: reason));
        }

        static string? Head(string? text) => text?.Split(':', 2)[0];
    }
}
