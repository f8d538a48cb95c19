using AmiDialer.Core.Model;

namespace AmiDialer.Web.E2E.Tests;

public sealed class SetupPageTests
{
    [BrowserFact]
    public async Task The_setup_page_is_reached_from_the_nav_and_shows_each_check_with_how_to_fix_a_missing_destination()
    {
        await using var host = await E2EHost.StartAsync();
        await host.Services.Campaigns.CreateAsync(new Campaign { Name = "sales push", DialTemplate = "Local/{number}@pstn", Destination = new DialplanTarget("sales", "100", 1) }, "test");
        var page = host.Page;
        await host.LoginAsync();

        await page.ClickAsync("nav >> text=Setup");
        await page.WaitForURLAsync(host.BaseUrl + "/setup");

        Assert.StartsWith("1 of 1 server(s) fail a check", await page.InnerTextAsync("#setup-summary"), StringComparison.Ordinal);
        var row = page.Locator("section[data-server=simulator] tr[data-check='dialplan sales,100,1']");
        Assert.Equal("FAIL", await row.GetAttributeAsync("data-result"));
        Assert.Contains("Did not find context sales (used by campaign 'sales push' destination)", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("blocks start", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("OK", await page.Locator("section[data-server=simulator] tr[data-check=login]").GetAttributeAsync("data-result"));
        await host.ScreenshotAsync("setup-missing-destination");

        // Fixed (the campaign points at a place that exists): checking again shows nothing failing.
        var campaign = (await host.Services.Campaigns.GetByNameAsync("sales push"))!;
        await host.Services.Campaigns.UpdateAsync(campaign with { Destination = new DialplanTarget("agents", "100", 1) }, "test");
        await page.ClickAsync("#check-again");
        await page.WaitForFunctionAsync("() => document.querySelector('#setup-summary').innerText.startsWith('Nothing fails')");
        Assert.Equal("OK", await page.Locator("section[data-server=simulator] tr[data-check='dialplan agents,100,1']").GetAttributeAsync("data-result"));
        await host.ScreenshotAsync("setup-ok");
    }
}

public sealed class StartPreflightPageTests
{
    [BrowserFact]
    public async Task Start_of_a_campaign_whose_destination_is_missing_says_why_and_start_anyway_starts_it_after_confirming()
    {
        await using var host = await E2EHost.StartAsync();
        var campaign = await host.Services.Campaigns.CreateAsync(new Campaign { Name = "sales push", DialTemplate = "Local/{number}@pstn", Destination = new DialplanTarget("sales", "100", 1) }, "test");
        var page = host.Page;
        await host.LoginAsync();
        await page.GotoAsync($"{host.BaseUrl}/campaigns/{campaign.Id}");

        await page.ClickAsync("#start");
        await page.WaitForSelectorAsync("#start-anyway");

        var notice = await page.InnerTextAsync("#notice");
        Assert.StartsWith("Campaign 'sales push' was not started: the pre-flight check found what would make its calls fail: simulator dialplan sales,100,1: Asterisk says: Did not find context sales", notice, StringComparison.Ordinal);
        Assert.Equal("draft", await page.InnerTextAsync("#state"));
        Assert.Equal("/setup", await page.GetAttributeAsync("#setup-link", "href"));
        await host.ScreenshotAsync("campaign-start-refused-by-preflight");

        string? asked = null;
        page.Dialog += async (_, dialog) =>
        {
            asked = dialog.Message;
            await dialog.AcceptAsync();
        };
        await page.ClickAsync("#start-anyway");
        await page.WaitForFunctionAsync("() => document.querySelector('#state').innerText === 'running'");
        Assert.Equal("Start although the pre-flight check found what would make its calls fail?", asked);
        Assert.Equal(CampaignState.Running, (await host.Services.Campaigns.GetAsync(campaign.Id))!.State);
    }
}
