using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AmiDialer.Tests.Web;

/// <summary>Nothing but /health answers without auth; the API key and the login cookie both work; cookie writes need antiforgery.</summary>
public sealed class AuthTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api/campaigns")]
    [InlineData("/api/no-such-thing")]
    public async Task Api_without_credentials_is_401_problem(string path)
    {
        using var client = host.Anonymous();
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, doc.RootElement.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/dnc")]
    [InlineData("/anything")]
    public async Task Page_without_login_redirects_to_login(string path)
    {
        using var client = host.Anonymous();
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_answers_without_auth_with_database_and_servers()
    {
        using var client = host.Anonymous();
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("database").GetProperty("ok").GetBoolean());
        var server = doc.RootElement.GetProperty("amiServers")[0];
        Assert.Equal("simulator", server.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(server.GetProperty("state").GetString()));
        Assert.True(doc.RootElement.GetProperty("simulated").GetBoolean());
    }

    [Fact]
    public async Task Wrong_api_key_is_401_and_right_one_passes()
    {
        using var wrong = host.WithApiKey("wrong-key-0123456789abcdef");
        using var denied = await wrong.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Contains("X-Api-Key", denied.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var right = host.WithApiKey();
        using var ok = await right.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Openapi_document_lists_the_endpoints()
    {
        using var client = host.WithApiKey();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        Assert.StartsWith("3.", doc.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = doc.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/health", out _));
        Assert.False(paths.TryGetProperty("/login", out _), "pages stay out of the API document");
    }

    [Fact]
    public async Task Login_with_wrong_password_is_refused_and_right_one_sets_cookie()
    {
        using var client = host.Anonymous();
        using var wrong = await WebTestHost.LoginAsync(client, "not the password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("Wrong password", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var stillOut = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.Unauthorized, stillOut.StatusCode);

        using var right = await WebTestHost.LoginAsync(client, WebTestHost.Password);
        Assert.Equal(HttpStatusCode.SeeOther, right.StatusCode);
        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var api = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }

    [Fact]
    public async Task Login_post_without_antiforgery_token_is_refused()
    {
        using var client = host.Anonymous();
        using var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["password"] = WebTestHost.Password }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var api = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task Login_never_redirects_off_site()
    {
        using var client = host.Anonymous();
        var token = await WebTestHost.TokenAsync(client, "/login");
        using var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["password"] = WebTestHost.Password,
            ["returnUrl"] = "//evil.example/",
        }));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Cookie_post_without_antiforgery_token_is_400_and_with_it_passes()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            using var without = await client.PostAsync("/logout", content: null);
            Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
            var problem = await without.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("Antiforgery", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
            using var stillIn = await client.GetAsync("/openapi/v1.json");
            Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);

            using var request = new HttpRequestMessage(HttpMethod.Post, "/logout");
            request.Headers.Add("X-CSRF-TOKEN", token);
            using var with = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.SeeOther, with.StatusCode);
            using var loggedOut = await client.GetAsync("/openapi/v1.json");
            Assert.Equal(HttpStatusCode.Unauthorized, loggedOut.StatusCode);
        }
    }

    [Fact]
    public async Task Old_cookie_is_refused_after_logout()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            // A copy of the cookie as a thief (or a second tab) would hold it: logging out must end it on the server.
            var cookie = host.CookieHeader(client);
            Assert.Contains("amidialer.auth=", cookie, StringComparison.Ordinal);
            using (var before = await WithCookie(cookie).GetAsync("/api/campaigns"))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "/logout");
            request.Headers.Add("X-CSRF-TOKEN", token);
            using var logout = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);

            using var stolen = WithCookie(cookie);
            using var api = await stolen.GetAsync("/api/campaigns");
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
            using var page = await stolen.GetAsync("/dnc");
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Logging_out_one_browser_leaves_another_logged_in()
    {
        var (first, firstToken) = await host.LoggedInAsync();
        var (second, _) = await host.LoggedInAsync();
        using (first)
        using (second)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/logout");
            request.Headers.Add("X-CSRF-TOKEN", firstToken);
            using var logout = await first.SendAsync(request);
            Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);

            using var other = await second.GetAsync("/api/campaigns");
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }
    }

    [Fact]
    public async Task Forged_cookie_without_a_server_session_is_refused()
    {
        // A cookie the server's keys protect but whose session the server never started (or has forgotten).
        using var client = host.Anonymous();
        var ticket = host.ProtectCookie(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "admin")], "login")));
        client.DefaultRequestHeaders.Add("Cookie", "amidialer.auth=" + ticket);
        using var api = await client.GetAsync("/api/campaigns");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    private HttpClient WithCookie(string cookie)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    [Fact]
    public async Task Pages_show_the_simulated_banner()
    {
        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var html = await client.GetStringAsync("/");
            Assert.Contains("id=\"simulated-banner\"", html, StringComparison.Ordinal);
        }
    }
}

public sealed class NoPasswordTests
{
    [Fact]
    public async Task Login_page_says_how_to_set_the_password_and_login_is_impossible()
    {
        await using var host = await WebTestHost.StartAsync(passwordSet: false);
        using var client = host.Anonymous();
        var html = await client.GetStringAsync("/login");
        Assert.Contains("amidialer admin set-password", html, StringComparison.Ordinal);
        Assert.Contains("Web:AdminPasswordHash", html, StringComparison.Ordinal);
        Assert.DoesNotContain("type=\"password\"", html, StringComparison.Ordinal);

        var token = await WebTestHost.TokenAsync(client, "/login");
        using var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["password"] = "",
        }));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Health_is_503_when_the_database_is_down()
    {
        await using var host = await WebTestHost.StartAsync();
        using var client = host.Anonymous();
        using (var healthy = await client.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }

        // Injected fault: the database file replaced by a folder, which SQLite cannot open.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(host.Directory, "amidialer.db*"))
        {
            File.Delete(file);
        }

        Directory.CreateDirectory(Path.Combine(host.Directory, "amidialer.db"));
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("database").GetProperty("ok").GetBoolean());
        Assert.Contains("unable to open", doc.RootElement.GetProperty("database").GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
