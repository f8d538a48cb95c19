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
}
