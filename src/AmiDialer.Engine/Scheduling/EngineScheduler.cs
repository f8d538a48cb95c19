using AmiDialer.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quartz;

namespace AmiDialer.Engine.Scheduling;

/// <summary>
/// The engine's Quartz scheduler, persisted in the application's own database (<see cref="SchedulerStore"/>: Quartz
/// creates its <c>qrtz_</c> tables there on first start), so campaign start and end triggers survive a restart. On
/// PostgreSQL it is clustered: a trigger fires on one node, and a start or end whose node died while running it is run
/// again by another (the jobs request recovery and are idempotent). The supervisor tick is every node's own work (each
/// node dials the campaigns whose leases it holds), so it is a timer of this process, not a clustered job, which
/// would fire on one node only.
/// </summary>
internal sealed class EngineScheduler : IAsyncDisposable
{
    internal const string CampaignIdKey = "campaignId";
    private const string TargetKey = "amidialer.engine";
    private const string Group = "campaigns";

    /// <summary>Where builds before the node timer kept the supervisor: removed from a store that still has it.</summary>
    private static readonly JobKey LegacySupervisorKey = new("dialer-supervisor", "engine");

    private readonly IScheduler _scheduler;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopSupervisor = new();
    private Task _supervisor = Task.CompletedTask;
    private int _disposed;

    private EngineScheduler(IScheduler scheduler, TimeProvider timeProvider, ILogger logger)
    {
        _scheduler = scheduler;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The scheduler on the SQLite file at <paramref name="databasePath"/> (one process, not clustered).</summary>
    public static Task<EngineScheduler> CreateAsync(
        string databasePath,
        string instanceName,
        ICampaignScheduleTarget target,
        TimeProvider timeProvider,
        TimeSpan supervisorInterval,
        CancellationToken cancellationToken) =>
        CreateAsync(SchedulerStore.Sqlite(databasePath), instanceName, target, timeProvider, supervisorInterval, null, cancellationToken);

    /// <summary>
    /// Builds and starts the scheduler on <paramref name="store"/>, then starts this node's supervisor timer: a first
    /// tick at once, then one every <paramref name="supervisorInterval"/> after the previous one ended.
    /// </summary>
    public static async Task<EngineScheduler> CreateAsync(
        SchedulerStore store,
        string instanceName,
        ICampaignScheduleTarget target,
        TimeProvider timeProvider,
        TimeSpan supervisorInterval,
        ILogger? logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(o =>
            {
                // The cluster is every scheduler with this name on the database; the node is its instance id.
                o.InstanceName = "amidialer-" + instanceName;
                if (store.NodeId is { } node)
                {
                    o.InstanceId = node;
                }

                o.IdleWaitTime = TimeSpan.FromSeconds(1);
            });
            q.UseTimeProvider(timeProvider);
            q.UseDefaultThreadPool(4);
            q.UsePersistentStore(persistent =>
            {
                if (store.IsPostgres)
                {
                    persistent.UsePostgres(store.ConnectionString);
                    persistent.UseClustering(c =>
                    {
                        c.CheckinInterval = store.CheckinInterval;
                        c.CheckinMisfireThreshold = store.CheckinMisfireThreshold;
                    });
                }
                else
                {
                    persistent.UseSqlite(store.ConnectionString);
                }

                persistent.ProvisionSchema();
                persistent.UseSystemTextJsonSerializer();
            });
        }).BuildScheduler(cancellationToken).ConfigureAwait(false);

        scheduler.Context.Add(TargetKey, target);
        var engineScheduler = new EngineScheduler(scheduler, timeProvider, logger ?? NullLogger.Instance);
        await scheduler.DeleteJob(LegacySupervisorKey, cancellationToken).ConfigureAwait(false);
        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        engineScheduler._supervisor = Task.Run(() => engineScheduler.SuperviseAsync(target, supervisorInterval), CancellationToken.None);
        return engineScheduler;
    }

    /// <summary>This node's id in the cluster (Quartz's instance id).</summary>
    public string NodeId => _scheduler.SchedulerInstanceId;

    private async Task SuperviseAsync(ICampaignScheduleTarget target, TimeSpan interval)
    {
        var stop = _stopSupervisor.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // Not cancelled by the stop: a tick in progress finishes (the engine's own stop makes it start nothing).
                await target.SuperviseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (AmiDialer.Data.Database.StoreErrors.IsUnavailable(e))
            {
                // A database restarting or failing over is expected to come back: one line, no stack trace.
                _logger.StoreUnavailableFor("The dialer supervisor's tick", AmiDialer.Data.Database.StoreErrors.Reason(e));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.SupervisorTickFailed(e);
            }

            try
            {
                await Task.Delay(interval, _timeProvider, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal static ICampaignScheduleTarget TargetOf(IJobExecutionContext context) =>
        (ICampaignScheduleTarget)(context.Scheduler.Context[TargetKey]
            ?? throw new InvalidOperationException("The engine is not attached to its scheduler."));

    /// <summary>Sets (or replaces) the triggers of a campaign's start and end; a null time removes that trigger.</summary>
    public async Task ScheduleCampaignAsync(long campaignId, DateTimeOffset? startAt, DateTimeOffset? endAt, CancellationToken cancellationToken)
    {
        await ScheduleOneAsync<CampaignStartJob>("start", campaignId, startAt, cancellationToken).ConfigureAwait(false);
        await ScheduleOneAsync<CampaignEndJob>("end", campaignId, endAt, cancellationToken).ConfigureAwait(false);
    }

    public async Task UnscheduleCampaignAsync(long campaignId, CancellationToken cancellationToken)
    {
        await _scheduler.DeleteJob(new JobKey($"start-{campaignId}", Group), cancellationToken).ConfigureAwait(false);
        await _scheduler.DeleteJob(new JobKey($"end-{campaignId}", Group), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets, moves or removes triggers so they are exactly what <paramref name="live"/> (the campaigns that are
    /// scheduled, running or paused, as stored) calls for: a start trigger for each scheduled campaign, an end trigger for
    /// each with an end time; every other campaign's triggers go. Writes only what differs. Returns how many it changed.
    /// </summary>
    public Task<int> ReconcileAsync(IReadOnlyList<Campaign> live, CancellationToken cancellationToken) =>
        ReconcileAsync(live, reread: null, cancellationToken);

    /// <summary>
    /// As above; a trigger found missing is set only if <paramref name="reread"/> (the same campaigns read again, after the
    /// triggers were) still calls for it. A start or end that just ran (on any node) moved its campaign on before Quartz
    /// removed its trigger, so the second read no longer wants what the first, older one did: without it, a node reading
    /// the campaigns just before that job finished set the trigger again, and it fired a second time.
    /// </summary>
    public async Task<int> ReconcileAsync(IReadOnlyList<Campaign> live, Func<CancellationToken, Task<IReadOnlyList<Campaign>>>? reread, CancellationToken cancellationToken)
    {
        var wanted = Wanted(live);
        var changed = 0;
        var existing = await _scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(Group), cancellationToken).ConfigureAwait(false);
        foreach (var key in existing)
        {
            if (!wanted.TryGetValue(key, out var want))
            {
                await _scheduler.DeleteJob(new JobKey(key.Name, Group), cancellationToken).ConfigureAwait(false);
                changed++;
                continue;
            }

            var trigger = await _scheduler.GetTrigger(key, cancellationToken).ConfigureAwait(false);
            if (trigger is not null && Same(trigger.StartTimeUtc, want.At))
            {
                wanted.Remove(key);
            }
        }

        if (wanted.Count > 0 && reread is not null)
        {
            var now = Wanted(await reread(cancellationToken).ConfigureAwait(false));
            foreach (var (key, want) in wanted.ToList())
            {
                if (!now.TryGetValue(key, out var still) || !Same(still.At, want.At))
                {
                    wanted.Remove(key);
                }
            }
        }

        foreach (var (key, want) in wanted)
        {
            // A node died running this job: Quartz's recovery removed the fired trigger and gave the job a trigger of its
            // own group, which runs it again. Setting ours as well would run it twice (the campaign's state moves on
            // only once the recovered run is done, so until then it still "wants" the trigger that already fired).
            var triggers = await _scheduler.GetTriggersOfJob(new JobKey(key.Name, Group), cancellationToken).ConfigureAwait(false);
            if (triggers.Any(t => t.Key.Group != Group))
            {
                continue;
            }

            await ScheduleOneAsync(want.Job, key.Name, want.CampaignId, want.At, cancellationToken).ConfigureAwait(false);
            changed++;
        }

        return changed;
    }

    /// <summary>The triggers <paramref name="live"/> calls for, by key.</summary>
    private Dictionary<TriggerKey, (Type Job, long CampaignId, DateTimeOffset At)> Wanted(IReadOnlyList<Campaign> live)
    {
        var wanted = new Dictionary<TriggerKey, (Type Job, long CampaignId, DateTimeOffset At)>();
        foreach (var campaign in live)
        {
            if (campaign.State == CampaignState.Scheduled)
            {
                // Scheduled with no start time is not something a writer leaves; start it now rather than never.
                wanted[StartKey(campaign.Id)] = (typeof(CampaignStartJob), campaign.Id, campaign.StartAt ?? _timeProvider.GetUtcNow());
            }

            if (campaign.EndAt is { } end)
            {
                wanted[EndKey(campaign.Id)] = (typeof(CampaignEndJob), campaign.Id, end);
            }
        }

        return wanted;
    }

    /// <summary>The store keeps times to the millisecond or coarser; Quartz to the tick.</summary>
    private static bool Same(DateTimeOffset a, DateTimeOffset b) => (a - b).Duration() < TimeSpan.FromMilliseconds(1);

    private static TriggerKey StartKey(long campaignId) => new($"start-{campaignId}", Group);

    private static TriggerKey EndKey(long campaignId) => new($"end-{campaignId}", Group);

    /// <summary>The next fire time of a campaign's start or end trigger, for tests and the live view.</summary>
    public async Task<DateTimeOffset?> NextFireAsync(string kind, long campaignId, CancellationToken cancellationToken)
    {
        var trigger = await _scheduler.GetTrigger(new TriggerKey($"{kind}-{campaignId}", Group), cancellationToken).ConfigureAwait(false);
        return trigger?.NextFireTimeUtc;
    }

    private async Task ScheduleOneAsync<TJob>(string kind, long campaignId, DateTimeOffset? at, CancellationToken cancellationToken)
        where TJob : IJob
    {
        var name = $"{kind}-{campaignId}";
        if (at is null)
        {
            await _scheduler.DeleteJob(new JobKey(name, Group), cancellationToken).ConfigureAwait(false);
            return;
        }

        await ScheduleOneAsync(typeof(TJob), name, campaignId, at.Value, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One trigger, replacing any of the same name. A time already past fires at once (misfire: fire now), so a start
    /// or end missed while no serve ran still happens.
    /// </summary>
    private async Task ScheduleOneAsync(Type jobType, string name, long campaignId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // Recovery: a node that dies while running a start or an end leaves it to another node, which runs it again
        // (both are idempotent: a transition from the states it leaves, a dialer ensured once).
        var job = JobBuilder.Create().OfType(jobType).WithIdentity(name, Group).UsingJobData(CampaignIdKey, campaignId).RequestRecovery().Build();
        var trigger = TriggerBuilder.Create(_timeProvider)
            .WithIdentity(name, Group)
            .StartAt(at)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await _scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopSupervisor.CancelAsync().ConfigureAwait(false);
        await _supervisor.ConfigureAwait(false);
        await _scheduler.Shutdown(waitForJobsToComplete: true).ConfigureAwait(false);
        _stopSupervisor.Dispose();
    }
}
