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
/// a claim is ended once its calls are attempts; a dialer that dies leaves nothing taken for good.
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
    // The server whose queue paces this campaign this look (its calls go there), how many calls were claimed on it, and
    // the claim to end once they are attempts on disk.
    private AmiServer? _queueServer;
    private int _queueGranted;
    private int _queuePlaced;
    private string? _queueClaimId;

    /// <summary>Why the policy decided as it did last (its mode and figures), for the live view; null for fixed pacing.</summary>
    public string? PacingReason => Volatile.Read(ref _pacingReason);

    private bool AgentPaced => _campaign.Pacing != PacingMode.Fixed && !string.IsNullOrEmpty(_campaign.Queue);

    /// <summary>The policy for the campaign as it is now; a new one when its mode or ratio changed (or at start).</summary>
    private IPacingPolicy PolicyFor(Campaign campaign)
    {
        var fixedCaps = PacingFor(_s.Options);
        if (campaign.Pacing == _pacingMode && campaign.PacingRatio.Equals(_pacingRatio) && _policy is not null)
        {
            return _policy;
        }

        _pacingMode = campaign.Pacing;
        _pacingRatio = campaign.PacingRatio;
        var ratio = campaign.PacingRatio > 0 && double.IsFinite(campaign.PacingRatio) ? campaign.PacingRatio : 1.0;
        var caps = fixedCaps as FixedPacing;
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
    /// The agent-aware decision: the queue's agents on the first usable server that knows it, the store's calls in flight
    /// on it, the policy's answer, and the part of it the budget grants. Null when the campaign is paced by fixed caps.
    /// </summary>
    private async Task<PacingDecision?> DecideByAgentsAsync(DateTimeOffset now)
    {
        _queueServer = null;
        _queueGranted = 0;
        _queuePlaced = 0;
        if (!AgentPaced)
        {
            return null;
        }

        var queue = _campaign.Queue!;
        QueueAgentCounts? counts = null;
        foreach (var server in _s.Servers)
        {
            if (server.IsUsable && server.QueueCounts(queue) is { LoggedIn: > 0 } known)
            {
                (_queueServer, counts) = (server, known);
                break;
            }
        }

        if (_queueServer is null || counts is null)
        {
            SetPacingReason($"waiting for queue {queue}: no logged-in agent seen on a connected server");
            return new PacingDecision(0, null, PacingLimit.Agents, _pacingReason);
        }

        var store = _s.QueueStore;
        var serverName = _queueServer.Name;
        if (!_measurementsSeeded)
        {
            await SeedMeasurementsAsync(now).ConfigureAwait(false);
        }

        await _s.WriteAsync(async () =>
        {
            await store.WriteAgentsAsync(serverName, queue, counts, now, _s.Options.InstanceName, CancellationToken.None).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        var budget = await store.GetBudgetAsync(serverName, queue, CancellationToken.None).ConfigureAwait(false);
        var inFlight = (int)(budget?.InFlight ?? 0);
        // An answered call the follower already sees waiting is in its Waiting: not counted again among the ringing.
        var ringing = inFlight - (int)Math.Min(budget?.Answering ?? 0, counts.Waiting);
        var agents = new AgentFigures(counts.Free, counts.Busy, ringing, counts.Waiting);
        var decision = _pacer.Decide(_policy, _campaign.CallsPerSecond, _campaign.MaxConcurrentCalls, Active, 2 * _s.Options.DialBatchInterval, agents, _measurements.Figures(now));
        SetPacingReason(decision.Reason);
        if (decision.MayStart <= 0)
        {
            return decision;
        }

        // The policy wants inFlight + MayStart on the queue: claim the difference, against every other claimer.
        var claim = await _s.WriteAsync(() => store.ClaimAsync(serverName, queue, decision.MayStart, inFlight + decision.MayStart, _s.Options.InstanceName, CancellationToken.None)).ConfigureAwait(false);
        var granted = claim.Granted;
        _queueGranted = granted;
        _queueClaimId = claim.Id;
        return decision with { MayStart = granted, LimitedBy = granted < decision.MayStart ? PacingLimit.Agents : decision.LimitedBy };
    }

    private bool _measurementsSeeded;

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
    /// After a look: its claim ends. The calls it placed are attempts on disk by now (the claim transaction committed
    /// before they were sent), counted as in flight from them until answered; the grant it did not use goes back.
    /// </summary>
    private async Task EndQueueClaimAsync()
    {
        _queueGranted = 0;
        _queuePlaced = 0;
        if (Interlocked.Exchange(ref _queueClaimId, null) is { } claimId)
        {
            await _s.WriteAsync(async () =>
            {
                await _s.QueueStore.EndClaimAsync(claimId, CancellationToken.None).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
    }

    /// <summary>A call of this campaign is being placed: counted on its queue's budget while the look's grant lasts.</summary>
    private void CountOnQueue(long attemptId)
    {
        if (_queueServer is null || _queuePlaced >= _queueGranted)
        {
            return;
        }

        _queuePlaced++;
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
