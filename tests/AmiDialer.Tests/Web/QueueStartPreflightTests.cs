using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;

namespace AmiDialer.Tests.Web;

/// <summary>A queue campaign's start runs the doctor's queue checks: its queue must exist and its destination must run it.</summary>
public sealed class QueueStartPreflightTests
{
    [Fact]
    public async Task A_start_is_refused_when_the_queue_is_missing_and_the_destination_runs_another()
    {
        await using var host = await WebTestHost.StartAsync();
        var campaign = await host.Services.Campaigns.CreateAsync(new Campaign
        {
            Name = "support push", DialTemplate = "Local/{number}@pstn", Destination = new DialplanTarget("queue", "sales", 1), Queue = "support", Pacing = PacingMode.Progressive,
        }, "test");
        using var client = host.WithApiKey();

        using var refused = await client.PostAsync($"/api/campaigns/{campaign.Id}/start", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var refusals = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refusals").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Contains(refusals, r => r.StartsWith("simulator queue support: no queue 'support' on this server", StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.StartsWith("simulator queue support at queue,sales,1: the destination runs Queue(sales), not Queue(support)", StringComparison.Ordinal));
        Assert.Equal(CampaignState.Draft, (await host.Services.Campaigns.GetAsync(campaign.Id))!.State);
    }

    [Fact]
    public async Task A_campaign_on_the_queue_its_destination_runs_starts_without_force()
    {
        await using var host = await WebTestHost.StartAsync();
        var campaign = await host.Services.Campaigns.CreateAsync(new Campaign
        {
            Name = "sales queue", DialTemplate = "Local/{number}@pstn", Destination = new DialplanTarget("queue", "sales", 1), Queue = "sales", Pacing = PacingMode.Predictive,
        }, "test");

        using var start = await host.WithApiKey().PostAsync($"/api/campaigns/{campaign.Id}/start", null);
        Assert.True(start.StatusCode == HttpStatusCode.OK, await start.Content.ReadAsStringAsync());
    }
}
