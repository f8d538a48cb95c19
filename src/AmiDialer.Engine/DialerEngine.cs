using System.Collections.Concurrent;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.TestHooks;
using AmiDialer.Engine.Dialing;
using AmiDialer.Engine.Live;
using AmiDialer.Engine.Scheduling;
using AmiDialer.Engine.Servers;
using AmiDialer.Engine.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Engine;

/// <summary>
/// The dialing engine. One per process. <see cref="StartAsync"/> connects to the AMI servers; it adopts nothing: an
/// open attempt belongs to the holder of its lease (its campaign's, or the click-to-call lease of the process that placed
/// it), and a dialer adopts its campaign's open attempts once it holds the lease. Then either <see cref="RunCampaignAsync"/> dials one campaign in the foreground
/// (<c>amidialer run</c>), or, started with <c>useScheduler: true</c>, Quartz fires campaign starts and ends and keeps
/// every running campaign dialing (<c>amidialer serve</c>). Live state: <see cref="GetSnapshot"/> and <see cref="Subscribe"/>.
/// </summary>
public sealed class DialerEngine : IAsyncDisposable, ICampaignScheduleTarget
{
    private readonly DialerEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, CampaignDialer> _dialers = new();
    private readonly CancellationTokenSource _stop = new();

    /// <summary>
    /// One <see cref="EnsureDialingAsync"/> at a time: a start job and the supervisor tick (or a resume) both finding no
    /// dialer made two, and this process's own lease let both dial the campaign, each at its full rate.
    /// </summary>
    private readonly SemaphoreSlim _ensuring = new(1, 1);
    private EngineServices? _services;
    private EngineScheduler? _scheduler;
    private int _disposed;
    private CallControl.CallControlService? _callControl;
    private Ownership.NodeHeartbeat? _node;

    public DialerEngine(DialerEngineOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid engine options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger("AmiDialer.Engine");
    }

    public DialerEngineOptions Options => _options;

    /// <summary>Redirect of live calls and click-to-call (see CallControl/); available once started.</summary>
    public CallControl.CallControlService CallControl => _callControl ?? throw new InvalidOperationException("The engine is not started: call StartAsync first.");

    /// <summary>Tests and the engine bench look at the shared services (the writer's batching, for one).</summary>
    internal EngineServices Services => S;

    private EngineServices S => _services ?? throw new InvalidOperationException("The engine is not started: call StartAsync first.");

    /// <summary>
    /// Opens the database, connects to every AMI server and, for serve, starts Quartz. Reads and changes no attempt:
    /// what a previous run left open is adopted by whoever takes its lease (a campaign's dialer; serve's supervisor for
    /// the click-to-call leases of processes that are gone), so a <c>call</c>, a refused <c>run</c> or a second
    /// process never touches calls it does not own. Returns once started; servers that are down keep reconnecting.
    /// </summary>
    public async Task StartAsync(bool useScheduler, CancellationToken cancellationToken = default)
    {
        if (_services is not null)
        {
            throw new InvalidOperationException("The engine is already started.");
        }

        var database = _options.Database ?? await AmiDialerDatabase.OpenAsync(_options.DatabasePath, _loggers.CreateLogger("AmiDialer.Data"), cancellationToken).ConfigureAwait(false);
        var services = new EngineServices(_options, database, _time, _loggers) { Stopping = _stop.Token };

        foreach (var config in _options.Servers)
        {
            var server = new AmiServer(config, _options, _time, _loggers, services.EndCallsAsync);
            // An answer is committed when it is seen: a process that takes the call over later ends it answered.
            server.Tracker.AnswerSeen = (attemptId, at) =>
            {
                services.Writer.MarkAnswered(attemptId, at);
                services.OnAnswerSeen(attemptId, at);
            };
            server.QueueNews = services.OnQueueNewsAsync;
            server.StateChanged += s => services.Publish(new EngineChange(EngineChangeKind.ServerStatusChanged, _time.GetUtcNow(), Detail: s.Name));
            services.Servers.Add(server);
        }

        _services = services;
        // Every engine is a node of the cluster, listed by every node's pages (serve, and run or call while they dial).
        _node = new Ownership.NodeHeartbeat(new Data.Repositories.NodeRepository(database, _time), _options, _time, _logger,
            new Ownership.ServerAgreementWatch([.. services.Servers], _logger));
        await _node.StartAsync(cancellationToken).ConfigureAwait(false);
        services.Keeper.DialedHere = campaignId => _dialers.TryGetValue(campaignId, out var dialer) && dialer.Status != DialerStatus.Refused && dialer.Running is not { IsCompleted: true };
        EngineMetrics.Track(services);
        _callControl = new CallControl.CallControlService(services);
        foreach (var server in services.Servers)
        {
            server.Start([]);
        }

        if (useScheduler)
        {
            var store = _options.SchedulerStore?.OrNode(_options.InstanceName) ?? SchedulerStore.Sqlite(database.Path);
            _scheduler = await EngineScheduler.CreateAsync(store, "engine", this, _time, _options.SupervisorInterval, _logger, cancellationToken).ConfigureAwait(false);
            // Campaigns scheduled while no serve ran (the CLI, another node) get their triggers before anything fires.
            await ReconcileTriggersAsync(cancellationToken).ConfigureAwait(false);
        }

        _logger.EngineStarted(_options.InstanceName, services.Servers.Count, database.Path);
    }

    /// <summary>Waits until every AMI server is logged in (tests, and <c>run</c> before it starts dialing).</summary>
    public Task WaitForServersAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(S.Servers.Select(s => s.WaitUntilConnectedAsync(cancellationToken)));

    /// <summary>
    /// <c>amidialer run</c>: starts a draft, scheduled or paused campaign (or continues a running one) and dials it
    /// in the foreground, honouring its schedule and calling hours. Returns when no lead is in progress and none can
    /// become due before the campaign's end (saying why and when the next lead would have been due), when the end
    /// comes, or when <paramref name="cancellationToken"/> is cancelled (Ctrl-C: the campaign is paused, live calls
    /// finish, then it returns). Throws <see cref="CampaignLeaseException"/> when another process holds the campaign.
    /// </summary>
    public async Task<CampaignRunResult> RunCampaignAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        var services = S;
        var campaign = await services.Campaigns.GetAsync(campaignId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new ArgumentException($"No campaign with id {campaignId}.", nameof(campaignId));
        var dialer = new CampaignDialer(services, campaign, foreground: true);
        // Said before the lease is looked at: taking "our own" lease again would hand it to a second dialer here.
        if (!_dialers.TryAdd(campaignId, dialer)
            && !(_dialers.TryGetValue(campaignId, out var existing) && existing.Status == DialerStatus.Refused && _dialers.TryUpdate(campaignId, dialer, existing)))
        {
            throw new CampaignLeaseException($"Campaign '{campaign.Name}' is already being dialed by this process.") { Holder = _options.InstanceName };
        }

        try
        {
            await dialer.AcquireLeaseAsync(watch: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _dialers.TryRemove(new KeyValuePair<long, CampaignDialer>(campaignId, dialer));
            throw;
        }

        try
        {
            var target = campaign.StartAt is { } start && start > _time.GetUtcNow() ? CampaignState.Scheduled : CampaignState.Running;
            await services.Campaigns.TransitionAsync(campaignId, [CampaignState.Draft, CampaignState.Paused, CampaignState.Scheduled], target, _options.Actor, CancellationToken.None).ConfigureAwait(false);
            return await dialer.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _dialers.TryRemove(new KeyValuePair<long, CampaignDialer>(campaignId, dialer));
        }
    }

    /// <summary>Starts a draft or paused campaign: running now, or scheduled until its start time (serve dials it).</summary>
    public async Task<CampaignState> StartCampaignAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        var services = S;
        var campaign = await services.Campaigns.GetAsync(campaignId, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"No campaign with id {campaignId}.", nameof(campaignId));
        var target = campaign.StartAt is { } start && start > _time.GetUtcNow() ? CampaignState.Scheduled : CampaignState.Running;
        if (!await services.Campaigns.TransitionAsync(campaignId, [CampaignState.Draft, CampaignState.Paused, CampaignState.Scheduled], target, _options.Actor, cancellationToken).ConfigureAwait(false)
            && campaign.State != CampaignState.Running)
        {
            throw new InvalidOperationException($"Campaign '{campaign.Name}' is {campaign.State.ToString().ToLowerInvariant()} and cannot be started.");
        }

        if (_scheduler is not null)
        {
            await _scheduler.ScheduleCampaignAsync(campaignId, target == CampaignState.Scheduled ? campaign.StartAt : null, campaign.EndAt, cancellationToken).ConfigureAwait(false);
            if (target == CampaignState.Running)
            {
                await EnsureDialingAsync(campaignId, cancellationToken).ConfigureAwait(false);
            }
        }

        _logger.CampaignChanged(campaignId, target == CampaignState.Running ? "started" : "scheduled");
        return target;
    }

    /// <summary>No new Originates within a second; live calls finish. Works for a campaign dialed by another process too.</summary>
    public Task PauseCampaignAsync(long campaignId, CancellationToken cancellationToken = default) =>
        ChangeAsync(campaignId, [CampaignState.Running, CampaignState.Scheduled], CampaignState.Paused, "paused", cancellationToken);

    public async Task ResumeCampaignAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await ChangeAsync(campaignId, [CampaignState.Paused], CampaignState.Running, "resumed", cancellationToken).ConfigureAwait(false);
        if (_scheduler is not null)
        {
            await EnsureDialingAsync(campaignId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends the campaign: no new Originates, live calls finish, waiting leads stay as they are.</summary>
    public async Task StopCampaignAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await ChangeAsync(campaignId, [CampaignState.Draft, CampaignState.Scheduled, CampaignState.Running, CampaignState.Paused], CampaignState.Stopped, "stopped", cancellationToken).ConfigureAwait(false);
        if (_scheduler is not null)
        {
            await _scheduler.UnscheduleCampaignAsync(campaignId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Everything live at this instant: campaigns being dialed here, servers, calls in progress.</summary>
    /// <summary>
    /// The queue as this engine follows it on <paramref name="server"/> (its campaigns follow it there); null when it does
    /// not, or has not read it yet: a caller then reads a fresh QueueStatus itself.
    /// </summary>
    public Live.FollowedQueue? FollowedQueue(string server, string queue) =>
        S.Servers.Find(s => s.Name == server)?.FollowedQueue(queue);

    public EngineSnapshot GetSnapshot()
    {
        var services = S;
        var now = _time.GetUtcNow();
        var calls = services.Calls.Values
            .Select(c =>
            {
                var server = services.Servers.FirstOrDefault(s => s.Name == c.Server);
                return new ActiveCall(c.AttemptId, c.Lead.Id, c.CampaignId, c.Lead.PhoneE164, c.Server, c.ChannelId, c.StartedAt, server?.Tracker.CustomerAnsweredAtOf(c.AttemptId));
            })
            .OrderBy(c => c.AttemptId)
            .ToList();
        var campaigns = _dialers.Values.Select(d => d.Snapshot(now)).OrderBy(c => c.CampaignId).ToList();
        var servers = services.Servers.Select(s => new ServerLiveState(s.Name, s.IsConnected, s.Tracker.Count, s.MaxConcurrentCalls, s.Status, s.IsConnected ? s.UnusableReason : null)
        {
            ConfiguredMaxConcurrentCalls = s.ConfiguredMaxConcurrentCalls,
            OthersCalls = s.OthersCalls,
        }).ToList();
        return new EngineSnapshot(now, campaigns, servers, calls);
    }

    /// <summary>Originates sent and calls live for a campaign dialed here, without building a snapshot (the engine bench polls it).</summary>
    internal (long Sent, int Active)? Progress(long campaignId) =>
        _dialers.TryGetValue(campaignId, out var dialer) ? (dialer.OriginatesSent, dialer.Active) : null;

    /// <summary>Transactions the engine's store writer committed, and requests written in them (the engine bench reports both per call).</summary>
    internal (long Commits, long Requests) StoreWrites => S.Writer.Stats;

    /// <summary>
    /// A feed of changes (call started/answered/ended, campaign status, server up/down). Bounded and dropping the
    /// oldest when the reader lags, so it never slows the engine: read <see cref="GetSnapshot"/> for the picture.
    /// </summary>
    public EngineSubscription Subscribe(int capacity = 1024) => S.Changes.Subscribe(capacity);

    /// <summary>The channel of a live call (for Redirect), or null when the call is not live here.</summary>
    public (string Server, string Channel)? FindLiveChannel(long attemptId)
    {
        foreach (var server in S.Servers)
        {
            if (server.Tracker.ChannelNameOf(attemptId) is { } channel)
            {
                return (server.Name, channel);
            }
        }

        return null;
    }

    /// <summary>Sends an action through a named server's AMI client (call control).</summary>
    public Task<Ami.AmiMessage> SendActionAsync(string serverName, Ami.AmiAction action, CancellationToken cancellationToken = default)
    {
        var server = S.Servers.FirstOrDefault(s => s.Name == serverName) ?? throw new ArgumentException($"No AMI server named '{serverName}'.", nameof(serverName));
        return server.SendAsync(action, cancellationToken);
    }

    async Task ICampaignScheduleTarget.OnCampaignStartDueAsync(long campaignId, CancellationToken cancellationToken)
    {
        if (_stop.IsCancellationRequested)
        {
            return; // Still scheduled in the store: the next start's reconciliation sets the trigger again, and it fires at once.
        }

        try
        {
            if (await S.Campaigns.TransitionAsync(campaignId, [CampaignState.Scheduled], CampaignState.Running, _options.Actor, cancellationToken).ConfigureAwait(false))
            {
                _logger.CampaignChanged(campaignId, "started by its schedule");
            }

            await EnsureDialingAsync(campaignId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.ScheduledJobFailed(campaignId, e);
        }
    }

    async Task ICampaignScheduleTarget.OnCampaignEndDueAsync(long campaignId, bool recovering, CancellationToken cancellationToken)
    {
        KillSwitch.Pass(KillSwitch.EndDue);
        try
        {
            var ended = await S.Campaigns.TransitionAsync(campaignId, [CampaignState.Scheduled, CampaignState.Running, CampaignState.Paused], CampaignState.Completed, _options.Actor, cancellationToken).ConfigureAwait(false);
            // Completed already: this may be the run a node recovered from one that died between the two writes, so the
            // leads are expired whoever completed it (as the dialer does when it completes a campaign).
            if (ended || (await S.Campaigns.GetAsync(campaignId, cancellationToken).ConfigureAwait(false))?.State == CampaignState.Completed)
            {
                await S.Leads.ExpireDialableAsync(campaignId, cancellationToken).ConfigureAwait(false);
            }

            if (ended)
            {
                _logger.CampaignChanged(campaignId, "ended by its schedule");
            }

            // Every firing leaves a row, whether or not it changed the state (a dialer may have completed the campaign
            // at the same moment): "fired once in the cluster" is then something an operator, and a test, can check.
            var details = $"fired on {_options.InstanceName}{(recovering ? ", recovering a node that died running it" : "")}; {(ended ? "completed the campaign" : "the campaign was no longer running")}";
            await S.Audit.RecordAsync(_time.GetUtcNow(), _options.Actor, "campaign.end-due", $"campaign:{campaignId}", details, cancellationToken).ConfigureAwait(false);

            if (_dialers.TryGetValue(campaignId, out var dialer))
            {
                dialer.Wake();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.ScheduledJobFailed(campaignId, e);
        }
    }

    async Task ICampaignScheduleTarget.SuperviseAsync(CancellationToken cancellationToken)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        var running = await ReconcileTriggersAsync(cancellationToken).ConfigureAwait(false);
        foreach (var campaign in running.Where(c => c.State == CampaignState.Running))
        {
            await EnsureDialingAsync(campaign.Id, cancellationToken).ConfigureAwait(false);
        }

        // Click-to-calls, and calls of campaigns not running, whose process is gone: followed here to their end.
        await S.Keeper.TakeOverAbandonedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the scheduler's start and end triggers what the store says, whoever wrote it (the CLI, the API, the
    /// pages, another node). Returns the campaigns that may still dial (scheduled, running, paused).
    /// </summary>
    private async Task<IReadOnlyList<Campaign>> ReconcileTriggersAsync(CancellationToken cancellationToken)
    {
        CampaignState[] states = [CampaignState.Scheduled, CampaignState.Running, CampaignState.Paused];
        var live = await S.Campaigns.ListByStateAsync(states, cancellationToken).ConfigureAwait(false);
        if (_scheduler is not null)
        {
            var changed = await _scheduler.ReconcileAsync(live, async ct => await S.Campaigns.ListByStateAsync(states, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (changed > 0)
            {
                _logger.TriggersReconciled(changed);
            }
        }

        return live;
    }

    /// <summary>Serve: makes sure a running campaign has its dialer here, unless another process holds it.</summary>
    private async Task EnsureDialingAsync(long campaignId, CancellationToken cancellationToken)
    {
        if (_stop.IsCancellationRequested)
        {
            return; // Stopping: this process starts nothing new; another one takes the campaign.
        }

        await _ensuring.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureDialingOnceAsync(campaignId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _ensuring.Release();
        }
    }

    private async Task EnsureDialingOnceAsync(long campaignId, CancellationToken cancellationToken)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        if (_dialers.TryGetValue(campaignId, out var existing) && existing.Running is { IsCompleted: false })
        {
            existing.Wake();
            return;
        }

        var services = S;
        var campaign = await services.Campaigns.GetAsync(campaignId, cancellationToken).ConfigureAwait(false);
        if (campaign is null || campaign.State is not (CampaignState.Running or CampaignState.Scheduled))
        {
            return;
        }

        var dialer = new CampaignDialer(services, campaign, foreground: false);
        try
        {
            await dialer.AcquireLeaseAsync(watch: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CampaignLeaseException or CampaignSimulatedException)
        {
            _dialers[campaignId] = dialer; // Shown as refused; the supervisor tries again at its next tick.
            return;
        }

        _dialers[campaignId] = dialer;
        if (_stop.IsCancellationRequested)
        {
            // The stop came while the lease was taken: give it straight back rather than start a dialer nobody awaits.
            await services.Leases.ReleaseAsync(Data.Repositories.LeaseKeys.Campaign(campaignId), _options.InstanceName, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        dialer.Running = Task.Run(() => dialer.RunAsync(_stop.Token), CancellationToken.None);
    }

    private async Task ChangeAsync(long campaignId, IReadOnlyCollection<CampaignState> from, CampaignState to, string what, CancellationToken cancellationToken)
    {
        var services = S;
        var campaign = await services.Campaigns.GetAsync(campaignId, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"No campaign with id {campaignId}.", nameof(campaignId));
        if (campaign.State != to && !await services.Campaigns.TransitionAsync(campaignId, from, to, _options.Actor, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Campaign '{campaign.Name}' is {campaign.State.ToString().ToLowerInvariant()} and cannot be {what}.");
        }

        if (_dialers.TryGetValue(campaignId, out var dialer))
        {
            dialer.Wake();
        }

        _logger.CampaignChanged(campaignId, what);
    }

    /// <summary>
    /// Starts a graceful stop and returns at once (a signal handler calls it): no dialer sends a new Originate from now
    /// on, live calls are followed until they end or <see cref="DialerEngineOptions.ShutdownGrace"/> passes. Stored
    /// campaign states are not changed. <see cref="StopAsync"/> waits for it; calling both is fine.
    /// </summary>
    public void RequestStop() => RequestStop(_options.ShutdownGrace);

    private void RequestStop(TimeSpan grace)
    {
        if (_stop.IsCancellationRequested || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        _services?.SetDrainUntil(_time.GetUtcNow() + grace);
        if (grace > TimeSpan.Zero)
        {
            _node?.Drain();
        }

        _logger.EngineStopping(_options.InstanceName, grace);
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile: already stopped.
        }
    }

    /// <summary>
    /// The graceful stop of serve and of run on SIGTERM: <see cref="RequestStop()"/>, then waits for the live calls (at
    /// most the grace period; the rest is left to the next start's reconciliation), releases the leases, shuts Quartz
    /// down and disconnects. Campaigns stay as they are stored, so another process or node takes them over.
    /// </summary>
    public async Task StopAsync()
    {
        RequestStop();
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops at once (unless <see cref="RequestStop()"/> gave live calls a grace period): no new Originate, the
    /// scheduler and every dialer stopped, leases released, live calls left to Asterisk and reconciliation, then disconnects.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        // No grace unless a stop asked for one: the deadline is set once, by whoever comes first.
        RequestStop(TimeSpan.Zero);
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_scheduler is not null)
        {
            // Nothing fires from now on; a supervisor run in progress sees the stop and starts nothing.
            await _scheduler.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var dialer in _dialers.Values)
        {
            if (dialer.Running is { } running)
            {
                try
                {
                    await running.ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _logger.DialerFailed(dialer.CampaignId, e);
                }
            }
        }

        if (_services is { } services)
        {
            foreach (var server in services.Servers)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            services.ReportHeldEndings();
            // After the servers: no call is followed here any more, so whoever takes the leases may adopt at once.
            await services.Keeper.DisposeAsync().ConfigureAwait(false);
            EngineMetrics.Untrack(services);
            await services.Writer.DisposeAsync().ConfigureAwait(false);
            _callControl?.Complete();
            services.Changes.Complete();
        }

        if (_node is { } node)
        {
            // Last: the other nodes read "stopped" only once this one let go of everything.
            await node.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _logger.EngineStopped(_options.InstanceName);
    }

    /// <summary>Test hook: dies like a killed process: no lease released, no attempt ended, sockets just closed.</summary>
    internal async Task CrashAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        if (_services is { } s)
        {
            s.Crashed = true;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_node is { } node)
        {
            // A killed process writes no last beat: the others see its heartbeat age.
            await node.StopAsync(stopped: false).ConfigureAwait(false);
        }

        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync().ConfigureAwait(false);
        }

        if (_services is { } services)
        {
            await services.Keeper.StopAsync(release: false).ConfigureAwait(false);
            foreach (var server in services.Servers)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            EngineMetrics.Untrack(services);
            await services.Writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
