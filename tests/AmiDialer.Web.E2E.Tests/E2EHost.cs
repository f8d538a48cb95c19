using AmiDialer.Configuration;
using AmiDialer.Hosting;
using AmiDialer.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>
/// One real server (WebServer on a free loopback port, over AppServices with a temporary database and the
/// simulator) and one browser page, with screenshots kept under the test output folder.
/// </summary>
public sealed class E2EHost : IAsyncDisposable
{
    public const string Password = "e2e password 123";

    private readonly string directory;
    private readonly AppServices services;
    private readonly WebApplication app;
    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private E2EHost(string directory, AppServices services, WebApplication app, IPlaywright playwright, IBrowser browser, IPage page)
    {
        this.directory = directory;
        this.services = services;
        this.app = app;
        this.playwright = playwright;
        this.browser = browser;
        Page = page;
        BaseUrl = app.Urls.First();
    }

    public IPage Page { get; }

    /// <summary>The composition root the host runs on (its database, for tests that set up what the pages show).</summary>
    public AppServices Services => services;

    public string BaseUrl { get; }

    /// <param name="simulatorTimeScale">The built-in simulator's speed (60: a minute's call takes a second).</param>
    /// <param name="queues">The built-in simulator's queues; its default <c>sales</c> when null.</param>
    /// <param name="outcomes">How the built-in simulator's calls end; the test PBX's last-digit table when null.</param>
    public static async Task<E2EHost> StartAsync(bool withEngine = false, double simulatorTimeScale = 60, IReadOnlyList<Simulator.QueueOptions>? queues = null,
        Simulator.OutcomeRules? outcomes = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "amidialer-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var settings = new AmiDialerSettings();
        settings.Database.Path = Path.Combine(dir, "amidialer.db");
        // Few iterations: the hash's strength is not under test here, the login flow is.
        settings.Web.AdminPasswordHash = AdminPassword.Hash(Password, iterations: 1000);
        settings.Dialing.ClickToCall.AllowedAgents = ["PJSIP/1??"];
        settings.Dialing.ClickToCall.RespectCallingHours = false;
        var services = await AppServices.CreateAsync(settings, simulate: true, new AppServicesOptions { SimulatorTimeScale = simulatorTimeScale, SimulatorQueues = queues, SimulatorOutcomes = outcomes }, CancellationToken.None);
        if (withEngine)
        {
            // As serve does: Quartz dials every running campaign, against the time-scaled simulator.
            await services.StartEngineAsync(useScheduler: true, CancellationToken.None);
        }

        var app = WebServer.Build(services, "http://127.0.0.1:0");
        await app.StartAsync();
        var (playwright, browser, page) = await Browser.OpenPageAsync();
        return new E2EHost(dir, services, app, playwright, browser, page);
    }

    public Task LoginAsync() => Browser.LoginAsync(Page, BaseUrl, Password);

    public Task<string> ScreenshotAsync(string name) => Browser.ScreenshotAsync(Page, name);

    public async ValueTask DisposeAsync()
    {
        await browser.CloseAsync();
        playwright.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        await services.DisposeAsync();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean: a file still held by a slow shutdown.
        }
    }
}
