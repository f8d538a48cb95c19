using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>
/// The Agents page and the campaign form's queue and pacing fields in a real browser, over the built-in simulator's
/// queue <c>sales</c> (Agent 201 and Agent 202).
/// </summary>
public sealed class AgentsPageTests
{
    [BrowserFact]
    public async Task An_agent_is_paused_with_a_reason_and_unpaused_from_the_page()
    {
        await using var host = await E2EHost.StartAsync();
        await host.LoginAsync();
        var page = host.Page;
        await page.ClickAsync("nav a[href='/agents']");
        await page.WaitForSelectorAsync("section[data-queue=sales]");
        Assert.Equal("free", await page.GetAttributeAsync("tr[data-agent='Local/201@agentphone']", "data-state"));
        Assert.Equal("2", await page.InnerTextAsync("section[data-queue=sales] [data-figure=free]"));
        await host.ScreenshotAsync("agents-01-free");

        var row = page.Locator("tr[data-agent='Local/201@agentphone']");
        await row.Locator("input[name=reason]").FillAsync("lunch");
        await row.Locator("button[type=submit]").ClickAsync();
        await page.WaitForSelectorAsync("#notice");
        Assert.Equal("Local/201@agentphone is paused in sales.", await page.InnerTextAsync("#notice"));
        Assert.Equal("paused", await page.GetAttributeAsync("tr[data-agent='Local/201@agentphone']", "data-state"));
        Assert.Contains("lunch", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("1", await page.InnerTextAsync("section[data-queue=sales] [data-figure=paused]"));
        await host.ScreenshotAsync("agents-02-paused");

        await row.Locator("button[type=submit]", new() { HasText = "Unpause" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector(\"tr[data-agent='Local/201@agentphone']\").getAttribute('data-state') === 'free'");
        Assert.Equal(["agent.unpause", "agent.pause"], (await host.Services.Audit.ListAsync(subject: "agent:Local/201@agentphone")).Select(e => e.Action));
    }

    [BrowserFact]
    public async Task The_form_refuses_agent_pacing_without_a_queue_on_the_field_and_saves_it_with_one()
    {
        await using var host = await E2EHost.StartAsync();
        await host.LoginAsync();
        var page = host.Page;
        await page.GotoAsync(host.BaseUrl + "/campaigns/new");
        Assert.Equal("fixed", await page.InputValueAsync("#f-pacing"));
        Assert.Equal("1", await page.InputValueAsync("#f-pacingRatio"));

        await page.FillAsync("#f-name", "Paced by agents");
        await page.SelectOptionAsync("#f-pacing", "progressive");
        await page.FillAsync("#f-pacingRatio", "1.5");
        await page.ClickAsync("#save");
        await page.WaitForSelectorAsync("#err-queue");
        Assert.StartsWith("progressive pacing follows the free agents of a queue", await page.InnerTextAsync("#err-queue"), StringComparison.Ordinal);
        Assert.Equal("progressive", await page.InputValueAsync("#f-pacing"));
        await host.ScreenshotAsync("agents-03-form-needs-queue");

        await page.FillAsync("#f-queue", "sales");
        await page.ClickAsync("#save");
        await page.WaitForSelectorAsync("#notice");
        Assert.Contains("progressive: 1.5 call(s) per free agent", await page.ContentAsync(), StringComparison.Ordinal);
        await host.ScreenshotAsync("agents-04-campaign-paced");

        var saved = (await host.Services.Campaigns.ListAsync()).Single(c => c.Name == "Paced by agents");
        Assert.Equal(("sales", Core.Pacing.PacingMode.Progressive, 1.5), (saved.Queue, saved.Pacing, saved.PacingRatio));
    }
}
