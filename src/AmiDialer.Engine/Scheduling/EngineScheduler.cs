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

    /// <summary>The next fire time of a campaign's start or end trigger, for tests and the live view.</summary>
    public async Task<DateTimeOffset?> NextFireAsync(string kind, long campaignId, CancellationToken cancellationToken)
    {
        var trigger = await _scheduler.GetTrigger(new TriggerKey($"{kind}-{campaignId}", Group), cancellationToken).ConfigureAwait(false);
        return trigger?.NextFireTimeUtc;
    }

    private async Task ScheduleOneAsync<TJob>(string kind, long campaignId, DateTimeOffset? at, CancellationToken cancellationToken)
        where TJob : IJob
    {
        var key = new JobKey($"{kind}-{campaignId}", Group);
        if (at is null)
        {
            await _scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
            return;
        }

        var job = JobBuilder.Create<TJob>().WithIdentity(key).UsingJobData(CampaignIdKey, campaignId).Build();
        var trigger = TriggerBuilder.Create(_timeProvider)
            .WithIdentity($"{kind}-{campaignId}", Group)
            .StartAt(at.Value)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await _scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await _scheduler.Shutdown(waitForJobsToComplete: true).ConfigureAwait(false);
}
