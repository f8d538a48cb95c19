using System.Globalization;
using System.Text;
using AmiDialer.Configuration;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Hosting;
using AmiDialer.Testing;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>
/// The Cluster page and the pages of a node that does not dial, in a real browser: a second engine (another node, its
/// own simulator) on the same SQLite file dials a campaign; the first node's pages list both nodes, say who dials the
/// campaign and show its active calls from the store; when the second node stops, the first shows it stopped.
/// </summary>
public sealed class ClusterPageTests
{
    [BrowserFact]
    public async Task The_cluster_page_lists_both_nodes_and_a_campaign_dialed_by_the_other_node_is_shown_right_here()
    {
        await using var host = await E2EHost.StartAsync(withEngine: true);
        var here = host.Services.Engine!.Options.InstanceName;
        var settings = new AmiDialerSettings();
        settings.Database.Path = host.Services.DatabasePath;
        var other = await AppServices.CreateAsync(settings, simulate: true, new AppServicesOptions { SimulatorTimeScale = 2 }, CancellationToken.None);
        var stopped = false;
        try
        {
            var otherEngine = await other.StartEngineAsync(useScheduler: true, CancellationToken.None);
            await otherEngine.WaitForServersAsync();
            var there = otherEngine.Options.InstanceName;

            // Slow (3 lines, two calls a second, calls of several seconds): it is still dialing while the pages are watched.
            var campaign = await host.Services.Campaigns.CreateAsync(
                new Campaign { Name = "Dialed elsewhere", CallingHours = DailyWindow.AllDay, MaxConcurrentCalls = 3, CallsPerSecond = 2, IsSimulated = true }, "test");
            var csv = Path.Combine(Path.GetTempPath(), "cluster-" + Guid.NewGuid().ToString("N") + ".csv");
            var rows = new StringBuilder("phone,name\n");
            for (var i = 0; i < 200; i++)
            {
                rows.Append(TestCsv.Phone(i)).Append(",Lead ").Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            await File.WriteAllTextAsync(csv, rows.ToString());
            try
            {
                Assert.Equal(200, (await new CsvLeadImporter(host.Services.Database, TimeProvider.System).ImportFileAsync(csv, new CsvImportOptions { CampaignId = campaign.Id })).Imported);
            }
            finally
            {
                File.Delete(csv);
            }

            // Started by the other node, which takes the lease at once; this node's supervisor then finds it held.
            await otherEngine.StartCampaignAsync(campaign.Id);

            await host.LoginAsync();
            var page = host.Page;
            await page.ClickAsync("nav a[href='/cluster']");
            await page.WaitForSelectorAsync($"tr[data-node='{there}'][data-status=live]");
            await page.WaitForFunctionAsync($"() => document.querySelector(\"tr[data-node='{there}']\").textContent.indexOf('Dialed elsewhere') >= 0");
            Assert.Equal("live", await page.GetAttributeAsync($"tr[data-node='{here}']", "data-status"));
            Assert.Contains("this node", await page.InnerTextAsync($"tr[data-node='{here}']"), StringComparison.Ordinal);
            Assert.Equal("2", await page.InnerTextAsync("#nodes-live"));
            await page.WaitForFunctionAsync($"() => !/none$/.test(document.querySelector(\"tr[data-node='{there}'] td:last-child\").textContent)");
            Assert.StartsWith("simulator ", await page.InnerTextAsync($"tr[data-node='{there}'] td:last-child"), StringComparison.Ordinal);
            await host.ScreenshotAsync("cluster-01-two-nodes");

            // The campaign page on this node, which does not dial it: who does, and its calls (from the store) moving.
            await page.ClickAsync($"tr[data-node='{there}'] a[href='/campaigns/{campaign.Id}']");
            await page.WaitForSelectorAsync("#dialed-by");
            Assert.Equal($"dialed by {there} (live)", await page.InnerTextAsync("#dialed-by"));
            await page.WaitForFunctionAsync("() => Number(document.getElementById('active').textContent) > 0");
            await host.ScreenshotAsync("cluster-02-campaign-dialed-by-the-other-node");

            await page.ClickAsync("nav a[href='/']");
            await page.WaitForSelectorAsync($"tr[data-campaign='{campaign.Id}'] [data-k=dialedBy]");
            Assert.Equal($"{there} (live)", await page.InnerTextAsync($"tr[data-campaign='{campaign.Id}'] [data-k=dialedBy]"));
            Assert.Contains("2 node(s) live of 2 listed", await page.InnerTextAsync("#cluster-state"), StringComparison.Ordinal);
            await host.ScreenshotAsync("cluster-03-dashboard-dialed-by");

            // The other node stops: the open Cluster page shows it stopped without a reload, and this node takes the campaign.
            await page.ClickAsync("nav a[href='/cluster']");
            await page.WaitForSelectorAsync($"tr[data-node='{there}']");
            await other.DisposeAsync();
            stopped = true;
            await page.WaitForSelectorAsync($"tr[data-node='{there}'][data-status=stopped]", new() { Timeout = 30_000 });
            Assert.Equal("1", await page.InnerTextAsync("#nodes-live"));
            await page.WaitForFunctionAsync($"() => document.querySelector(\"tr[data-node='{here}']\").textContent.indexOf('Dialed elsewhere') >= 0", null, new() { Timeout = 60_000 });
            await host.ScreenshotAsync("cluster-04-node-stopped-campaign-taken-over");
        }
        finally
        {
            if (!stopped)
            {
                await other.DisposeAsync();
            }
        }
    }
}
