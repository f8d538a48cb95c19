using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>The report's lead table in a real browser: filter by outcome and number, page through with the filters kept, open a lead's attempts.</summary>
public sealed class ReportFilterTests
{
    private static readonly CallOutcome[] Outcomes = [CallOutcome.Answered, CallOutcome.Busy, CallOutcome.NoAnswer, CallOutcome.Busy, CallOutcome.Congestion];

    [BrowserFact]
    public async Task Filter_page_and_open_a_lead_with_its_attempts()
    {
        await using var host = await E2EHost.StartAsync();
        var services = host.Services;
        var campaign = await services.Campaigns.CreateAsync(new Campaign { Name = "Report filters", CallingHours = DailyWindow.AllDay, TimeZoneId = "America/Chicago" }, "test");
        var csv = Path.Combine(Path.GetTempPath(), $"e2e-report-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(csv, "phone,name\n" + string.Concat(Enumerable.Range(0, 80).Select(i => $"(312) 555-{2000 + i},Customer {i}\n")));
        try
        {
            Assert.Equal(80, (await new CsvLeadImporter(services.Database, TimeProvider.System).ImportFileAsync(csv, new CsvImportOptions { CampaignId = campaign.Id })).Imported);
        }
        finally
        {
            File.Delete(csv);
        }

        // 40 leads called once, with a mix of outcomes; one more busy, retried a minute later and answered.
        // (Claims are only taken once a lead is due, that is after its import: the calls are placed a few minutes ahead.)
        var start = DateTimeOffset.UtcNow.AddMinutes(1);
        var called = await EndAsync(services.Database, campaign.Id, start, 40);
        var twice = (await new LeadRepository(services.Database).GetDueAsync(campaign.Id, start, 1))[0].Id;
        await EndAgainAsync(services.Database, campaign.Id, twice, start.AddMinutes(1), CallOutcome.Busy, RetryPolicy.Parse("busy=1m:1"));
        await EndAgainAsync(services.Database, campaign.Id, twice, start.AddMinutes(5), CallOutcome.Answered, RetryPolicy.None);

        await host.LoginAsync();
        var page = host.Page;
        // Generous bounds: on a loaded machine a page with charts can take more than the default 15 s to load.
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync($"{host.BaseUrl}/campaigns/{campaign.Id}/report");
        Assert.Equal("Page 1 of 4", await page.InnerTextAsync("#page-of"));
        Assert.Equal(25, await page.Locator("#leads tbody tr").CountAsync());
        await host.ScreenshotAsync("report-01-all-leads");

        // Busy leads: 16 of the 40, one page; then pending leads: the 39 never called, two pages.
        var busy = called.Count(c => c.Outcome == CallOutcome.Busy);
        await page.SelectOptionAsync("#filter-outcome", "busy");
        await page.ClickAsync("#filter-apply");
        await page.WaitForURLAsync(u => u.Contains("outcome=busy", StringComparison.Ordinal));
        Assert.Equal($"{busy} leads match", await page.InnerTextAsync("#lead-count"));
        Assert.Equal("Page 1 of 1", await page.InnerTextAsync("#page-of"));
        foreach (var outcome in await page.Locator("#leads tbody tr td:nth-child(4)").AllInnerTextsAsync())
        {
            Assert.Equal("busy", outcome);
        }

        await host.ScreenshotAsync("report-02-filtered-busy");

        await page.SelectOptionAsync("#filter-outcome", "");
        await page.SelectOptionAsync("#filter-state", "pending");
        await page.FillAsync("#filter-q", "312 555 20");
        await page.ClickAsync("#filter-apply");
        await page.WaitForURLAsync(u => u.Contains("state=pending", StringComparison.Ordinal));
        Assert.Equal("39 leads match", await page.InnerTextAsync("#lead-count"));
        await page.ClickAsync("#next-page");
        await page.WaitForURLAsync(u => u.Contains("page=2", StringComparison.Ordinal));
        Assert.Equal("Page 2 of 2", await page.InnerTextAsync("#page-of"));
        Assert.Equal("pending", await page.InputValueAsync("#filter-state"));
        Assert.Equal("312 555 20", await page.InputValueAsync("#filter-q"));
        Assert.Equal(14, await page.Locator("#leads tbody tr").CountAsync());
        await host.ScreenshotAsync("report-03-pending-page-2");
        await page.ClickAsync("#prev-page");
        await page.WaitForURLAsync(u => !u.Contains("page=", StringComparison.Ordinal));
        Assert.Equal("Page 1 of 2", await page.InnerTextAsync("#page-of"));

        // A bad date is refused next to the form, naming the field.
        await page.GotoAsync($"{host.BaseUrl}/campaigns/{campaign.Id}/report?from=tomorrow");
        Assert.StartsWith("Last attempt from:", await page.InnerTextAsync("#filter-error"), StringComparison.Ordinal);
        await host.ScreenshotAsync("report-04-bad-filter");

        // The lead called twice: both attempts, oldest first, in the campaign's zone; back keeps the filter.
        await page.GotoAsync($"{host.BaseUrl}/campaigns/{campaign.Id}/report?outcome=answered");
        await page.ClickAsync($"tr[data-lead='{twice}'] a.lead-link");
        await page.WaitForSelectorAsync("#attempts");
        var outcomes = await page.Locator("#attempts tbody tr td:nth-child(6)").AllInnerTextsAsync();
        Assert.Equal(["busy", "answered"], outcomes);
        Assert.Equal("2", await page.InnerTextAsync("#lead-attempts"));
        Assert.Contains("America/Chicago", await page.InnerTextAsync("h2"), StringComparison.Ordinal);
        await host.ScreenshotAsync("report-05-lead-attempts");
        await page.ClickAsync("#back-to-report");
        await page.WaitForURLAsync(u => u.EndsWith("/report?outcome=answered", StringComparison.Ordinal));
    }

    private static async Task<List<(long LeadId, CallOutcome Outcome)>> EndAsync(Data.Database.AmiDialerDatabase database, long campaignId, DateTimeOffset now, int count)
    {
        var ended = new List<(long, CallOutcome)>();
        await using var writer = new AttemptWriter(database);
        var i = 0;
        foreach (var lead in await new LeadRepository(database).GetDueAsync(campaignId, now, count))
        {
            var outcome = Outcomes[i++ % Outcomes.Length];
            await EndOneAsync(writer, campaignId, lead.Id, lead.PhoneE164, now, outcome, RetryPolicy.None);
            ended.Add((lead.Id, outcome));
        }

        return ended;
    }

    private static async Task EndAgainAsync(Data.Database.AmiDialerDatabase database, long campaignId, long leadId, DateTimeOffset now, CallOutcome outcome, RetryPolicy policy)
    {
        await using var writer = new AttemptWriter(database);
        var lead = (await new LeadRepository(database).GetAsync(leadId))!;
        await EndOneAsync(writer, campaignId, lead.Id, lead.PhoneE164, now, outcome, policy);
    }

    private static async Task EndOneAsync(AttemptWriter writer, long campaignId, long leadId, string phone, DateTimeOffset now, CallOutcome outcome, RetryPolicy policy)
    {
        var claim = new AttemptClaim(leadId, "e2e-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "pbx1", false);
        var claimed = (await writer.ClaimAsync([new DialClaim(claim, campaignId, phone)], now))[0];
        Assert.Equal(DialClaimStatus.Claimed, claimed.Status);
        var decision = RetryRules.AfterAttempt([], outcome, now, policy, 3);
        Assert.True(await writer.EndAsync(new AttemptEnding
        {
            AttemptId = claimed.Attempt!.Id, Outcome = outcome, EndedAt = now, AnsweredAt = outcome == CallOutcome.Answered ? now : null,
            TalkSeconds = outcome == CallOutcome.Answered ? 42 : null, LeadState = decision.State, LeadFinalOutcome = decision.FinalOutcome,
            LeadNextEligibleAt = decision.RetryAt,
        }));
    }
}
