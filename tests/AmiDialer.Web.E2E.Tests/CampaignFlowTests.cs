using AmiDialer.Testing;
using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>The whole journey in a real browser: create, upload, start, watch it complete, read the report.</summary>
public sealed class CampaignFlowTests
{
    [BrowserFact]
    public async Task Create_upload_start_watch_complete_and_see_the_report_chart()
    {
        await using var host = await E2EHost.StartAsync(withEngine: true);
        var page = host.Page;
        await host.LoginAsync();

        // New campaign: a bad value is reported next to its field, nothing is created.
        await page.ClickAsync("#new-campaign");
        await page.FillAsync("#f-name", "E2E demo");
        await page.FillAsync("#f-callingHours", "00:00-24:00");
        await page.FillAsync("#f-maxConcurrentCalls", "20");
        await page.FillAsync("#f-callsPerSecond", "50");
        await page.FillAsync("#f-ringTimeoutSeconds", "5");
        await page.ClickAsync("#save");
        Assert.Contains("at least 15", await page.InnerTextAsync("#err-ringTimeoutSeconds"), StringComparison.Ordinal);
        await host.ScreenshotAsync("03-campaign-validation");
        await page.FillAsync("#f-ringTimeoutSeconds", "20");
        await page.ClickAsync("#save");
        await page.WaitForSelectorAsync("#upload-link");
        Assert.Equal("draft", await page.InnerTextAsync("#state"));

        // Upload: preview first, then the streamed import and its summary.
        await page.ClickAsync("#upload-link");
        await page.SetInputFilesAsync("#file", RepoPaths.Campaign("sample.csv"));
        await page.WaitForSelectorAsync("#detected-phone");
        Assert.Equal("phone", await page.InnerTextAsync("#detected-phone"));
        Assert.Contains("Ada Lovelace", await page.InnerTextAsync("#preview-table"), StringComparison.Ordinal);
        await host.ScreenshotAsync("04-upload-preview");
        await page.ClickAsync("#import");
        await page.WaitForSelectorAsync("#imported");
        Assert.Equal("20", await page.InnerTextAsync("#imported"));
        Assert.Equal("0", await page.InnerTextAsync("#rejected"));
        await host.ScreenshotAsync("05-upload-result");

        // Start and watch the live counts (Server-Sent Events) until every lead is final.
        await page.ClickAsync("#back-to-campaign");
        await page.WaitForSelectorAsync("#start");
        Assert.Equal("20", await page.InnerTextAsync("#leads"));
        await page.ClickAsync("#start");
        await page.WaitForFunctionAsync("() => document.getElementById('pending').textContent === '0' && document.getElementById('attempts').textContent !== '0'",
            null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        await host.ScreenshotAsync("06-campaign-complete");

        // The report: the outcome chart has slices adding up to the 20 leads, and the hour chart has a column with calls.
        await page.ClickAsync("#report-link");
        await page.WaitForSelectorAsync("#outcome-chart svg");
        var slices = await page.Locator("#outcome-chart svg circle.slice").AllAsync();
        Assert.NotEmpty(slices);
        var total = 0L;
        foreach (var slice in slices)
        {
            total += long.Parse((await slice.GetAttributeAsync("data-value"))!, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(20, total);
        Assert.True(await page.Locator("#hour-chart svg g.column").CountAsync() >= 1);
        Assert.Contains("%", await page.InnerTextAsync("#r-answer-rate"), StringComparison.Ordinal);
        Assert.Equal(20, await page.Locator("#leads tbody tr").CountAsync());
        await host.ScreenshotAsync("07-report");
    }
}
