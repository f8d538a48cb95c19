namespace AmiDialer.Web.E2E.Tests;

public sealed class LoginTests
{
    [BrowserFact]
    public async Task Login_shows_the_dashboard_with_the_simulated_banner()
    {
        await using var host = await E2EHost.StartAsync();
        await host.Page.GotoAsync(host.BaseUrl + "/");
        Assert.EndsWith("/login?ReturnUrl=%2F", host.Page.Url, StringComparison.Ordinal);
        await host.ScreenshotAsync("01-login");

        await host.Page.FillAsync("#password", "wrong password");
        await host.Page.ClickAsync("#login");
        Assert.Contains("Wrong password", await host.Page.InnerTextAsync("#login-error"), StringComparison.Ordinal);

        await host.LoginAsync();
        Assert.Equal("Dashboard", await host.Page.InnerTextAsync("h1"));
        Assert.True(await host.Page.IsVisibleAsync("#simulated-banner"));
        await host.ScreenshotAsync("02-dashboard");
    }
}
