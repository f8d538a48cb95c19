using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

public sealed class ClickToCallTests
{
    [BrowserFact]
    public async Task Click_to_call_names_a_bad_field_then_calls_and_shows_the_outcome()
    {
        await using var host = await E2EHost.StartAsync(withEngine: true);
        var page = host.Page;
        await host.LoginAsync();
        await page.ClickAsync("nav >> text=Click-to-call");
        await page.FillAsync("#number", "(212) 555-0100");
        await page.ClickAsync("#call");
        await page.WaitForFunctionAsync("() => document.getElementById('err-agent').textContent.length > 0");

        await page.FillAsync("#agent", "PJSIP/101");
        await page.ClickAsync("#call");
        await page.WaitForFunctionAsync("() => document.getElementById('call-outcome').textContent !== '—' && document.getElementById('call-outcome').textContent !== ''",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.False(string.IsNullOrWhiteSpace(await page.InnerTextAsync("#call-id")));
        // The page shows the call's final state; which outcome the simulator gives a click-to-call is call control's concern.
        Assert.Equal("ended", await page.InnerTextAsync("#call-state"));
        // The recent calls list shows it with the agent, the number and the outcome's words (whose leg).
        var id = (await page.InnerTextAsync("#call-id")).Trim();
        var row = page.Locator("#recent-calls tbody tr", new PageLocatorOptions { HasText = id });
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        var text = await row.InnerTextAsync();
        Assert.Contains("PJSIP/101", text, StringComparison.Ordinal);
        Assert.Contains("+12125550100", text, StringComparison.Ordinal);
        Assert.Contains(await page.InnerTextAsync("#call-outcome"), text, StringComparison.Ordinal);
        Assert.DoesNotContain("Dialing:", await page.ContentAsync(), StringComparison.Ordinal);
        await host.ScreenshotAsync("08-click-to-call");
    }
}
