using System.Globalization;
using System.Text;
using AmiDialer.Configuration;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Hosting;
using AmiDialer.Simulator;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>
/// The dashboard's and the Cluster page's AMI servers in a real browser, with a second node on the same SQLite file that
/// describes this node's server with another cap and at another settings index, and dials a server of its own: both
/// pages warn naming the keys and the nodes, show each server's calls over every node against the cap in force (the
/// smaller), this node's share, and the servers only the other node dials; when it stops the warning goes.
/// </summary>
public sealed class ClusterServersPageTests
{
    [BrowserFact]
    public async Task The_pages_show_every_node_s_calls_per_server_and_warn_of_a_server_two_nodes_describe_differently()
    {
        await using var host = await E2EHost.StartAsync(withEngine: true);
        var here = host.Services.Engine!.Options.InstanceName;
        var simulator = host.Services.Simulator!;
        // The other node's own Asterisk, real time: numbers ending in 7 answer at once and talk 9.5 s.
        await using var pbx1 = await AmiSimulator.StartAsync(new SimulatorOptions());
        var settings = new AmiDialerSettings();
        settings.Database.Path = host.Services.DatabasePath;
        settings.Ami.Servers =
        [
            new() { Name = "pbx1", Host = "127.0.0.1", Port = pbx1.Port, Username = "dialer", Secret = "dialerpass", MaxConcurrentCalls = 3, OriginatesPerSecond = 50 },
            // This node's "simulator", with 2 where this node says 1000.
            new()
            {
                Name = "simulator", Host = simulator.EndPoint.Address.ToString(), Port = simulator.Port, Username = AppServices.SimulatorLogin.Username,
                Secret = AppServices.SimulatorLogin.Secret, MaxConcurrentCalls = 2,
            },
        ];
        var other = await AppServices.CreateAsync(settings, simulate: false, new AppServicesOptions(), CancellationToken.None);
        var stopped = false;
        try
        {
            var otherEngine = await other.StartEngineAsync(useScheduler: true, CancellationToken.None);
            await otherEngine.WaitForServersAsync();
            var there = otherEngine.Options.InstanceName;
            var found = $"Ami:Servers:0:MaxConcurrentCalls 1000 on node {here}, Ami:Servers:1:MaxConcurrentCalls 2 on node {there}";

            var campaign = await host.Services.Campaigns.CreateAsync(
                new Campaign { Name = "Long calls elsewhere", CallingHours = DailyWindow.AllDay, MaxConcurrentCalls = 10, CallsPerSecond = 5, MaxAttempts = 1 }, "test");
            var csv = Path.Combine(Path.GetTempPath(), "cluster-servers-" + Guid.NewGuid().ToString("N") + ".csv");
            var rows = new StringBuilder("phone\n");
            for (var i = 0; i < 300; i++)
            {
                rows.Append(CultureInfo.InvariantCulture, $"+1415813{i:000}7\n");
            }

            await File.WriteAllTextAsync(csv, rows.ToString());
            try
            {
                Assert.Equal(300, (await new CsvLeadImporter(host.Services.Database, TimeProvider.System).ImportFileAsync(csv, new CsvImportOptions { CampaignId = campaign.Id })).Imported);
            }
            finally
            {
                File.Delete(csv);
            }

            await otherEngine.StartCampaignAsync(campaign.Id);

            await host.LoginAsync();
            var page = host.Page;
            // The dashboard: the warning, this node's server against the smaller cap with its own share, the other node's server full.
            await page.WaitForSelectorAsync("#server-warnings:not([hidden])");
            Assert.Contains(found, await page.InnerTextAsync("#server-warnings"), StringComparison.Ordinal);
            Assert.Contains("until they agree every node claims with the smallest, 2", await page.InnerTextAsync("#server-warnings"), StringComparison.Ordinal);
            await page.WaitForFunctionAsync("() => { var c = document.querySelector(\"tr[data-server='pbx1'] [data-k=inUse]\"); return c && c.textContent === '3 of 3 in use'; }",
                null, new() { Timeout = 60_000 });
            Assert.Matches("^[0-2] of 2 in use, [0-2] by this node$", await page.InnerTextAsync("tr[data-server='simulator'] [data-k=inUse]"));
            Assert.Equal("0", await page.InnerTextAsync("tr[data-server='pbx1'] [data-k=free]"));
            Assert.Equal($"not dialed from this node (node {there})", await page.InnerTextAsync("tr[data-server='pbx1'] td:nth-child(2)"));
            await host.ScreenshotAsync("cluster-servers-01-dashboard");

            // The Cluster page: the same warning by setting, each server with who describes it and how.
            await page.ClickAsync("nav a[href='/cluster']");
            await page.WaitForSelectorAsync("#server-warnings p[data-server='simulator'][data-setting='MaxConcurrentCalls']");
            Assert.Equal("2", await page.InnerTextAsync("tr[data-server='simulator'] [data-k=cap]"));
            Assert.Equal($"{here} 1000 (127.0.0.1:{simulator.Port}), {there} 2 (127.0.0.1:{simulator.Port})", await page.InnerTextAsync("tr[data-server='simulator'] [data-k=nodes]"));
            Assert.Equal($"{there} 3 (127.0.0.1:{pbx1.Port})", await page.InnerTextAsync("tr[data-server='pbx1'] [data-k=nodes]"));
            await page.WaitForFunctionAsync("() => /^[1-3] of 3 in use, 0 by this node$/.test(document.querySelector(\"#server-rows tr[data-server='pbx1'] [data-k=inUse]\").textContent)");
            await host.ScreenshotAsync("cluster-servers-02-cluster-page");

            // The other node stops: its description no longer counts, the warning goes without a reload, this node's cap is its own.
            await other.DisposeAsync();
            stopped = true;
            await page.WaitForSelectorAsync("#server-warnings", new() { State = Microsoft.Playwright.WaitForSelectorState.Hidden, Timeout = 30_000 });
            await page.WaitForFunctionAsync("() => document.querySelector(\"#server-rows tr[data-server='simulator'] [data-k=cap]\").textContent === '1000'");
            await host.ScreenshotAsync("cluster-servers-03-other-node-stopped");
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
