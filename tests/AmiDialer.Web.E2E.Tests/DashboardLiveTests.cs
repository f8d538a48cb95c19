using System.Globalization;
using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Testing;
using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>The dashboard in a real browser against the engine and the simulator: its figures move with no reload, and its controls work.</summary>
public sealed class DashboardLiveTests
{
    [BrowserFact]
    public async Task Figures_move_while_a_simulated_campaign_runs_without_a_reload_and_start_and_pause_work_in_place()
    {
        await using var host = await E2EHost.StartAsync(withEngine: true);
        var services = host.Services;
        // Slow on purpose (3 lines, one call a second): the campaign is still running while the page is watched.
        var campaign = await services.Campaigns.CreateAsync(
            new Campaign { Name = "Dashboard live", CallingHours = DailyWindow.AllDay, MaxConcurrentCalls = 3, CallsPerSecond = 1, IsSimulated = true }, "test");
        var idle = await services.Campaigns.CreateAsync(new Campaign { Name = "Dashboard idle", CallingHours = DailyWindow.AllDay, IsSimulated = true }, "test");
        var csv = Path.Combine(Path.GetTempPath(), "dashboard-" + Guid.NewGuid().ToString("N") + ".csv");
        var rows = new StringBuilder("phone,name\n");
        for (var i = 0; i < 300; i++)
        {
            rows.Append(TestCsv.Phone(i)).Append(",Lead ").Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        await File.WriteAllTextAsync(csv, rows.ToString());
        try
        {
            var imported = await new CsvLeadImporter(services.Database, TimeProvider.System).ImportFileAsync(csv, new CsvImportOptions { CampaignId = campaign.Id });
            Assert.Equal(300, imported.Imported);
        }
        finally
        {
            File.Delete(csv);
        }

        await host.LoginAsync();
        var page = host.Page;
        var row = $"tr[data-campaign=\"{campaign.Id}\"]";
        Assert.Equal("draft", await page.InnerTextAsync($"{row} [data-k=state]"));
        Assert.Equal("0", await page.InnerTextAsync($"{row} [data-k=done]"));
        Assert.Equal("—", await page.InnerTextAsync($"{row} [data-k=eta]"));
        Assert.True(await page.IsVisibleAsync($"{row} button[data-command=start]"));
        Assert.False(await page.IsVisibleAsync($"{row} button[data-command=pause]"));
        await host.ScreenshotAsync("20-dashboard-draft");
        // A mark on this document: still there at the end means the page was never reloaded.
        await page.EvaluateAsync("() => { window.__sameDocument = 'yes'; }");

        // Start from the dashboard: the row turns running in place, then its figures move as calls end.
        await page.ClickAsync($"{row} button[data-command=start]");
        await page.WaitForFunctionAsync($"() => document.querySelector('{row} [data-k=state]').textContent === 'running'");
        Assert.True(await page.IsVisibleAsync($"{row} button[data-command=pause]"));
        Assert.False(await page.IsVisibleAsync($"{row} button[data-command=start]"));
        var moving = new PageWaitForFunctionOptions { Timeout = 60_000 };
        await page.WaitForFunctionAsync(
            $"() => {{ const r = document.querySelector('{row}'); return +r.querySelector('[data-k=done]').textContent >= 3 && +r.querySelector('[data-k=callsPerMinute]').textContent > 0 && r.querySelector('[data-k=eta]').textContent.startsWith('about'); }}",
            null, moving);
        var firstDone = int.Parse(await page.InnerTextAsync($"{row} [data-k=done]"), CultureInfo.InvariantCulture);
        await page.WaitForFunctionAsync($"() => +document.querySelector('{row} [data-k=done]').textContent > {firstDone}", null, moving);
        Assert.EndsWith("%", await page.InnerTextAsync($"{row} [data-k=answerRate]"), StringComparison.Ordinal);
        Assert.Equal("draft", await page.InnerTextAsync($"tr[data-campaign=\"{idle.Id}\"] [data-k=state]"));
        await host.ScreenshotAsync("21-dashboard-running");

        // Pause from the dashboard: the stored state changes, the row says paused, and the ETA is withdrawn.
        await page.ClickAsync($"{row} button[data-command=pause]");
        await page.WaitForFunctionAsync($"() => document.querySelector('{row} [data-k=state]').textContent === 'paused'");
        Assert.Equal(CampaignState.Paused, (await services.Campaigns.GetAsync(campaign.Id))!.State);
        await page.WaitForFunctionAsync($"() => document.querySelector('{row} [data-k=eta]').textContent === '—'");
        Assert.True(await page.IsVisibleAsync($"{row} button[data-command=resume]"));
        Assert.False(await page.IsVisibleAsync($"{row} button[data-command=pause]"));
        Assert.True(await page.IsHiddenAsync("#dashboard-error"));
        await host.ScreenshotAsync("22-dashboard-paused");

        // Stop asks first; dismissed, nothing changes.
        void Dismiss(object? sender, IDialog dialog) => _ = dialog.DismissAsync();
        page.Dialog += Dismiss;
        await page.ClickAsync($"{row} button[data-command=stop]");
        page.Dialog -= Dismiss;
        Assert.Equal(CampaignState.Paused, (await services.Campaigns.GetAsync(campaign.Id))!.State);

        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.__sameDocument"));
        Assert.Equal(1, await page.EvaluateAsync<int>("() => performance.getEntriesByType('navigation').length"));
        Assert.Equal(host.BaseUrl + "/", page.Url);
    }
}
