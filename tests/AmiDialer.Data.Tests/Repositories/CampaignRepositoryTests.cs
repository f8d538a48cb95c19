using System.Data;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Data.Database;
using AmiDialer.Testing.Postgres;

namespace AmiDialer.Data.Tests.Repositories;

public sealed class CampaignRepositoryTests(PostgresFixture postgres) : StoreTests(postgres)
{
    private static Campaign Full(string name) => new()
    {
        Name = name,
        TimeZoneId = "America/Chicago",
        DialTemplate = "PJSIP/{number}@trunk",
        Destination = new DialplanTarget("agents", "200", 2),
        OnAnswerRedirect = new DialplanTarget("ivr", "s", 1),
        CallerId = "\"Clinic\" <2125550100>",
        RingTimeout = TimeSpan.FromSeconds(25),
        Variables = [new ChannelVariable("CAMPAIGN", "flu", null), new ChannelVariable("APPT", null, "appointment")],
        MaxConcurrentCalls = 7,
        CallsPerSecond = 1.5,
        StartAt = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.FromHours(-6)),
        EndAt = new DateTimeOffset(2026, 12, 31, 18, 0, 0, TimeSpan.Zero),
        Days = [DayOfWeek.Monday, DayOfWeek.Wednesday, DayOfWeek.Friday],
        Windows = [new DailyWindow(TimeSpan.FromHours(9), TimeSpan.FromHours(12)), new DailyWindow(TimeSpan.FromHours(13.5), TimeSpan.FromHours(17))],
        CallingHours = DailyWindow.AllDay,
        RetryPolicy = "busy=5m:3,no-answer=1h:2",
        MaxAttempts = 4,
        IsSimulated = true,
        Queue = "sales",
        Pacing = AmiDialer.Core.Pacing.PacingMode.Predictive,
        PacingRatio = 1.5,
    };

    [Theory, SqliteStore, PostgresStore]
    public async Task Every_setting_survives_a_round_trip(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var created = await db.Campaigns.CreateAsync(Full("flu"), "alice");
        Assert.True(created.Id > 0);
        Assert.Equal(db.Time.GetUtcNow(), created.CreatedAt);

        var read = await db.Campaigns.GetByNameAsync("flu");
        Assert.NotNull(read);
        Assert.Equal(created with { Variables = [], Days = [], Windows = [] }, read with { Variables = [], Days = [], Windows = [] });
        Assert.Equal(created.Variables, read.Variables);
        Assert.Equal(created.Days, read.Days);
        Assert.Equal(created.Windows, read.Windows);
        Assert.Equal(created.StartAt, read.StartAt);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_campaign_stops_following_its_queue_when_updated_so(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var created = await db.Campaigns.CreateAsync(Full("flu"), "alice");
        Assert.True(await db.Campaigns.UpdateAsync(created with { Queue = null, Pacing = AmiDialer.Core.Pacing.PacingMode.Fixed, PacingRatio = 1 }, "bob"));
        var read = await db.Campaigns.GetAsync(created.Id);
        Assert.Equal((null, AmiDialer.Core.Pacing.PacingMode.Fixed, 1.0), (read!.Queue, read.Pacing, read.PacingRatio));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Names_are_unique_updates_apply_and_everything_is_audited(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var created = await db.Campaigns.CreateAsync(Full("flu"), "alice");
        await Assert.ThrowsAsync<DuplicateNameException>(() => db.Campaigns.CreateAsync(new Campaign { Name = "flu" }, "bob"));

        Assert.True(await db.Campaigns.UpdateAsync(created with { MaxConcurrentCalls = 3, Windows = [] }, "bob"));
        var read = await db.Campaigns.GetAsync(created.Id);
        Assert.Equal(3, read!.MaxConcurrentCalls);
        Assert.Empty(read.Windows);
        Assert.False(await db.Campaigns.UpdateAsync(created with { Id = 999 }, "bob"));
        var other = await db.Campaigns.CreateAsync(new Campaign { Name = "measles" }, "carol");
        await Assert.ThrowsAsync<DuplicateNameException>(() => db.Campaigns.UpdateAsync(other with { Name = "flu" }, "carol"));
        Assert.Equal("measles", (await db.Campaigns.GetAsync(other.Id))!.Name);

        var audit = await new AuditLog(db.Database).ListAsync(subject: $"campaign:{created.Id}");
        Assert.Equal(["campaign.update", "campaign.create"], audit.Select(a => a.Action));
        Assert.Equal(["bob", "alice"], audit.Select(a => a.Actor));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_transition_happens_only_from_an_expected_state(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var c = await db.CreateCampaignAsync();
        Assert.True(await db.Campaigns.TransitionAsync(c.Id, [CampaignState.Draft, CampaignState.Paused], CampaignState.Running, "engine"));
        Assert.False(await db.Campaigns.TransitionAsync(c.Id, [CampaignState.Draft], CampaignState.Running, "engine"));
        Assert.True(await db.Campaigns.TransitionAsync(c.Id, [CampaignState.Running], CampaignState.Paused, "cli"));
        Assert.Equal(CampaignState.Paused, (await db.Campaigns.GetAsync(c.Id))!.State);
        Assert.Single(await db.Campaigns.ListByStateAsync([CampaignState.Paused]));
        Assert.Empty(await db.Campaigns.ListByStateAsync([CampaignState.Running]));
        Assert.False(await db.Campaigns.TransitionAsync(12345, [CampaignState.Draft], CampaignState.Running, "engine"));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Creators_of_one_name_at_once_get_one_campaign_and_duplicate_refusals(StoreProvider store)
    {
        await using var db = await OpenAsync(store);

        // Each on its own connection, as nodes are: on PostgreSQL the losers meet the unique index, not the name check.
        var created = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            try
            {
                await db.Campaigns.CreateAsync(new Campaign { Name = "race" }, $"node{i}");
                return true;
            }
            catch (DuplicateNameException)
            {
                return false;
            }
        })));

        Assert.Equal(1, created.Count(c => c));
        Assert.Single(await db.Campaigns.ListAsync(), c => c.Name == "race");
    }
}
