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
    public async Task The_engine_view_shows_an_agent_ringing_and_one_talking_on_their_attempts_then_wrapping_up_from_queues_conf()
    {
        // At PBX x5, each state lasts seconds here even on a loaded machine: Agent 201 answers at once and talks 40 s (8 s
        // here), then wraps up 120 s (24 s); Agent 202 never picks up, so the queue rings it 60 s (12 s) at a time. Two
        // callers answer after 2 s of ringing and wait up to 10 minutes: one talks to 201 while the other rings 202.
        var sales = new Simulator.QueueOptions
        {
            Name = "sales",
            WrapUpSeconds = 120,
            TimeoutSeconds = 60,
            AgentTalkSeconds = (40, 40),
            Members = [new("Local/201@agentphone", "Agent 201"), new("Local/202@agentphone", "Agent 202", Answers: false)],
        };
        await using var host = await E2EHost.StartAsync(withEngine: true, simulatorTimeScale: 5, queues: [sales],
            outcomes: new Simulator.OutcomeRules([new("1$", Simulator.SimulatedOutcome.Answered, RingSeconds: 2, TalkSeconds: 600)]));
        var campaign = await host.Services.Campaigns.CreateAsync(new Core.Model.Campaign
        {
            Name = "Sales calls",
            DialTemplate = "Local/{number}@pstn",
            Destination = new Core.Model.DialplanTarget("queue", "sales", 1),
            Queue = "sales",
            MaxConcurrentCalls = 2,
            MaxAttempts = 1,
            CallingHours = Core.Model.DailyWindow.AllDay,
        }, "e2e");
        // Last digit 1: answered after 2 s of ringing.
        var csv = Path.Combine(Path.GetTempPath(), "amidialer-e2e-agents-" + Guid.NewGuid().ToString("N") + ".csv");
        await File.WriteAllTextAsync(csv, "phone\n+14155550101\n+14155550111\n");
        var imported = await new Data.Import.CsvLeadImporter(host.Services.Database, TimeProvider.System).ImportFileAsync(csv, new Data.Import.CsvImportOptions { CampaignId = campaign.Id });
        File.Delete(csv);
        Assert.Equal(2, imported.Imported);
        await host.Services.Campaigns.TransitionAsync(campaign.Id, [Core.Model.CampaignState.Draft], Core.Model.CampaignState.Running, "e2e");

        await host.LoginAsync();
        var page = host.Page;
        // The page reads the engine's follower at each view: looked at again until both agents are on a call of ours.
        await ReloadUntilAsync(page, host.BaseUrl + "/agents",
            "() => document.querySelector(\"tr[data-agent='Local/201@agentphone']\")?.dataset.state === 'talking' && document.querySelector(\"tr[data-agent='Local/202@agentphone']\")?.dataset.state === 'ringing'");
        var source = await page.InnerTextAsync("section[data-queue=sales] [data-source]");
        Assert.Equal("engine", await page.GetAttributeAsync("section[data-queue=sales] [data-source]", "data-source"));
        Assert.Contains("As this node's dialer follows it; wrap-up 120 s", source, StringComparison.Ordinal);
        Assert.Contains("queues.conf", source, StringComparison.Ordinal);
        var attempts = await host.Services.Attempts.ListOpenAsync(campaignId: campaign.Id);
        foreach (var agent in new[] { "201", "202" })
        {
            var onAttempt = await page.InnerTextAsync($"tr[data-agent='Local/{agent}@agentphone'] td:nth-child(6)");
            Assert.Matches("^#\\d+ of Sales calls$", onAttempt);
            Assert.Contains(attempts, a => onAttempt.StartsWith($"#{a.Id} ", StringComparison.Ordinal));
        }

        Assert.NotEqual(await page.InnerTextAsync("tr[data-agent='Local/201@agentphone'] td:nth-child(6)"), await page.InnerTextAsync("tr[data-agent='Local/202@agentphone'] td:nth-child(6)"));
        Assert.Equal("1", await page.InnerTextAsync("section[data-queue=sales] [data-figure=talking]"));
        await host.ScreenshotAsync("agents-05-engine-ringing-and-talking");

        // 201's call ends: it wraps up (no event says so: the follower counts queues.conf's 120 s from its AgentComplete).
        await ReloadUntilAsync(page, host.BaseUrl + "/agents", "() => document.querySelector(\"tr[data-agent='Local/201@agentphone']\")?.dataset.state === 'wrapping-up'");
        Assert.Equal("", (await page.InnerTextAsync("tr[data-agent='Local/201@agentphone'] td:nth-child(6)")).Trim());
        await host.ScreenshotAsync("agents-06-engine-wrapping-up");
    }

    private static async Task ReloadUntilAsync(IPage page, string url, string condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            await page.GotoAsync(url);
            if (await page.EvaluateAsync<bool>(condition))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the Agents page never showed it: " + await page.InnerTextAsync("main"));
            await Task.Delay(150);
        }
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
