using AmiDialer.Core.Model;
using AmiDialer.Engine.Scheduling;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// Serve makes a campaign's dialer from several places at once (its start job on Quartz's thread, the supervisor tick on
/// the node's timer, a resume from the API): however they interleave, one dialer dials it, at the campaign's own rate.
/// </summary>
public sealed class OneDialerPerCampaignTests
{
    [Fact]
    public async Task A_start_job_and_supervisor_ticks_at_the_same_moment_make_one_dialer()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 100);
        var campaign = await h.CreateCampaignAsync("once", c => c with { MaxConcurrentCalls = 10, CallsPerSecond = 50 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(30));
        var engine = await h.StartEngineAsync(h.Options("server"), useScheduler: true);
        Assert.True(await h.Campaigns.TransitionAsync(campaign.Id, [CampaignState.Draft], CampaignState.Scheduled, "test"));

        // What a start job firing and the supervisor's ticks do when they meet: each found no dialer yet, each made one,
        // and the process's own lease let every one of them dial.
        // On threads of their own, as Quartz's and the timer's are (SQLite's calls complete synchronously, so calls
        // made one after another on one thread would never meet).
        ICampaignScheduleTarget target = engine;
        using var go = new ManualResetEventSlim();
        var calls = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            go.Wait();
            return i % 2 == 0 ? target.OnCampaignStartDueAsync(campaign.Id, CancellationToken.None) : target.SuperviseAsync(CancellationToken.None);
        })).ToList();
        go.Set();
        await Task.WhenAll(calls);

        await PacingTests.WaitUntil(async () => (await h.Campaigns.GetAsync(campaign.Id))!.State == CampaignState.Completed, seconds: 60);
        var sent = h.Simulator.ActionsNamed("Originate").Count;
        Assert.Equal(30, sent);
        // The dialer the engine shows sent them all: no other one dialed beside it.
        Assert.Equal(sent, engine.GetSnapshot().Campaigns.Single(c => c.CampaignId == campaign.Id).OriginatesSent);
    }
}
