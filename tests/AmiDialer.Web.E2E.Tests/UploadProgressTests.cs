using AmiDialer.Testing;
using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>A real-sized list through the upload page: it arrives whole and the page shows how far it has got.</summary>
public sealed class UploadProgressTests
{
    [BrowserFact]
    public async Task A_file_over_a_megabyte_uploads_through_the_page_with_its_progress_shown()
    {
        await using var host = await E2EHost.StartAsync();
        var page = host.Page;
        await host.LoginAsync();
        await page.ClickAsync("#new-campaign");
        await page.FillAsync("#f-name", "Big list");
        await page.FillAsync("#f-callingHours", "00:00-24:00");
        await page.ClickAsync("#save");
        await page.WaitForSelectorAsync("#upload-link");

        var path = Path.Combine(Path.GetTempPath(), $"amidialer-e2e-{Guid.NewGuid():N}.csv");
        try
        {
            int rows;
            await using (var file = File.Create(path))
            {
                rows = TestCsv.WriteLeads(file, 3 << 20);
            }

            await page.ClickAsync("#upload-link");
            await page.SetInputFilesAsync("#file", path);
            await page.WaitForSelectorAsync("#detected-phone");
            Assert.Equal("phone", await page.InnerTextAsync("#detected-phone"));

            // Every state the progress line and bar go through, recorded in the page as it changes.
            await page.EvaluateAsync("""
                () => {
                  window.seen = [];
                  const text = document.getElementById('progress-text'), bar = document.getElementById('upload-progress');
                  const note = () => window.seen.push(text.textContent + ' | ' + bar.value);
                  new MutationObserver(note).observe(text, { childList: true, characterData: true, subtree: true });
                  new MutationObserver(note).observe(bar, { attributes: true });
                }
                """);
            await page.ClickAsync("#import");
            await page.WaitForSelectorAsync("#imported", new PageWaitForSelectorOptions { Timeout = 120_000 });

            Assert.Equal(rows.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.InnerTextAsync("#imported"));
            Assert.Equal("0", await page.InnerTextAsync("#rejected"));
            var seen = await page.EvaluateAsync<string[]>("() => window.seen");
            Assert.Contains(seen, s => s.Contains('%', StringComparison.Ordinal));
            Assert.Equal("done", await page.InnerTextAsync("#progress-text"));
            Assert.Equal(100, await page.EvalOnSelectorAsync<int>("#upload-progress", "e => e.value"));
            await host.ScreenshotAsync("08-large-upload-result");
            Console.WriteLine("Progress seen: " + string.Join(" ; ", seen));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
