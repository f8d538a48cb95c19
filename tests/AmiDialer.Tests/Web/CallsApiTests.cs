using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Configuration;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Engine.Live;
using AmiDialer.Data.Repositories;
using AmiDialer.Hosting;
using AmiDialer.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Tests.Web;

/// <summary>/api/calls on the real host, with the engine running on the built-in simulator (time scaled).</summary>
public sealed class CallsApiTests
{
    private const string Agent = "Local/101@agentphone";

    [Fact]
    public async Task Post_starts_a_click_to_call_at_once_and_get_shows_its_outcome()
    {
        await using var host = await CallsHost.StartAsync(timeScale: 100);
        using var client = host.Client();
        using var response = await client.PostAsJsonAsync("/api/calls", new { number = "4158137442", agent = Agent });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{host.Errors}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal($"/api/calls/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal("+14158137442", (await host.Services.Attempts.GetAsync(id)) is { } a ? (await host.Services.Leads.GetAsync(a.LeadId))!.PhoneE164 : null);

        var outcome = await PollOutcomeAsync(client, id);
        Assert.Equal("busy", outcome.GetProperty("outcome").GetString());
        Assert.Equal("ended", outcome.GetProperty("state").GetString());
        Assert.Equal("BUSY", outcome.GetProperty("dialStatus").GetString());
    }

    [Fact]
    public async Task Refusals_name_the_field_and_send_nothing()
    {
        await using var host = await CallsHost.StartAsync(timeScale: 100);
        using var client = host.Client();
        await host.Services.Dnc.AddAsync("+14158137440", null, DncSource.Manual, "test");

        using var agent = await client.PostAsJsonAsync("/api/calls", new { number = "4158137441", agent = "PJSIP/999" });
        Assert.Equal(HttpStatusCode.BadRequest, agent.StatusCode);
        Assert.True((await agent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("agent", out _));

        using var missing = await client.PostAsJsonAsync("/api/calls", new { agent = Agent });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.True((await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("number", out _));

        using var dnc = await client.PostAsJsonAsync("/api/calls", new { number = "4158137440", agent = Agent });
        Assert.Equal(HttpStatusCode.Conflict, dnc.StatusCode);
        Assert.Contains("do-not-call", await dnc.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var context = await client.PostAsJsonAsync("/api/calls", new { number = "4158137441", agent = Agent, context = "pstn" });
        Assert.Equal(HttpStatusCode.BadRequest, context.StatusCode);
        Assert.True((await context.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("context", out _));

        using var unknown = await client.GetAsync("/api/calls/999999");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var anonymous = await host.Anonymous().PostAsJsonAsync("/api/calls", new { number = "4158137441", agent = Agent });
        Assert.NotEqual(HttpStatusCode.Accepted, anonymous.StatusCode);
        Assert.Empty(host.Services.Simulator!.ActionsNamed("Originate"));
    }

    [Fact]
    public async Task Transfer_redirects_a_live_call_and_refuses_a_disallowed_destination_and_an_ended_call()
    {
        // Real time: the callee (digit 7) answers at once and talks 9.5 s, long enough for a loaded machine to get
        // its transfer in while the call is up.
        await using var host = await CallsHost.StartAsync(timeScale: 1);
        using var client = host.Client();
        var engine = host.Services.Engine!;
        var campaign = await host.Services.Campaigns.CreateAsync(new Campaign
        {
            Name = "long calls",
            DialTemplate = "Local/{national}@pstn",
            CallingHours = DailyWindow.AllDay,
            RingTimeout = TimeSpan.FromSeconds(15),
            IsSimulated = true,
        }, "test");
        using (var csv = new MemoryStream("phone\n+14158137447\n"u8.ToArray()))
        {
            await host.Services.Importer.ImportAsync(csv, "leads.csv", new CsvImportOptions { CampaignId = campaign.Id, ValidationWorkers = 1 });
        }

        using var feed = engine.Subscribe();
        var run = engine.RunCampaignAsync(campaign.Id);
        long id = 0;
        await foreach (var change in feed.Reader.ReadAllAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token))
        {
            if (change.Kind == EngineChangeKind.CallStarted)
            {
                id = change.AttemptId!.Value;
                break;
            }
        }

        // Bounded: a call that ended before it was seen live must fail the test, not spin it forever.
        JsonElement call;
        var liveBy = DateTimeOffset.UtcNow.AddSeconds(30);
        do
        {
            Assert.True(DateTimeOffset.UtcNow < liveBy, $"call {id} was never seen live and answered");
            call = await client.GetFromJsonAsync<JsonElement>($"/api/calls/{id}");
            if (call.GetProperty("outcome").ValueKind == JsonValueKind.String)
            {
                Assert.Fail($"call {id} ended before it was seen live: {call}");
            }

            await Task.Delay(10);
        }
        while (!(call.GetProperty("live").GetBoolean() && call.GetProperty("answeredAt").ValueKind != JsonValueKind.Null && call.GetProperty("channel").ValueKind == JsonValueKind.String));

        using var notAllowed = await client.PostAsJsonAsync($"/api/calls/{id}/transfer", new { context = "pstn", exten = "s", priority = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, notAllowed.StatusCode);
        Assert.True((await notAllowed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("destination", out _));

        using var moved = await client.PostAsJsonAsync($"/api/calls/{id}/transfer", new { context = "agents", exten = "200" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var transfer = await moved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(call.GetProperty("channel").GetString(), transfer.GetProperty("channel").GetString());
        var redirect = Assert.Single(host.Services.Simulator!.ActionsNamed("Redirect"));
        Assert.Equal(("agents", "200", "1"), (redirect["Context"], redirect["Exten"], redirect["Priority"]));

        var ended = await PollOutcomeAsync(client, id);
        Assert.Equal("answered", ended.GetProperty("outcome").GetString());
        using var late = await client.PostAsJsonAsync($"/api/calls/{id}/transfer", new { context = "ivr", exten = "s" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("has ended", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(host.Services.Simulator!.ActionsNamed("Redirect"));
        await run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Transfer_of_a_click_to_call_is_refused_rather_than_dropping_the_customer()
    {
        await using var host = await CallsHost.StartAsync(timeScale: 10);
        using var client = host.Client();
        using var started = await client.PostAsJsonAsync("/api/calls", new { number = "4158137447", agent = Agent });
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var refused = await client.PostAsJsonAsync($"/api/calls/{id}/transfer", new { context = "ivr", exten = "s" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("click-to-call", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(host.Services.Simulator!.ActionsNamed("Redirect"));
        Assert.Equal("answered", (await PollOutcomeAsync(client, id)).GetProperty("outcome").GetString());
    }

    private static async Task<JsonElement> PollOutcomeAsync(HttpClient client, long id)
    {
        // Generous: a loaded machine runs the scaled simulator's calls late.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var call = await client.GetFromJsonAsync<JsonElement>($"/api/calls/{id}");
            if (call.GetProperty("outcome").ValueKind == JsonValueKind.String)
            {
                return call;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"call {id} did not end");
    }

    /// <summary>The real host as <c>serve</c> builds it (engine started, simulator time scaled), API key auth.</summary>
    private sealed class CallsHost : IAsyncDisposable
    {
        private readonly string _dir;

        private CallsHost(AppServices services, WebApplication app, string dir)
        {
            Services = services;
            App = app;
            _dir = dir;
        }

        public AppServices Services { get; }

        private ErrorLog Log { get; init; } = new();

        /// <summary>Errors the host logged, for failure messages.</summary>
        public string Errors => string.Join("\n", Log.Lines);

        public WebApplication App { get; }

        public static async Task<CallsHost> StartAsync(double timeScale)
        {
            var dir = Path.Combine(Path.GetTempPath(), "amidialer-calls-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            var settings = new AmiDialerSettings();
            settings.Database.Path = Path.Combine(dir, "amidialer.db");
            settings.Web.ApiKeys = [WebTestHost.ApiKey];
            settings.Dialing.AllowedContexts = ["agents", "ivr", "outbound"];
            settings.Dialing.ClickToCall.AllowedAgents = ["Local/1??@agentphone"];
            settings.Dialing.ClickToCall.RespectCallingHours = false;
            var log = new ErrorLog();
            var services = await AppServices.CreateAsync(settings, simulate: true, new AppServicesOptions
            {
                LoggerFactory = new LoggerFactory([log]),
                SimulatorTimeScale = timeScale,
                Engine = o => new Engine.DialerEngineOptions
                {
                    DatabasePath = o.DatabasePath,
                    Servers = o.Servers,
                    Simulated = o.Simulated,
                    CallControl = o.CallControl,
                    SettleTime = TimeSpan.FromMilliseconds(100),
                    PollInterval = TimeSpan.FromMilliseconds(20),
                },
            }, CancellationToken.None);
            var engine = await services.StartEngineAsync(useScheduler: false, CancellationToken.None);
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                await engine.WaitForServersAsync(timeout.Token);
            }

            var app = WebServer.Build(services, "http://127.0.0.1:0");
            await app.StartAsync();
            return new CallsHost(services, app, dir) { Log = log };
        }

        public HttpClient Anonymous() => new() { BaseAddress = new Uri(App.Urls.First()), Timeout = TimeSpan.FromSeconds(15) };

        public HttpClient Client()
        {
            var client = Anonymous();
            client.DefaultRequestHeaders.Add("X-Api-Key", WebTestHost.ApiKey);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
            await Services.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
                // A file still open on a slow shutdown; the temp folder is cleaned by the OS.
            }
        }
    }

    private sealed class ErrorLog : ILoggerProvider, ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Enqueue(formatter(state, exception) + " " + exception);
            }
        }

        public void Dispose()
        {
        }
    }
}
