using AmiDialer.Core.Model;
using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

public sealed class DncPageTests
{
    [BrowserFact]
    public async Task Dnc_import_lists_each_refused_line_with_its_reason_and_the_scope_is_chosen_on_the_page()
    {
        await using var host = await E2EHost.StartAsync();
        var campaign = await host.Services.Campaigns.CreateAsync(new Campaign { Name = "spring", DialTemplate = "Local/{national}@pstn", CallingHours = DailyWindow.AllDay }, "test");
        var page = host.Page;
        await host.LoginAsync();
        await page.GotoAsync(host.BaseUrl + "/dnc");
        var file = Path.Combine(Path.GetTempPath(), "dnc-" + Guid.NewGuid().ToString("N") + ".csv");
        await File.WriteAllTextAsync(file, "phone\n(907) 555-0161\nnot a number\n12\n+1 907 555 0162\n");
        try
        {
            await page.SelectOptionAsync("#dnc-import-campaign", campaign.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.SetInputFilesAsync("#dnc-file", file);
            await page.ClickAsync("#dnc-import");
            await page.WaitForSelectorAsync("#dnc-import-rejected:not([hidden]) tbody tr", new PageWaitForSelectorOptions { Timeout = 30_000 });
            Assert.StartsWith("2 added, 0 already listed, 2 refused", await page.InnerTextAsync("#dnc-import-result"), StringComparison.Ordinal);
            var rows = await page.Locator("#dnc-import-rejected tbody tr").AllInnerTextsAsync();
            Assert.Equal(2, rows.Count);
            Assert.StartsWith("3\tnot a number\t", rows[0], StringComparison.Ordinal);
            Assert.StartsWith("4\t12\t", rows[1], StringComparison.Ordinal);
            Assert.All(rows, r => Assert.True(r.Split('\t')[2].Length > 3, $"no reason in '{r}'"));
            await host.ScreenshotAsync("dnc-import-refused");

            // Imported for that campaign only: the page's scope filter shows them there.
            var entries = await host.Services.Dnc.ListAsync(campaign.Id);
            Assert.Equal(["+19075550162", "+19075550161"], entries.Select(e => e.Number));
            await page.GotoAsync(host.BaseUrl + $"/dnc?scope={campaign.Id}");
            Assert.Contains("campaign spring", await page.InnerTextAsync("#dnc-list"), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
