using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AmiDialer.Simulator;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>
/// Every page on a busy day (<see cref="BusyDay"/>: thousands of leads, a campaign in every state, click-to-call
/// history, a do-not-call list): each renders its data with no 4xx/5xx answer and no console error, its figures are
/// the API's, and a full-page screenshot of each is kept (screenshots/busy-*.png) for a person to review.
/// Assertions hold on ids and numbers, not on layout: other pages change around them.
/// </summary>
public sealed partial class BusyDayTests(ITestOutputHelper output)
{
    [BrowserFact]
    public async Task Every_page_renders_a_busy_days_data_with_the_apis_figures_and_no_errors()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // 600 simulated seconds a real second: a 2-minute call lasts 200 ms; seeded outcomes, as a real list's mix.
        await using var host = await ProductHost.StartAsync(new ProductHostOptions { TimeScale = 600, SimulatorOutcomes = OutcomeRules.RealisticMix(seed: 7) });
        var day = await BusyDay.BuildAsync(host);
        output.WriteLine($"built in {day.BuildTime.TotalSeconds:F1} s");
        var page = host.Page;
        await host.LoginAsync();
        Assert.Empty(host.TakeProblems());

        await VisitAsync(host, "/", "busy-01-dashboard");
        foreach (var c in day.Campaigns)
        {
            var link = page.Locator($"main a[href='/campaigns/{c.Id}']").First;
            Assert.Equal(c.Name, (await link.InnerTextAsync()).Trim());
        }

        var completed = await day.StatusAsync(day.Completed.Id);
        Assert.InRange(completed.GetProperty("leads").GetInt64(), 4900, 5000);
        var n = 2;
        foreach (var c in day.Campaigns)
        {
            await VisitAsync(host, $"/campaigns/{c.Id}", $"busy-{n++:00}-campaign-{c.State}");
            var status = await day.StatusAsync(c.Id);
            Assert.Equal(c.State, (await page.InnerTextAsync("#state")).Trim());
            Assert.Equal(Figure(status, "leads"), Number(await page.InnerTextAsync("#leads")));
            if (c.State == "draft")
            {
                // Its pre-flight section says what the API's does (#24).
                var preflight = await host.Api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{c.Id}/preflight");
                Assert.Equal(Figure(preflight, "dialableNow"), Number(await page.InnerTextAsync("[data-preflight='dialable now']")));
                Assert.Equal(Figure(preflight, "leads"), Number(await page.InnerTextAsync("[data-preflight='leads']")));
            }

            if (c.State != "running")
            {
                // Nothing moves in these: every figure on the page is the API's.
                Assert.Equal(Figure(status, "pending"), Number(await page.InnerTextAsync("#pending")));
                Assert.Equal(Figure(status, "attempts"), Number(await page.InnerTextAsync("#attempts")));
                if (status.GetProperty("outcomeUnknown").GetInt64() is > 0 and var unknown)
                {
                    Assert.Equal(unknown, Number(await page.InnerTextAsync("#outcomeUnknown")));
                }

                foreach (var outcome in status.GetProperty("outcomes").EnumerateObject())
                {
                    Assert.Equal(outcome.Value.GetInt64(), Number(await page.InnerTextAsync($"[data-outcome='{outcome.Name}']")));
                }
            }
        }

        var stopped = day.Campaigns.Single(c => c.State == "stopped");
        Assert.Equal(4, (await day.StatusAsync(stopped.Id)).GetProperty("outcomeUnknown").GetInt64());
        var outcomes = completed.GetProperty("outcomes");
        Assert.True(outcomes.EnumerateObject().Count() >= 5, $"a realistic mix has many outcomes: {outcomes}");
        // The 20 do-not-call numbers among its leads were never dialed: blocked, with no outcome.
        Assert.Equal(20, completed.GetProperty("states").GetProperty("blocked").GetInt64());

        // The big campaign's report: its totals, the first page of leads as the API lists them, then the next page.
        await VisitAsync(host, $"/campaigns/{day.Completed.Id}/report", $"busy-{n++:00}-report-page-1");
        Assert.Equal(Figure(completed, "leads"), Number(await page.InnerTextAsync("#r-leads")));
        Assert.Equal(Figure(completed, "attempts"), Number(await page.InnerTextAsync("#r-attempts")));
        var firstPage = await host.Api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{day.Completed.Id}/leads?limit=5");
        var firstPhone = firstPage.GetProperty("leads")[0].GetProperty("phone").GetString()!;
        Assert.Contains(firstPhone, await page.InnerTextAsync("#leads tbody tr:first-child"), StringComparison.Ordinal);
        var rowsOnPage1 = await page.Locator("#leads tbody tr").CountAsync();
        Assert.True(rowsOnPage1 >= 20, $"{rowsOnPage1} rows on the first page");
        await page.ClickAsync("#next-page");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        AssertNoProblems(host, "report page 2");
        Assert.DoesNotContain(firstPhone, await page.InnerTextAsync("#leads tbody"), StringComparison.Ordinal);
        await host.ScreenshotAsync($"busy-{n++:00}-report-page-2");

        // Upload, with the 5,000-lead file's preview shown.
        await VisitAsync(host, $"/campaigns/{day.Draft.Id}/upload", null);
        await page.SetInputFilesAsync("#file", day.BigCsvPath);
        await page.WaitForSelectorAsync("#preview-table tbody tr");
        Assert.Contains("(415) 813-0000", await page.InnerTextAsync("#preview-table"), StringComparison.Ordinal);
        AssertNoProblems(host, "upload preview");
        await host.ScreenshotAsync($"busy-{n++:00}-upload-preview");

        await VisitAsync(host, "/campaigns/new", $"busy-{n++:00}-campaign-new");
        await VisitAsync(host, $"/campaigns/{day.Running.Id}/edit", $"busy-{n++:00}-campaign-edit");
        Assert.Equal(day.Running.Name, await page.InputValueAsync("[name=name]"));

        await VisitAsync(host, "/calls", $"busy-{n++:00}-click-to-call");
        var calls = await host.Api.GetFromJsonAsync<JsonElement>("/api/calls?limit=50");
        Assert.Equal(day.ClickToCalls.Count, calls.GetProperty("total").GetInt64());
        foreach (var call in calls.GetProperty("calls").EnumerateArray())
        {
            var row = await page.InnerTextAsync($"#recent-calls tr[data-id='{call.GetProperty("id").GetInt64()}']");
            Assert.Contains(call.GetProperty("number").GetString()!, row, StringComparison.Ordinal);
            Assert.Contains(call.GetProperty("outcomeText").GetString()!, row, StringComparison.Ordinal);
        }

        await VisitAsync(host, "/dnc", $"busy-{n++:00}-do-not-call");
        var dnc = await host.Api.GetFromJsonAsync<JsonElement>("/api/dnc?limit=1000");
        Assert.Equal(day.DoNotCall.Count + 30, dnc.GetArrayLength());
        var listed = await page.InnerTextAsync("#dnc-list");
        foreach (var number in day.DoNotCall)
        {
            Assert.Contains(number, listed, StringComparison.Ordinal);
        }

        // The setup page, where this build has one.
        using (var setup = await host.Api.GetAsync("/setup"))
        {
            if (setup.IsSuccessStatusCode)
            {
                await VisitAsync(host, "/setup", $"busy-{n++:00}-setup");
            }
        }

        AssertNoProblems(host, "the end");
        output.WriteLine($"whole test {clock.Elapsed.TotalSeconds:F1} s; screenshots in {Browser.ScreenshotDirectory}");
    }

    /// <summary>Opens the page, waits until it is quiet, asserts nothing went wrong, and takes its screenshot (when named).</summary>
    private static async Task VisitAsync(ProductHost host, string path, string? screenshot)
    {
        var response = await host.Page.GotoAsync(host.BaseUrl + path);
        Assert.NotNull(response);
        Assert.True(response.Status == 200, $"{path}: {response.Status}");
        Assert.Equal(host.BaseUrl + path, host.Page.Url);
        await host.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        AssertNoProblems(host, path);
        if (screenshot is not null)
        {
            await host.ScreenshotAsync(screenshot);
        }
    }

    private static void AssertNoProblems(ProductHost host, string where)
    {
        var problems = host.TakeProblems();
        Assert.True(problems.Count == 0, $"{where}:\n{string.Join("\n", problems)}");
    }

    private static long Figure(JsonElement status, string name) => status.GetProperty(name).GetInt64();

    /// <summary>A count as a page shows it ("4,917", "4917", "4 917").</summary>
    private static long Number(string text)
    {
        var digits = Digits().Match(text);
        Assert.True(digits.Success, $"no number in '{text}'");
        return long.Parse(Regex.Replace(digits.Value, "[^0-9]", ""), CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\d[\d,\u00a0\u202f ]*")]
    private static partial Regex Digits();
}
