namespace AmiDialer.Web.E2E.Tests;

/// <summary>A reload after a form never sends the form again: every POST lands on a GET page.</summary>
public sealed class PostRedirectGetTests
{
    [BrowserFact]
    public async Task Reloading_after_adding_a_do_not_call_number_does_not_add_it_again()
    {
        await using var host = await E2EHost.StartAsync();
        await host.LoginAsync();
        await host.Page.GotoAsync(host.BaseUrl + "/dnc");
        await host.Page.FillAsync("#dnc-number", "+1 720 555 0199");
        await host.Page.ClickAsync("#dnc-add");
        await host.Page.WaitForSelectorAsync("#notice");
        Assert.Equal("+17205550199 is on the do-not-call list.", await host.Page.InnerTextAsync("#notice"));
        Assert.StartsWith(host.BaseUrl + "/dnc?notice=", host.Page.Url, StringComparison.Ordinal);
        await host.ScreenshotAsync("prg-01-dnc-added");

        // Someone else takes the number off meanwhile; a reload that re-posted the form would put it back.
        Assert.True(await host.Services.Dnc.RemoveAsync("+17205550199", null, "test", "e2e"));
        var posts = 0;
        host.Page.Request += (_, request) => posts += request.Method == "POST" ? 1 : 0;
        await host.Page.ReloadAsync();
        Assert.Equal(0, posts);
        Assert.DoesNotContain("+17205550199", await host.Page.InnerTextAsync("#dnc-list"), StringComparison.Ordinal);
        Assert.Empty(await host.Services.Dnc.ListAsync());
    }

    [BrowserFact]
    public async Task A_refused_campaign_command_is_shown_on_a_page_a_reload_does_not_repost()
    {
        await using var host = await E2EHost.StartAsync();
        await host.LoginAsync();
        var campaign = await host.Services.Campaigns.CreateAsync(new AmiDialer.Core.Model.Campaign { Name = "prg", MaxAttempts = 1 }, "test");
        await host.Page.GotoAsync($"{host.BaseUrl}/campaigns/{campaign.Id}");

        // Delete of a running campaign is refused; the browser lands on the campaign page with the reason.
        Assert.True(await host.Services.Campaigns.TransitionAsync(campaign.Id, [AmiDialer.Core.Model.CampaignState.Draft], AmiDialer.Core.Model.CampaignState.Running, "test"));
        await host.Page.EvaluateAsync($"() => document.querySelector('form[action=\"/campaigns/{campaign.Id}/delete\"]').submit()");
        await host.Page.WaitForSelectorAsync("#notice");
        Assert.Contains("Stop the campaign before deleting it.", await host.Page.InnerTextAsync("#notice"), StringComparison.Ordinal);
        Assert.StartsWith($"{host.BaseUrl}/campaigns/{campaign.Id}?notice=", host.Page.Url, StringComparison.Ordinal);
        await host.ScreenshotAsync("prg-02-command-refused");

        // Stopped meanwhile: a reload that re-posted "delete" would now delete the campaign.
        Assert.True(await host.Services.Campaigns.TransitionAsync(campaign.Id, [AmiDialer.Core.Model.CampaignState.Running], AmiDialer.Core.Model.CampaignState.Stopped, "test"));
        await host.Page.ReloadAsync();
        Assert.NotNull(await host.Services.Campaigns.GetAsync(campaign.Id));
    }
}
