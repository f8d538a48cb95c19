using System.Text;
using AmiDialer.Core.Model;
using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>The upload page in a real browser: Import held back (and why) for a file it would refuse, the bad values of rejected rows, the import history.</summary>
public sealed class UploadRejectsTests
{
    [BrowserFact]
    public async Task Import_waits_for_a_usable_file_and_the_result_shows_bad_values_and_the_history()
    {
        await using var host = await E2EHost.StartAsync();
        var campaign = await host.Services.Campaigns.CreateAsync(new Campaign { Name = "Upload checks", CallingHours = DailyWindow.AllDay, TimeZoneId = "Europe/Paris" }, "test");
        await host.LoginAsync();
        var page = host.Page;
        // Generous bounds: on a loaded machine a page with charts can take more than the default 15 s to load.
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync($"{host.BaseUrl}/campaigns/{campaign.Id}/upload");
        Assert.True(await page.IsVisibleAsync("#no-imports"));

        // A header and no rows: the import would refuse it, so the button stays off and says why.
        await page.SetInputFilesAsync("#file", Csv("header-only.csv", "phone,name\n"));
        await page.WaitForFunctionAsync("() => document.getElementById('import-why').textContent.length > 0 && !document.getElementById('import-why').textContent.startsWith('Reading')");
        Assert.True(await page.IsDisabledAsync("#import"));
        Assert.Equal("Cannot import this file: The file has a header but no rows.", await page.InnerTextAsync("#import-why"));
        await host.ScreenshotAsync("upload-01-refused-file");

        // No column named like a phone: off until one is chosen.
        await page.SetInputFilesAsync("#file", Csv("contacts.csv", "contact,name\n(212) 555-0100,Ada\n"));
        await page.WaitForFunctionAsync("() => document.getElementById('import-why').textContent.startsWith('Choose')");
        Assert.True(await page.IsDisabledAsync("#import"));
        await host.ScreenshotAsync("upload-02-choose-phone-column");
        await page.SelectOptionAsync("#phoneColumn", "contact");
        Assert.False(await page.IsDisabledAsync("#import"));
        Assert.Equal("", await page.InnerTextAsync("#import-why"));

        // A file with a bad number and a row with too many cells: imported, the rejected rows show what was uploaded.
        await page.SetInputFilesAsync("#file", Csv("broken.csv", "phone,name,city\n(212) 555-0100,Ada,NYC\n12,Bob,LA\n(212) 555-0102,Cy,SF,EXTRA1,EXTRA2\n"));
        await page.WaitForSelectorAsync("#detected-phone");
        await page.WaitForFunctionAsync("() => !document.getElementById('import').disabled");
        await page.ClickAsync("#import");
        await page.WaitForSelectorAsync("#import-errors");
        Assert.Equal("1", await page.InnerTextAsync("#imported"));
        Assert.Equal(["12", "EXTRA1 | EXTRA2"], await page.Locator("#import-errors code.bad-value").AllInnerTextsAsync());
        Assert.Equal(["3", "4"], await page.Locator("#import-errors tbody td:first-child").AllInnerTextsAsync());
        await page.WaitForSelectorAsync("#import-history tbody tr[data-import]");
        Assert.Equal(1, await page.Locator("#import-history tbody tr").CountAsync());
        Assert.Contains("broken.csv", await page.InnerTextAsync("#import-history"), StringComparison.Ordinal);
        Assert.Contains("Europe/Paris", await page.InnerTextAsync("#import-history thead"), StringComparison.Ordinal);
        await host.ScreenshotAsync("upload-03-rejected-rows-and-history");

        // The campaign page links to the history.
        await page.GotoAsync($"{host.BaseUrl}/campaigns/{campaign.Id}");
        await page.ClickAsync("#import-history-link");
        await page.WaitForSelectorAsync("#import-history");
        Assert.Equal(1, await page.Locator("#import-history tbody tr").CountAsync());
        Assert.Equal("error CSV", await page.InnerTextAsync("#import-history tbody tr a"));
    }

    private static FilePayload Csv(string name, string text) => new() { Name = name, MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(text) };
}
