using System.Collections.Concurrent;
using AmiDialer.Engine.Scheduling;
using Microsoft.Data.Sqlite;

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
        await using (var scheduler = await EngineScheduler.CreateAsync(db.Path, "t2", first, TimeProvider.System, TimeSpan.FromMinutes(5), CancellationToken.None))
        {
            await scheduler.ScheduleCampaignAsync(7, DateTimeOffset.UtcNow.AddSeconds(1.5), null, CancellationToken.None);
        }

        await Task.Delay(2000);
        Assert.Empty(first.Started);
        var second = new RecordingTarget();
        await using (await EngineScheduler.CreateAsync(db.Path, "t2", second, TimeProvider.System, TimeSpan.FromMinutes(5), CancellationToken.None))
        {
            await WaitUntil(() => second.Started.Contains(7));
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(8);
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

        public Task OnCampaignEndDueAsync(long campaignId, CancellationToken cancellationToken)
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
