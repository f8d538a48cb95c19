using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.Live;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>A campaign the simulator dialed is not taken over by a real engine until an operator requeues it.</summary>
public sealed class SimulatedCampaignTests
{
    [Fact]
    public async Task A_real_engine_refuses_a_campaign_the_simulator_dialed_and_dials_it_once_requeued()
    {
        await using var h = await EngineHarness.StartAsync();
        var campaign = await h.CreateCampaignAsync("sim-then-real");
        Assert.False(campaign.IsSimulated);
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(20));
        var simulated = await h.StartEngineAsync(h.Options("simulated"));
        await simulated.RunCampaignAsync(campaign.Id);
        await simulated.DisposeAsync();
        Assert.True((await h.Campaigns.GetAsync(campaign.Id))!.IsSimulated);
        Assert.Equal(20, h.Originates().Count);

        // Left running, as serve --simulate would leave it: a real serve's supervisor finds it and refuses it.
        Assert.True(await h.Campaigns.TransitionAsync(campaign.Id, [CampaignState.Completed], CampaignState.Running, "test"));
        var real = await h.StartEngineAsync(h.Options("real", simulated: false), useScheduler: true);
        var refused = await WaitForAsync(() => real.GetSnapshot().Campaigns.FirstOrDefault(c => c.CampaignId == campaign.Id && c.Status == DialerStatus.Refused));
        Assert.Contains("campaign requeue sim-then-real --simulated", refused.Message, StringComparison.Ordinal);
        var run = await Assert.ThrowsAsync<CampaignSimulatedException>(() => real.RunCampaignAsync(campaign.Id));
        Assert.Contains("dialed by the simulator", run.Message, StringComparison.Ordinal);
        Assert.Contains(h.Logs.Lines, l => l.Contains("[4019]", StringComparison.Ordinal) && l.Contains("requeue", StringComparison.Ordinal));
        Assert.Null(await new LeaseRepository(h.Database).GetAsync(LeaseKeys.Campaign(campaign.Id)));
        Assert.Equal(20, h.Originates().Count);

        // Requeued: the leads the simulator made final are pending again, the attempts stay, the counters agree.
        var attemptsBefore = (await h.Reports.GetSummaryAsync(campaign.Id)).Attempts;
        var requeued = await new CampaignRequeue(h.Database, TimeProvider.System).SimulatedAsync(campaign.Id, "operator");
        Assert.Equal(20, requeued.LeadsReturned);
        Assert.Equal(CampaignState.Running, requeued.State);
        var summary = await h.Reports.GetSummaryAsync(campaign.Id);
        Assert.Equal(attemptsBefore, summary.Attempts);
        Assert.Equal(summary.LeadsByState.Where(kv => kv.Value != 0), (await h.Reports.RebuildCountersAsync(campaign.Id)).LeadsByState.Where(kv => kv.Value != 0));

        // The real engine's next supervisor tick dials every lead once more, for real.
        await WaitForAsync(async () => (await h.Campaigns.GetAsync(campaign.Id)) is { State: CampaignState.Completed } done ? done : null);
        Assert.Equal(40, h.Originates().Count);
        Assert.Equal(20, h.Originates().Select(o => o.Number).Distinct().Count());
        var lead = (await h.Leads.GetByPhoneAsync(campaign.Id, EngineHarness.Numbers(1).Single()))!;
        var attempts = await h.Attempts.ListByLeadAsync(lead.Id);
        Assert.Equal([true, false], attempts.Select(a => a.IsSimulated));
        Assert.False((await h.Campaigns.GetAsync(campaign.Id))!.IsSimulated);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class => await WaitForAsync(() => Task.FromResult(probe()));

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(50);
        }
    }
}
