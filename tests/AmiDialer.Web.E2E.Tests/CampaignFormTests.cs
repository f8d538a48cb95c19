using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>The campaign form in a real browser: zone and wall-time start, variable rows added and removed, the live max-attempts sentence, and the saved notice.</summary>
public sealed class CampaignFormTests
{
    [BrowserFact]
    public async Task Zone_start_variables_and_retry_sentence_are_set_in_the_form_and_saved_with_a_notice()
    {
        await using var host = await E2EHost.StartAsync();
        await host.LoginAsync();
        var page = host.Page;
        await page.GotoAsync(host.BaseUrl + "/campaigns/new");
        Assert.StartsWith("Each number is called once: with no retry rule", await page.InnerTextAsync("#max-attempts-meaning"), StringComparison.Ordinal);
        Assert.Equal("America/New_York", await page.GetAttributeAsync("#time-zones option:first-child", "value"));

        await page.FillAsync("#f-name", "Form in a browser");
        await page.FillAsync("#f-timeZone", "America/Chicago");
        await page.FillAsync("#f-startAt", "2030-07-01T09:00");
        await page.FillAsync("#f-endAt", "2030-07-31T18:30");
        await page.FillAsync("#f-callingHours", "09:00-20:00");

        // The blank row, then two added with the button; the last one removed again.
        var rows = page.Locator("#variable-rows tr");
        Assert.Equal(1, await rows.CountAsync());
        await rows.Nth(0).Locator("input[name=varName]").FillAsync("ACCOUNT");
        await rows.Nth(0).Locator("select[name=varKind]").SelectOptionAsync("field");
        await rows.Nth(0).Locator("input[name=varText]").FillAsync("account");
        await page.ClickAsync("#add-variable");
        await rows.Nth(1).Locator("input[name=varName]").FillAsync("CAMPAIGN");
        await rows.Nth(1).Locator("input[name=varText]").FillAsync("summer");
        await page.ClickAsync("#add-variable");
        await rows.Nth(2).Locator("input[name=varName]").FillAsync("UNWANTED");
        Assert.Equal(3, await rows.CountAsync());
        await rows.Nth(2).Locator(".remove-variable").ClickAsync();
        Assert.Equal(2, await rows.CountAsync());

        // The sentence follows the two fields as they are typed.
        await page.FillAsync("#f-retryPolicy", "busy=5m:3");
        await page.FillAsync("#f-maxAttempts", "2");
        await page.WaitForFunctionAsync("() => document.getElementById('max-attempts-meaning').textContent.startsWith('busy is tried again after 5 minutes')");
        Assert.Contains("Max attempts 2 stops a number sooner", await page.InnerTextAsync("#max-attempts-meaning"), StringComparison.Ordinal);
        await host.ScreenshotAsync("30-campaign-form-filled");

        // A bad variable name is named on its row; what was typed stays.
        await rows.Nth(1).Locator("input[name=varName]").FillAsync("CAMPAIGN-NAME");
        await page.ClickAsync("#save");
        await page.WaitForSelectorAsync("#err-variables-1-name");
        Assert.Contains("must match [A-Za-z_][A-Za-z0-9_]*", await page.InnerTextAsync("#err-variables-1-name"), StringComparison.Ordinal);
        Assert.Equal("2030-07-01T09:00", await page.InputValueAsync("#f-startAt"));
        await host.ScreenshotAsync("31-campaign-form-variable-error");

        await page.Locator("#variable-rows tr").Nth(1).Locator("input[name=varName]").FillAsync("CAMPAIGN");
        await page.ClickAsync("#save");
        await page.WaitForSelectorAsync("#notice");
        Assert.Equal("Campaign Form in a browser saved. Upload its CSV of numbers next.", await page.InnerTextAsync("#notice"));
        Assert.Contains("2030-07-01 09:00 America/Chicago", await page.ContentAsync(), StringComparison.Ordinal);
        await host.ScreenshotAsync("32-campaign-saved");

        var saved = (await host.Services.Campaigns.ListAsync()).Single(c => c.Name == "Form in a browser");
        Assert.Equal(new DateTimeOffset(2030, 7, 1, 14, 0, 0, TimeSpan.Zero), saved.StartAt);
        Assert.Equal(["ACCOUNT<-account", "CAMPAIGN=summer"], saved.Variables.Select(v => v.Field is { } f ? $"{v.Name}<-{f}" : $"{v.Name}={v.Value}"));
        Assert.Equal(2, saved.MaxAttempts);

        // Shown back in the campaign's zone on the edit form, the zone's region first in the suggestions.
        await page.GotoAsync($"{host.BaseUrl}/campaigns/{saved.Id}/edit");
        Assert.Equal("2030-07-01T09:00", await page.InputValueAsync("#f-startAt"));
        Assert.Equal("2030-07-31T18:30", await page.InputValueAsync("#f-endAt"));
        Assert.Equal("America/Chicago", await page.InputValueAsync("#f-timeZone"));
        Assert.Equal(3, await page.Locator("#variable-rows tr").CountAsync());
        await host.ScreenshotAsync("33-campaign-edit");
    }
}
