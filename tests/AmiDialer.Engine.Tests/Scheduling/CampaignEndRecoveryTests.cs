using AmiDialer.Core.Model;
using AmiDialer.Engine.Scheduling;
using AmiDialer.Engine.Tests.Dialing;

namespace AmiDialer.Engine.Tests.Scheduling;

/// <summary>
/// The end job requests recovery: a node that dies inside it has it run again by another node, so running it again must
/// finish what the first run left and change nothing else.
/// </summary>
public sealed class CampaignEndRecoveryTests
{
    [Fact]
    public async Task An_end_run_again_after_its_node_died_between_the_campaign_and_its_leads_expires_the_leads_once()
    {
        await using var h = await EngineHarness.StartAsync();
        var campaign = await h.CreateCampaignAsync("end-recovered");
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(5));
        var stopped = await h.CreateCampaignAsync("end-stopped");
        await h.ImportAsync(stopped.Id, EngineHarness.Numbers(3, start: 100));
        // The first node completed the campaign, then died before it expired the leads.
        Assert.True(await h.Campaigns.TransitionAsync(campaign.Id, [CampaignState.Draft], CampaignState.Completed, "node-a"));
        Assert.True(await h.Campaigns.TransitionAsync(stopped.Id, [CampaignState.Draft], CampaignState.Stopped, "operator"));
        await using var engine = await h.StartEngineAsync(h.Options("node-b"));
        ICampaignScheduleTarget target = engine;

        await target.OnCampaignEndDueAsync(campaign.Id, recovering: true, CancellationToken.None);
        await target.OnCampaignEndDueAsync(campaign.Id, recovering: false, CancellationToken.None);
        await target.OnCampaignEndDueAsync(stopped.Id, recovering: false, CancellationToken.None);

        var summary = await h.Reports.GetSummaryAsync(campaign.Id);
        Assert.Equal(5, summary.LeadsByState[LeadState.Expired]);
        Assert.Equal(summary.LeadsByState.Where(kv => kv.Value != 0), (await h.Reports.RebuildCountersAsync(campaign.Id)).LeadsByState.Where(kv => kv.Value != 0));
        // A stopped campaign's leads stay as they are: an end only completes what was still live.
        Assert.Equal(3, (await h.Reports.GetSummaryAsync(stopped.Id)).LeadsByState[LeadState.Pending]);
        Assert.Equal(CampaignState.Stopped, (await h.Campaigns.GetAsync(stopped.Id))!.State);

        // Every firing leaves its row, changed or not: "fired once in the cluster" is checked from them.
        var fired = (await new AmiDialer.Data.Repositories.AuditLog(h.Database).ListAsync(50)).Where(e => e.Action == "campaign.end-due").OrderBy(e => e.Id).ToList();
        Assert.Equal([$"campaign:{campaign.Id}", $"campaign:{campaign.Id}", $"campaign:{stopped.Id}"], fired.Select(e => e.Subject));
        Assert.All(fired, e => Assert.Contains("fired on node-b", e.Details, StringComparison.Ordinal));
        Assert.Contains("recovering a node that died", fired[0].Details, StringComparison.Ordinal);
        Assert.DoesNotContain("recovering", fired[1].Details, StringComparison.Ordinal);
    }
}
