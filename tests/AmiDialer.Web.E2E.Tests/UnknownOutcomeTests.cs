using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing;
using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>The campaign page's "outcome unknown" card in a real browser: live count, the confirm, the requeue button.</summary>
public sealed class UnknownOutcomeTests
{
    [BrowserFact]
    public async Task The_card_counts_live_and_its_button_requeues_only_after_the_operator_confirms()
    {
        await using var host = await E2EHost.StartAsync();
        var services = host.Services;
        var campaign = await services.Campaigns.CreateAsync(new Campaign { Name = "Unknowns", CallingHours = DailyWindow.AllDay }, "test");
        var imported = await new CsvLeadImporter(services.Database, TimeProvider.System).ImportFileAsync(RepoPaths.Campaign("sample.csv"), new CsvImportOptions { CampaignId = campaign.Id });
        Assert.Equal(20, imported.Imported);
        await EndUnknownAsync(services.Database, campaign.Id, 2);

        await host.LoginAsync();
        var page = host.Page;
        await page.GotoAsync($"{host.BaseUrl}/campaigns/{campaign.Id}");
        Assert.True(await page.IsVisibleAsync("#unknown"));
        Assert.Equal("2", await page.InnerTextAsync("#outcomeUnknown"));
        Assert.Contains("ended while the dialer was down: outcome unknown", await page.InnerTextAsync("#unknown"), StringComparison.OrdinalIgnoreCase);

        // A third one ends while the page is open: the live status (Server-Sent Events) updates the card.
        await EndUnknownAsync(services.Database, campaign.Id, 1);
        await page.WaitForFunctionAsync("() => document.getElementById('outcomeUnknown').textContent === '3'", null, new PageWaitForFunctionOptions { Timeout = 60_000 });

        await host.ScreenshotAsync("09-outcome-unknown");

        // Cancelled at the confirm: nothing is requeued.
        void Dismiss(object? sender, IDialog dialog) => _ = dialog.DismissAsync();
        page.Dialog += Dismiss;
        await page.ClickAsync("#requeue-unknown");
        page.Dialog -= Dismiss;
        Assert.Equal(3, (await services.Reports.GetSummaryAsync(campaign.Id)).LeadsByOutcome.GetValueOrDefault(CallOutcome.Unknown));

        // Confirmed: posted, answered 303 (post/redirect/get) back to the page, which hides the card.
        void Accept(object? sender, IDialog dialog) => _ = dialog.AcceptAsync();
        page.Dialog += Accept;
        var posted = page.WaitForResponseAsync(r => r.Request.Method == "POST" && r.Url.EndsWith("/requeue-unknown", StringComparison.Ordinal));
        await page.ClickAsync("#requeue-unknown");
        Assert.Equal(303, (await posted).Status);
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        await page.WaitForSelectorAsync("#unknown", new PageWaitForSelectorOptions { State = WaitForSelectorState.Hidden });
        Assert.Equal($"{host.BaseUrl}/campaigns/{campaign.Id}", page.Url);
        Assert.False((await services.Reports.GetSummaryAsync(campaign.Id)).LeadsByOutcome.ContainsKey(CallOutcome.Unknown));
    }

    /// <summary>Ends the first due leads as unknown, as the engine does for calls that ended while no dialer was connected.</summary>
    private static async Task EndUnknownAsync(Data.Database.AmiDialerDatabase database, long campaignId, int count)
    {
        var now = DateTimeOffset.UtcNow;
        await using var writer = new AttemptWriter(database);
        foreach (var lead in await new LeadRepository(database).GetDueAsync(campaignId, now, count))
        {
            var claim = new AttemptClaim(lead.Id, "e2e-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "pbx1", false);
            var claimed = (await writer.ClaimAsync([new DialClaim(claim, campaignId, lead.PhoneE164)], now))[0];
            var decision = RetryRules.AfterAttempt([], CallOutcome.Unknown, now, RetryPolicy.None, 3);
            Assert.True(await writer.EndAsync(new AttemptEnding
            {
                AttemptId = claimed.Attempt!.Id, Outcome = CallOutcome.Unknown, EndedAt = now,
                LeadState = decision.State, LeadFinalOutcome = decision.FinalOutcome,
            }));
        }
    }
}
