using AmiDialer.Core.Model;
using Quartz;

namespace AmiDialer.Engine.Scheduling;

/// <summary>
/// The engine's Quartz scheduler, persisted in the application's own SQLite file (Quartz creates its
/// QRTZ_ tables there on first start), so campaign start/end triggers survive a restart.
/// </summary>
internal sealed class EngineScheduler : IAsyncDisposable
{
    internal const string CampaignIdKey = "campaignId";
    private const string TargetKey = "amidialer.engine";
    private const string Group = "campaigns";
    private static readonly JobKey SupervisorKey = new("dialer-supervisor", "engine");

    private readonly IScheduler _scheduler;

    private readonly TimeProvider _timeProvider;

    private EngineScheduler(IScheduler scheduler, TimeProvider timeProvider)
    {
        _scheduler = scheduler;
        _timeProvider = timeProvider;
    }

    public static async Task<EngineScheduler> CreateAsync(
        string databasePath,
        string instanceName,
        ICampaignScheduleTarget target,
        TimeProvider timeProvider,
        TimeSpan supervisorInterval,
        CancellationToken cancellationToken)
    {
        var connectionString = $"Data Source={databasePath};Pooling=True;Default Timeout=30";
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "amidialer-" + instanceName;
                o.IdleWaitTime = TimeSpan.FromSeconds(1);
            });
            q.UseTimeProvider(timeProvider);
            q.UseDefaultThreadPool(4);
            q.UsePersistentStore(store =>
            {
                store.UseSqlite(connectionString);
                store.ProvisionSchema();
                store.UseSystemTextJsonSerializer();
            });
        }).BuildScheduler(cancellationToken).ConfigureAwait(false);

        scheduler.Context.Add(TargetKey, target);
        var engineScheduler = new EngineScheduler(scheduler, timeProvider);
        var supervisor = JobBuilder.Create<DialerSupervisorJob>().WithIdentity(SupervisorKey).Build();
        var trigger = TriggerBuilder.Create(timeProvider)
            .WithIdentity("dialer-supervisor", "engine")
            .StartNow()
            .WithSimpleSchedule(s => s.WithInterval(supervisorInterval).RepeatForever())
            .Build();
        await scheduler.ScheduleJob(supervisor, trigger, new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        return engineScheduler;
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
    public async Task<int> ReconcileAsync(IReadOnlyList<Campaign> live, CancellationToken cancellationToken)
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

        foreach (var (key, want) in wanted)
        {
            await ScheduleOneAsync(want.Job, key.Name, want.CampaignId, want.At, cancellationToken).ConfigureAwait(false);
            changed++;
        }

        return changed;
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
        var job = JobBuilder.Create().OfType(jobType).WithIdentity(name, Group).UsingJobData(CampaignIdKey, campaignId).Build();
        var trigger = TriggerBuilder.Create(_timeProvider)
            .WithIdentity(name, Group)
            .StartAt(at)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await _scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await _scheduler.Shutdown(waitForJobsToComplete: true).ConfigureAwait(false);
}
