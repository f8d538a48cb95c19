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
}
