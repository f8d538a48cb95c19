using System.Collections.Concurrent;
using AmiDialer.Core.Model;
using AmiDialer.Engine.Scheduling;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Data.Sqlite;
using Quartz;

namespace AmiDialer.Engine.Tests.Scheduling;

public sealed class EngineSchedulerTests
{
    [Fact]
    public async Task Start_and_end_triggers_live_in_the_application_database_and_fire()
    {
        using var db = new TempDatabase();
        var target = new RecordingTarget();
        var now = DateTimeOffset.UtcNow;
        await using (var scheduler = await EngineScheduler.CreateAsync(db.Path, "t1", target, TimeProvider.System, TimeSpan.FromSeconds(1), CancellationToken.None))
        {
            await scheduler.ScheduleCampaignAsync(42, now.AddMilliseconds(300), now.AddMinutes(10), CancellationToken.None);
            Assert.NotNull(await scheduler.NextFireAsync("end", 42, CancellationToken.None));
            await WaitUntil(() => target.Started.Contains(42) && target.Supervised > 0);
        }

        // The trigger rows are in the same file as our own tables, so they survive the process.
        await using var connection = new SqliteConnection($"Data Source={db.Path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = 'end-42'";
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_trigger_missed_while_the_process_was_down_fires_at_the_next_start()
    {
        using var db = new TempDatabase();
        var first = new RecordingTarget();
        // The first process's clock stands still a minute ago, so its trigger cannot come due while it runs, however
        // slow the machine; for the second (the real clock) the start time is long past.
        var then = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-1));
        await using (var scheduler = await EngineScheduler.CreateAsync(db.Path, "t2", first, then, TimeSpan.FromMinutes(5), CancellationToken.None))
        {
            await scheduler.ScheduleCampaignAsync(7, then.GetUtcNow().AddSeconds(1.5), null, CancellationToken.None);
        }

        Assert.Empty(first.Started);
        var second = new RecordingTarget();
        await using (await EngineScheduler.CreateAsync(db.Path, "t2", second, TimeProvider.System, TimeSpan.FromMinutes(5), CancellationToken.None))
        {
            await WaitUntil(() => second.Started.Contains(7));
        }
    }

    [Fact]
    public async Task Reconciling_sets_moves_and_removes_triggers_to_match_the_stored_campaigns()
    {
        using var db = new TempDatabase();
        var target = new RecordingTarget();
        // A clock that stands still: nothing comes due while the test looks at the triggers.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var start = time.GetUtcNow().AddHours(1);
        var end = time.GetUtcNow().AddHours(5);
        await using var scheduler = await EngineScheduler.CreateAsync(db.Path, "t3", target, time, TimeSpan.FromMinutes(5), CancellationToken.None);
        await scheduler.ScheduleCampaignAsync(99, start, end, CancellationToken.None); // a campaign since deleted or stopped

        Campaign[] live =
        [
            Stored(1, CampaignState.Scheduled, start, end),
            Stored(2, CampaignState.Running, null, end),
            Stored(3, CampaignState.Paused, start, null),
        ];
        Assert.Equal(5, await scheduler.ReconcileAsync(live, CancellationToken.None)); // 3 set, 2 of campaign 99 removed
        Assert.Equal(start, await scheduler.NextFireAsync("start", 1, CancellationToken.None));
        Assert.Equal(end, await scheduler.NextFireAsync("end", 1, CancellationToken.None));
        Assert.Null(await scheduler.NextFireAsync("start", 2, CancellationToken.None));
        Assert.Equal(end, await scheduler.NextFireAsync("end", 2, CancellationToken.None));
        Assert.Null(await scheduler.NextFireAsync("start", 3, CancellationToken.None)); // paused: no start until resumed
        Assert.Null(await scheduler.NextFireAsync("start", 99, CancellationToken.None));
        Assert.Null(await scheduler.NextFireAsync("end", 99, CancellationToken.None));

        // Nothing changed: nothing written.
        Assert.Equal(0, await scheduler.ReconcileAsync(live, CancellationToken.None));

        // Another process moved campaign 1's start: the trigger moves with it.
        var later = start.AddMinutes(30);
        Assert.Equal(1, await scheduler.ReconcileAsync([live[0] with { StartAt = later }, live[1], live[2]], CancellationToken.None));
        Assert.Equal(later, await scheduler.NextFireAsync("start", 1, CancellationToken.None));
        Assert.Empty(target.Started);
    }

    [Fact]
    public async Task A_trigger_whose_job_just_ran_is_not_set_again_from_a_read_of_the_campaigns_made_before_it_ran()
    {
        using var db = new TempDatabase();
        var target = new RecordingTarget();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        // The clock stands still before the end: nothing fires while the test looks.
        var end = time.GetUtcNow().AddHours(1);
        await using var scheduler = await EngineScheduler.CreateAsync(db.Path, "t5", target, time, TimeSpan.FromMinutes(5), CancellationToken.None);

        // Read while the campaign was still paused; meanwhile its end ran on another node, completed it, and Quartz
        // removed the fired trigger. What the store says now (completed: not among the live campaigns) wins.
        Campaign[] before = [Stored(5, CampaignState.Paused, null, end)];
        Assert.Equal(0, await scheduler.ReconcileAsync(before, _ => Task.FromResult<IReadOnlyList<Campaign>>([]), CancellationToken.None));
        Assert.Null(await scheduler.NextFireAsync("end", 5, CancellationToken.None));

        // Still wanted on the second read: set.
        Assert.Equal(1, await scheduler.ReconcileAsync(before, _ => Task.FromResult<IReadOnlyList<Campaign>>(before), CancellationToken.None));
        Assert.NotNull(await scheduler.NextFireAsync("end", 5, CancellationToken.None));
    }

    [Fact]
    public async Task A_supervisor_job_left_by_an_older_build_is_removed_and_the_node_timer_supervises_instead()
    {
        using var db = new TempDatabase();
        // An older build kept the supervisor as a Quartz job, of a class this build no longer has.
        var old = await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(o => o.InstanceName = "amidialer-t4");
            q.UsePersistentStore(store =>
            {
                store.UseSqlite($"Data Source={db.Path};Pooling=False");
                store.ProvisionSchema();
                store.UseSystemTextJsonSerializer();
            });
        }).BuildScheduler();
        await old.ScheduleJob(
            JobBuilder.Create<OldSupervisorJob>().WithIdentity("dialer-supervisor", "engine").Build(),
            TriggerBuilder.Create().WithIdentity("dialer-supervisor", "engine").StartNow().WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(1)).RepeatForever()).Build());
        await old.Shutdown();
        await ExecuteAsync(db.Path, "UPDATE QRTZ_JOB_DETAILS SET JOB_CLASS_NAME = 'AmiDialer.Engine.Scheduling.DialerSupervisorJob, AmiDialer.Engine' WHERE JOB_NAME = 'dialer-supervisor'");

        var target = new RecordingTarget();
        await using (await EngineScheduler.CreateAsync(db.Path, "t4", target, TimeProvider.System, TimeSpan.FromMilliseconds(200), CancellationToken.None))
        {
            await WaitUntil(() => Volatile.Read(ref target.Supervised) >= 3);
        }

        Assert.Equal(0L, await ExecuteAsync(db.Path, "SELECT COUNT(*) FROM QRTZ_JOB_DETAILS WHERE JOB_GROUP = 'engine'"));
        Assert.Equal(0L, await ExecuteAsync(db.Path, "SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_GROUP = 'engine'"));
    }

    private static async Task<long> ExecuteAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class OldSupervisorJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }

    private static Campaign Stored(long id, CampaignState state, DateTimeOffset? startAt, DateTimeOffset? endAt) => new()
    {
        Id = id,
        Name = "c" + id,
        State = state,
        StartAt = startAt,
        EndAt = endAt,
    };

    private static async Task WaitUntil(Func<bool> condition)
    {
        // Generous: a loaded machine may be slow to fire, but a trigger that never fires still fails.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }

    private sealed class RecordingTarget : ICampaignScheduleTarget
    {
        public ConcurrentBag<long> Started { get; } = [];
        public ConcurrentBag<long> Ended { get; } = [];
        public int Supervised;

        public Task OnCampaignStartDueAsync(long campaignId, CancellationToken cancellationToken)
        {
            Started.Add(campaignId);
            return Task.CompletedTask;
        }

        public Task OnCampaignEndDueAsync(long campaignId, bool recovering, CancellationToken cancellationToken)
        {
            Ended.Add(campaignId);
            return Task.CompletedTask;
        }

        public Task SuperviseAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Supervised);
            return Task.CompletedTask;
        }
    }
}
