using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing;
using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>The campaign page in a real browser: busy attempts count live while their leads wait to retry, and Stop asks first.</summary>
public sealed class CampaignLiveCountsTests
{
    [BrowserFact]
    public async Task Busy_attempts_count_live_the_waiting_lead_is_named_and_stop_asks_first()
    {
        await using var host = await E2EHost.StartAsync();
        var services = host.Services;
        var campaign = await services.Campaigns.CreateAsync(
            new Campaign { Name = "Live counts", CallingHours = DailyWindow.AllDay, RetryPolicy = "busy=2m:3", MaxAttempts = 4 }, "test");
        var imported = await new CsvLeadImporter(services.Database, TimeProvider.System).ImportFileAsync(RepoPaths.Campaign("sample.csv"), new CsvImportOptions { CampaignId = campaign.Id });
        Assert.Equal(20, imported.Imported);

        await host.LoginAsync();
        var page = host.Page;
        await page.GotoAsync($"{host.BaseUrl}/campaigns/{campaign.Id}");
        Assert.Equal("0", await page.InnerTextAsync("[data-attempt-outcome=busy]"));
        Assert.Equal("No lead is waiting for a later time.", await page.InnerTextAsync("#w-none"));

        // Two busy attempts end while the page is open: the attempts column counts them, the leads column stays 0.
        await EndBusyAsync(services.Database, campaign.Id, 2);
        await page.WaitForFunctionAsync("() => document.querySelector('[data-attempt-outcome=busy]').textContent === '2'", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        Assert.Equal("0", await page.InnerTextAsync("[data-outcome=busy]"));
        Assert.Equal("2", await page.InnerTextAsync("#callsPerMinute"));
        // The waiting list refreshes on its own (every 10 s): the retrying leads appear with their reason.
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#w-next tr').length === 2", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.StartsWith("retry not due until ", await page.InnerTextAsync("#w-next tr:first-child td:nth-child(3)"), StringComparison.Ordinal);
        await host.ScreenshotAsync("10-campaign-live-counts");

        // Stop is permanent: dismissing its confirmation leaves the campaign as it was.
        await page.ClickAsync("#start");
        await page.WaitForSelectorAsync("#stop");
        void Dismiss(object? sender, IDialog dialog) => _ = dialog.DismissAsync();
        page.Dialog += Dismiss;
        await page.ClickAsync("#stop");
        page.Dialog -= Dismiss;
        Assert.Equal(CampaignState.Running, (await services.Campaigns.GetAsync(campaign.Id))!.State);
    }

    private static async Task EndBusyAsync(Data.Database.AmiDialerDatabase database, long campaignId, int count)
    {
        var now = DateTimeOffset.UtcNow;
        await using var writer = new AttemptWriter(database);
        foreach (var lead in await new LeadRepository(database).GetDueAsync(campaignId, now, count))
        {
            var claim = new AttemptClaim(lead.Id, "e2e-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "pbx1", false);
            var claimed = (await writer.ClaimAsync([new DialClaim(claim, campaignId, lead.PhoneE164)], now))[0];
            var decision = RetryRules.AfterAttempt([], CallOutcome.Busy, now, RetryPolicy.Parse("busy=2m:3"), 4);
            Assert.True(await writer.EndAsync(new AttemptEnding
            {
                AttemptId = claimed.Attempt!.Id, Outcome = CallOutcome.Busy, EndedAt = now,
                LeadState = decision.State, LeadFinalOutcome = decision.FinalOutcome, LeadNextEligibleAt = decision.RetryAt,
            }));
        }
    }
}
