using AmiDialer.Core.Model;
using AmiDialer.Engine.Live;

namespace AmiDialer.Engine.Tests.Dialing;

public sealed class ServeModeTests
{
    [Fact]
    public async Task Quartz_starts_a_scheduled_campaign_at_its_start_time_and_the_live_feed_reports_its_calls()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 100);
        var campaign = await h.CreateCampaignAsync("served", c => c with { MaxConcurrentCalls = 10, CallsPerSecond = 50 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(30));
        var engine = await h.StartEngineAsync(h.Options("server"), useScheduler: true);
        using var feed = engine.Subscribe();
        // Ahead enough for two writes on a slow machine; nothing below assumes they were quicker than that.
        var startAt = DateTimeOffset.UtcNow.AddSeconds(3);
        Assert.True(await h.Campaigns.UpdateAsync(campaign with { StartAt = startAt }, "test"));

        var state = await engine.StartCampaignAsync(campaign.Id);
        Assert.True(state == CampaignState.Scheduled || DateTimeOffset.UtcNow >= startAt, $"{state} before its start time");
        // "Not before its start time" is read from when the simulator received each Originate (below), not from how
        // much of the wait has passed.

        var ended = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var change in feed.Reader.ReadAllAsync(cts.Token))
        {
            if (change.Kind == EngineChangeKind.CallEnded && ++ended == 30)
            {
                break;
            }
        }

        await PacingTests.WaitUntil(async () => (await h.Campaigns.GetAsync(campaign.Id))!.State == CampaignState.Completed, seconds: 30);
        var originates = h.Simulator.ActionsNamed("Originate");
        Assert.Equal(30, originates.Count);
        Assert.All(originates, o => Assert.True(o.ReceivedAt >= startAt, "dialed before its start time"));
        var summary = await h.Reports.GetSummaryAsync(campaign.Id);
        Assert.Equal(30, summary.LeadsByState.GetValueOrDefault(LeadState.Done));
        var live = engine.GetSnapshot().Campaigns.Single(c => c.CampaignId == campaign.Id);
        Assert.Equal(30, live.OriginatesSent);
        Assert.Equal(15, live.AttemptsByOutcome.GetValueOrDefault(CallOutcome.Answered));
    }

    [Fact]
    public async Task A_graceful_stop_sends_nothing_more_follows_live_calls_to_its_deadline_and_leaves_the_campaign_running()
    {
        // Real time: calls last seconds, so some are still up when the stop's grace (half a second) runs out.
        await using var h = await EngineHarness.StartAsync(timeScale: 1);
        var campaign = await h.CreateCampaignAsync("deployed", c => c with { MaxConcurrentCalls = 5, CallsPerSecond = 10 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(50));
        var options = h.Options("node-a");
        var engine = await h.StartEngineAsync(new DialerEngineOptions
        {
            DatabasePath = options.DatabasePath,
            Servers = options.Servers,
            Simulated = true,
            InstanceName = options.InstanceName,
            SettleTime = options.SettleTime,
            PollInterval = options.PollInterval,
            IdleWait = options.IdleWait,
            SupervisorInterval = options.SupervisorInterval,
            ShutdownGrace = TimeSpan.FromMilliseconds(500),
        }, useScheduler: true);
        Assert.Equal(CampaignState.Running, await engine.StartCampaignAsync(campaign.Id));
        await PacingTests.WaitUntil(() => engine.GetSnapshot().ActiveCalls.Count > 0, seconds: 60);

        engine.RequestStop();
        var sentAtStop = engine.GetSnapshot().Campaigns.Single(c => c.CampaignId == campaign.Id).OriginatesSent;
        await engine.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));

        // Claimed before the stop, at most a batch's worth went out after it; nothing after that.
        var sent = h.Originates().Count;
        Assert.InRange(sent, 1, sentAtStop + 5);
        Assert.True(sent < 50);
        Assert.Equal(CampaignState.Running, (await h.Campaigns.GetAsync(campaign.Id))!.State);
        Assert.Null(await new Data.Repositories.LeaseRepository(h.Database).GetAsync(Data.Repositories.LeaseKeys.Campaign(campaign.Id)));
        // Calls still up when the grace ran out stay open in the store for the next start to reconcile.
        Assert.NotEmpty(await h.Attempts.ListOpenAsync(campaignId: campaign.Id));
    }
}
