using System.Net;
using System.Text.RegularExpressions;
using AmiDialer.Configuration;
using AmiDialer.Hosting;
using AmiDialer.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AmiDialer.Tests.Web;

/// <summary>The real ASP.NET Core host built by <see cref="WebServer.Build"/>, on a free loopback port, with a temporary database folder.</summary>
public sealed partial class WebTestHost : IAsyncDisposable
{
    public const string ApiKey = "test-key-0123456789abcdef";
    public const string Password = "correct horse battery";

    private readonly AppServices services;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpClient, CookieContainer> cookieJars = [];

    private WebTestHost(AppServices services, WebApplication app, string directory)
    {
        this.services = services;
        App = app;
        Directory = directory;
        BaseAddress = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }

    public string Directory { get; }

    public Uri BaseAddress { get; }

    /// <summary>The composition root the host runs on (database, engine, simulator).</summary>
    public AppServices Services => services;

    public static async Task<WebTestHost> StartAsync(bool passwordSet = true, Action<AmiDialerSettings>? configure = null, bool simulate = true, TimeProvider? time = null, double timeScale = 1,
        Microsoft.Extensions.Logging.ILoggerFactory? loggers = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "amidialer-web-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        var settings = new AmiDialerSettings();
        settings.Database.Path = Path.Combine(dir, "amidialer.db");
        settings.Web.ApiKeys = [ApiKey];
        // Few iterations: the hash's strength is tested with AdminPassword; here only the login flow is.
        settings.Web.AdminPasswordHash = passwordSet ? AdminPassword.Hash(Password, iterations: 1000) : "";
        configure?.Invoke(settings);
        var services = await AppServices.CreateAsync(settings, simulate, new AppServicesOptions { Time = time, SimulatorTimeScale = timeScale, LoggerFactory = loggers }, CancellationToken.None);
        var app = WebServer.Build(services, "http://127.0.0.1:0");
        await app.StartAsync();
        return new WebTestHost(services, app, dir);
    }

    /// <summary>A client with no credentials; cookies kept, redirects not followed so tests can see them.</summary>
    public HttpClient Anonymous(bool followRedirects = false)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = followRedirects, UseCookies = true };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
        cookieJars.Add(client, handler.CookieContainer);
        return client;
    }

    /// <summary>The Cookie header a client made by this host sends, to replay it from another client.</summary>
    public string CookieHeader(HttpClient client) =>
        cookieJars.TryGetValue(client, out var jar) ? jar.GetCookieHeader(BaseAddress) : throw new ArgumentException("not a client of this host", nameof(client));

    /// <summary>A login cookie's value protected with the host's own keys, as the cookie handler would write it.</summary>
    public string ProtectCookie(System.Security.Claims.ClaimsPrincipal principal)
    {
        var options = App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(AmiDialer.Web.Auth.AuthSchemes.Cookie);
        return options.TicketDataFormat.Protect(new Microsoft.AspNetCore.Authentication.AuthenticationTicket(principal, AmiDialer.Web.Auth.AuthSchemes.Cookie));
    }

    public HttpClient WithApiKey(string key = ApiKey)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>Logs in through the login form; returns the client and a fresh antiforgery token for later requests.</summary>
    public async Task<(HttpClient Client, string Token)> LoggedInAsync()
    {
        var client = Anonymous();
        var response = await LoginAsync(client, Password);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var token = await TokenAsync(client, "/");
        return (client, token);
    }

    public static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string password)
    {
        var token = await TokenAsync(client, "/login");
        return await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["password"] = password,
            ["returnUrl"] = "/",
        }));
    }

    /// <summary>Reads the antiforgery token a page carries in its csrf-token meta tag.</summary>
    public static async Task<string> TokenAsync(HttpClient client, string page)
    {
        var html = await client.GetStringAsync(page);
        var match = MetaToken().Match(html);
        Assert.True(match.Success, "no csrf-token meta tag on " + page);
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await services.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow shutdown; the temp folder is cleaned by the OS.
        }
    }

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]*)\">")]
    private static partial Regex MetaToken();
}
