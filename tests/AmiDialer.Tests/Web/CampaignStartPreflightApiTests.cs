using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Core.Model;

namespace AmiDialer.Tests.Web;

/// <summary>The API's and the page's start run the pre-flight check: refused with the reasons unless forced.</summary>
public sealed class CampaignStartPreflightApiTests
{
    [Fact]
    public async Task The_api_refuses_a_start_whose_destination_is_missing_with_the_reasons_and_force_starts_it()
    {
        await using var host = await WebTestHost.StartAsync();
        var campaign = await host.Services.Campaigns.CreateAsync(new Campaign { Name = "sales push", DialTemplate = "Local/{number}@pstn", Destination = new DialplanTarget("sales", "100", 1) }, "test");
        using var client = host.WithApiKey();

        using var refused = await client.PostAsync($"/api/campaigns/{campaign.Id}/start", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The pre-flight check refused the start", problem.GetProperty("title").GetString());
        Assert.StartsWith("Campaign 'sales push' was not started", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["simulator dialplan sales,100,1: Asterisk says: Did not find context sales (used by campaign 'sales push' destination) (fix: add it to extensions.conf and `dialplan reload`, or change campaign 'sales push' destination to a place that exists)"],
            problem.GetProperty("refusals").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(CampaignState.Draft, (await host.Services.Campaigns.GetAsync(campaign.Id))!.State);

        using var forced = await client.PostAsync($"/api/campaigns/{campaign.Id}/start?force=true", null);
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.Equal(CampaignState.Running, (await host.Services.Campaigns.GetAsync(campaign.Id))!.State);
    }

    [Fact]
    public async Task The_page_says_why_and_offers_start_anyway_which_starts_it()
    {
        await using var host = await WebTestHost.StartAsync();
        var campaign = await host.Services.Campaigns.CreateAsync(new Campaign { Name = "sales push", DialTemplate = "Local/{number}@pstn", Destination = new DialplanTarget("sales", "100", 1) }, "test");
        var (client, token) = await host.LoggedInAsync();

        using var start = await client.PostAsync($"/campaigns/{campaign.Id}/start", Form(token));
        Assert.Equal(HttpStatusCode.SeeOther, start.StatusCode);
        var at = start.Headers.Location!.OriginalString;
        Assert.StartsWith($"/campaigns/{campaign.Id}?preflight-refused=1&notice=", at, StringComparison.Ordinal);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync(at));
        Assert.Matches("<div class=\"error-box\" role=\"alert\" id=\"notice\">Campaign 'sales push' was not started: [^<]*Did not find context sales[^<]*The Setup page shows every check.</div>", page);
        Assert.Contains("id=\"start-anyway\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"start-anyway\"", await client.GetStringAsync($"/campaigns/{campaign.Id}"), StringComparison.Ordinal);

        using var forced = await client.PostAsync($"/campaigns/{campaign.Id}/start", Form(token, ("force", "true")));
        Assert.Equal(HttpStatusCode.SeeOther, forced.StatusCode);
        Assert.Contains("id=\"state\">running<", await client.GetStringAsync($"/campaigns/{campaign.Id}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_campaign_the_simulator_can_dial_starts_without_force()
    {
        await using var host = await WebTestHost.StartAsync();
        var campaign = await host.Services.Campaigns.CreateAsync(new Campaign { Name = "fine", DialTemplate = "Local/{number}@pstn" }, "test");

        using var start = await host.WithApiKey().PostAsync($"/api/campaigns/{campaign.Id}/start", null);

        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
    }

    private static FormUrlEncodedContent Form(string token, params (string Key, string Value)[] more) =>
        new([new("__RequestVerificationToken", token), .. more.Select(m => new KeyValuePair<string, string>(m.Key, m.Value))]);
}
