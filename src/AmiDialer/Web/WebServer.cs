using System.Text.Json;
using System.Text.Json.Serialization;
using AmiDialer.Hosting;
using AmiDialer.Web.Api;
using AmiDialer.Web.Auth;
using AmiDialer.Web.Infrastructure;
using AmiDialer.Web.Pages;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace AmiDialer.Web;

/// <summary>The web UI and HTTP API host that <c>amidialer serve</c> runs (and tests build on a loopback port).</summary>
public static class WebServer
{
    /// <summary>Where Prometheus scrapes the metrics.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Builds the host for <c>serve</c> on <paramref name="urls"/> (semicolon-separated; port 0 picks a free one).</summary>
    public static WebApplication Build(AppServices services, string urls) => Build(AppServicesBackend.Create(services), urls);

    /// <summary>Runs the host until <paramref name="cancellationToken"/> is cancelled (Ctrl-C in <c>serve</c>).</summary>
    public static Task RunAsync(AppServices services, string urls, CancellationToken cancellationToken) =>
        RunAsync(AppServicesBackend.Create(services), urls, cancellationToken);

    /// <summary>Builds the host listening on <paramref name="urls"/> (semicolon-separated; port 0 picks a free one).</summary>
    internal static WebApplication Build(WebBackend backend, string urls)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(WebServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
            Args = [],
        });

        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Uploads raise their own limit; everything else stays small.
            k.Limits.MaxRequestBodySize = 1024 * 1024;
        });

        // Signals are the command's (StopSignals): the console lifetime would catch SIGTERM and SIGINT itself and only
        // stop the host's lifetime, leaving serve running. A stop waits for requests as long as for live calls.
        builder.Services.AddSingleton<IHostLifetime, CallerStoppedLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = backend.Settings.Engine.ShutdownGrace);

        // One logging pipeline for CLI, engine and web: the host logs through the application's factory.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(backend.LoggerFactory);
        builder.Services.AddSingleton(backend);
        builder.Services.AddSingleton(backend.Time);
        builder.Services.AddSingleton<WebData>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton(new LoginSessions(Path.Combine(StateDirectory(backend), "web-sessions"), AuthSetup.SessionLifetime, backend.Time));
        builder.Services.AddSingleton<ImportProgressRegistry>();

        builder.Services.AddDataProtection()
            .SetApplicationName("AmiDialer")
            .PersistKeysToFileSystem(new DirectoryInfo(KeysDirectory(backend)));
        builder.Services.AddWebAuth(backend.Settings.Web.ApiKeys);
        // The slim builder leaves out the regex route constraint that /campaigns/{id}/{command:regex(...)} uses;
        // without it every request whose path reaches that route's matcher fails with 500.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteOptions>(o => o.SetParameterPolicy<Microsoft.AspNetCore.Routing.Constraints.RegexInlineRouteConstraint>("regex"));
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddAmiDialerMeters().AddPrometheusExporter());
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "AmiDialer API";
            doc.Info.Description = "Campaigns, uploads, reports, live status, do-not-call and click-to-call. Authenticate with X-Api-Key.";
            ApiKeySecurity.Declare(doc);
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UsePostRedirectGet();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseCookieAntiforgery();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthApi();
        // Prometheus' text format, behind the same API key or login cookie as the API (the fallback policy).
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization();
        app.MapCampaignsApi();
        app.MapImportsApi();
        app.MapReportsApi();
        app.MapPreflightApi();
        app.MapDashboardFeed();
        app.MapRequeueApi();
        app.MapDncApi();
        app.MapCallsApi();
        app.MapDoctorApi();
        app.MapAgentsApi();
        app.MapClusterApi();
        app.MapLoginPages();
        app.MapDashboardPage();
        app.MapCampaignFormPages();
        app.MapCampaignPages();
        app.MapAgentsPage();
        app.MapClusterPage();
        app.MapUploadPage();
        app.MapReportPage();
        app.MapDncPage();
        app.MapClickToCallPage();
        app.MapSetupPage();

        app.Lifetime.ApplicationStarted.Register(() =>
            WebLog.Listening(backend.LoggerFactory.CreateLogger("AmiDialer.Web"), string.Join(", ", app.Urls)));
        return app;
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled, then stops gracefully.</summary>
    internal static async Task RunAsync(WebBackend backend, string urls, CancellationToken cancellationToken)
    {
        await using var app = Build(backend, urls);
        await app.StartAsync(cancellationToken);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or the caller's stop: fall through to a graceful shutdown.
        }

        await app.StopAsync(CancellationToken.None);
    }

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Encoder = Reports.JsonOutput.Encoder;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.Converters.Add(new Infrastructure.UtcTimeJsonConverter());
    }

    /// <summary>Cookie keys live beside the database, so a restart does not log everyone out.</summary>
    private static string KeysDirectory(WebBackend backend)
    {
        var dir = Path.Combine(StateDirectory(backend), "web-keys");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string StateDirectory(WebBackend backend) =>
        Path.GetDirectoryName(Path.GetFullPath(backend.Settings.Database.Path)) ?? AppContext.BaseDirectory;
}
