using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>Launches the machine's Chromium through Playwright; never downloads a browser.</summary>
public static class Browser
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("AMIDIALER_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool IsAvailable => File.Exists(ExecutablePath);

    public static bool IsRequired => Environment.GetEnvironmentVariable("AMIDIALER_REQUIRE_BROWSER") == "1";

    private static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!IsAvailable)
        {
            throw new FileNotFoundException($"AMIDIALER_REQUIRE_BROWSER=1 but Chromium is not at {ExecutablePath}; run .ci/install-deps.", ExecutablePath);
        }

        // The driver must not look for (or fetch) a browser of its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
            Timeout = 30_000,
        });
        return (playwright, browser);
    }

    /// <summary>Where the hosts keep their screenshots, for a person to review: the test output's <c>screenshots/</c>.</summary>
    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Chromium and one page at a desktop size, waiting generously: CI runs the browser tests beside every other test assembly on two cores.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser, IPage Page)> OpenPageAsync()
    {
        var (playwright, browser) = await LaunchAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(60_000);
        return (playwright, browser, await context.NewPageAsync());
    }

    /// <summary>Logs in through the login page as a person does and lands on the dashboard.</summary>
    public static async Task LoginAsync(IPage page, string baseUrl, string password)
    {
        await page.GotoAsync(baseUrl + "/");
        await page.FillAsync("#password", password);
        await page.ClickAsync("#login");
        await page.WaitForURLAsync(baseUrl + "/");
    }

    /// <summary>A full-page screenshot named <paramref name="name"/> under <see cref="ScreenshotDirectory"/>.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }
}
