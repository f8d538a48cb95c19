using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

public sealed class ClickToCallTransferTests
{
    [BrowserFact]
    public async Task Transfer_on_a_live_click_to_call_moves_the_customer_and_shows_the_result()
    {
        // Real time: the customer (digit 7) answers at once and talks 9.5 s, long enough to transfer by hand.
        await using var host = await ProductHost.StartAsync(new ProductHostOptions { TimeScale = 1 });
        var page = host.Page;
        await host.LoginAsync();
        await page.ClickAsync("nav >> text=Click-to-call");
        await page.FillAsync("#agent", "PJSIP/101");
        await page.FillAsync("#number", "(415) 813-7447");
        await page.ClickAsync("#call");
        await page.WaitForFunctionAsync("() => document.getElementById('call-id').textContent.length > 0");
        var id = (await page.InnerTextAsync("#call-id")).Trim().TrimStart('#');

        // The customer must have answered before there is a leg to move: wait for it through the API the page uses.
        var answeredBy = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            using var call = System.Text.Json.JsonDocument.Parse(await host.Api.GetStringAsync($"/api/calls/{id}"));
            if (call.RootElement.GetProperty("answeredAt").ValueKind != System.Text.Json.JsonValueKind.Null)
            {
                break;
            }

            Assert.True(DateTimeOffset.UtcNow < answeredBy, $"call {id} was not answered: {call.RootElement}");
            await Task.Delay(50);
        }

        var row = page.Locator($"#recent-calls tbody tr[data-id='{id}']");
        Assert.True(await page.Locator("#transfer-box").IsHiddenAsync());
        await row.Locator("button.transfer").ClickAsync();
        Assert.Equal("#" + id, (await page.InnerTextAsync("#transfer-id")).Trim());
        var options = await page.Locator("#transfer-context option").AllInnerTextsAsync();
        Assert.Equal(["agents", "ivr", "outbound"], options);
        await page.SelectOptionAsync("#transfer-context", "ivr");
        await page.FillAsync("#transfer-exten", "s");
        await host.ScreenshotAsync("c2c-1-transfer-form");
        await page.ClickAsync("#transfer-go");
        await page.WaitForFunctionAsync("() => document.getElementById('transfer-result').textContent.length > 0");
        Assert.Equal($"Call #{id}: the customer was moved to ivr,s,1.", await page.InnerTextAsync("#transfer-result"));
        Assert.True(await page.Locator("#transfer-box").IsHiddenAsync());

        var redirect = Assert.Single(host.Services.Simulator!.ActionsNamed("Redirect"));
        Assert.DoesNotContain("PJSIP/101", redirect["Channel"], StringComparison.Ordinal);
        Assert.Equal("ivr", redirect["Context"]);
        await page.WaitForFunctionAsync($"() => {{ var r = document.querySelector(\"#recent-calls tr[data-id='{id}']\"); return r && r.textContent.indexOf('Customer answered.') >= 0; }}",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await host.ScreenshotAsync("c2c-2-transferred");

        // Ended: no Transfer button any more, and nothing went wrong in the browser.
        Assert.Equal(0, await row.Locator("button.transfer").CountAsync());
        var problems = host.TakeProblems();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.DoesNotContain("Dialing:", await page.ContentAsync(), StringComparison.Ordinal);
    }
}
