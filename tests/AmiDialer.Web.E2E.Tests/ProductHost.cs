using System.Collections.Concurrent;
using AmiDialer.Configuration;
using AmiDialer.Engine;
using AmiDialer.Hosting;
using AmiDialer.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>What a <see cref="ProductHost"/> runs with; the defaults are <see cref="E2EHost"/>'s.</summary>
public sealed record ProductHostOptions
{
    /// <summary>Simulated seconds per real second.</summary>
    public double TimeScale { get; init; } = 60;

    /// <summary>Start the engine with its scheduler, as <c>serve</c> does.</summary>
    public bool WithEngine { get; init; } = true;

    public OutcomeRules? SimulatorOutcomes { get; init; }

    /// <summary>Settings on top of the defaults (agents PJSIP/1??, calling hours not applied to click-to-call).</summary>
    public Action<AmiDialerSettings>? Configure { get; init; }

    public Func<DialerEngineOptions, DialerEngineOptions>? Engine { get; init; }
}

/// <summary>
/// The real server (WebServer over AppServices, temporary database, built-in simulator) with a choice of time scale and
/// settings, an API client (the API key) beside the browser page, and a record of what went wrong in the browser:
/// console errors, page errors and 4xx/5xx answers, which a test that visits pages asserts empty.
/// </summary>
public sealed class ProductHost : IAsyncDisposable
{
    public const string Password = E2EHost.Password;
    public const string ApiKey = "e2e-api-key-0123456789abcdef";

    private readonly string _directory;
    private readonly WebApplication _app;
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ProductHost(string directory, AppServices services, WebApplication app, IPlaywright playwright, IBrowser browser, IPage page)
    {
        _directory = directory;
        Services = services;
        _app = app;
        _playwright = playwright;
        _browser = browser;
        Page = page;
        BaseUrl = app.Urls.First();
        Api = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        Api.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                Problems.Enqueue($"console error on {page.Url}: {m.Text}");
            }
        };
        page.PageError += (_, e) => Problems.Enqueue($"page error on {page.Url}: {e}");
        page.Response += (_, r) =>
        {
            if (r.Status >= 400)
            {
                Problems.Enqueue($"{r.Status} for {r.Request.Method} {r.Url}");
            }
        };
    }

    public IPage Page { get; }

    public AppServices Services { get; }

    public string BaseUrl { get; }

    /// <summary>The API as a script would use it (X-Api-Key).</summary>
    public HttpClient Api { get; }

    /// <summary>What went wrong in the browser since the start (or the last <see cref="TakeProblems"/>).</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    public string DataDirectory => _directory;

    public static async Task<ProductHost> StartAsync(ProductHostOptions? options = null)
    {
        options ??= new ProductHostOptions();
        var dir = Path.Combine(Path.GetTempPath(), "amidialer-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var settings = new AmiDialerSettings();
        settings.Database.Path = Path.Combine(dir, "amidialer.db");
        settings.Web.AdminPasswordHash = AdminPassword.Hash(Password, iterations: 1000);
        settings.Web.ApiKeys = [ApiKey];
        settings.Dialing.ClickToCall.AllowedAgents = ["PJSIP/1??"];
        settings.Dialing.ClickToCall.RespectCallingHours = false;
        options.Configure?.Invoke(settings);
        var services = await AppServices.CreateAsync(settings, simulate: true, new AppServicesOptions
        {
            SimulatorTimeScale = options.TimeScale,
            SimulatorOutcomes = options.SimulatorOutcomes,
            Engine = options.Engine,
        }, CancellationToken.None);
        if (options.WithEngine)
        {
            await services.StartEngineAsync(useScheduler: true, CancellationToken.None);
        }

        var app = WebServer.Build(services, "http://127.0.0.1:0");
        await app.StartAsync();
        var (playwright, browser, page) = await Browser.OpenPageAsync();
        return new ProductHost(dir, services, app, playwright, browser, page);
    }

    public Task LoginAsync() => Browser.LoginAsync(Page, BaseUrl, Password);

    public Task<string> ScreenshotAsync(string name) => Browser.ScreenshotAsync(Page, name);

    /// <summary>The problems seen so far, emptied.</summary>
    public IReadOnlyList<string> TakeProblems()
    {
        var list = new List<string>();
        while (Problems.TryDequeue(out var p))
        {
            list.Add(p);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _browser.CloseAsync();
        _playwright.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Services.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean: a file still held by a slow shutdown.
        }
    }
}
