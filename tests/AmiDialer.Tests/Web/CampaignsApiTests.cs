using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AmiDialer.Tests.Web;

public sealed class WebHostFixture : IAsyncLifetime
{
    public WebTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await WebTestHost.StartAsync(configure: s => s.Web.MaxUploadBytes = 4096);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class CampaignsApiTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Create_read_update_delete_with_api_key()
    {
        using var client = host.WithApiKey();
        using var created = await client.PostAsJsonAsync("/api/campaigns", new { name = "crud " + Guid.NewGuid(), dialTemplate = "PJSIP/{number}@trunk", destination = "agents,100,1", days = "Mon-Fri", windows = new[] { "09:00-17:00" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var campaign = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = campaign.GetProperty("id").GetInt64();
        Assert.Equal($"/api/campaigns/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal("draft", campaign.GetProperty("state").GetString());
        Assert.Equal("Mon,Tue,Wed,Thu,Fri", campaign.GetProperty("days").GetString());
        Assert.Equal("08:00-21:00", campaign.GetProperty("callingHours").GetString()); // the configured default
        Assert.True(campaign.GetProperty("isSimulated").GetBoolean());

        using var updated = await client.PutAsJsonAsync($"/api/campaigns/{id}", new { maxConcurrentCalls = 7, callerId = "\"Clinic\" <+12125550100>" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}");
        Assert.Equal(7, after.GetProperty("maxConcurrentCalls").GetInt32());
        Assert.Equal("PJSIP/{number}@trunk", after.GetProperty("dialTemplate").GetString()); // left out: kept

        var list = await client.GetFromJsonAsync<JsonElement>("/api/campaigns");
        Assert.Contains(list.EnumerateArray(), c => c.GetProperty("id").GetInt64() == id);

        using var deleted = await client.DeleteAsync($"/api/campaigns/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.GetAsync($"/api/campaigns/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Invalid_settings_are_400_naming_each_field()
    {
        using var client = host.WithApiKey();
        using var response = await client.PostAsJsonAsync("/api/campaigns", new
        {
            name = "",
            ringTimeoutSeconds = 5,
            destination = "agents;100",
            timeZone = "Mars/Olympus",
            callingHours = "9-5",
            retryPolicy = "busy=soon",
            variables = new[] { new { name = "BAD-NAME", value = "x" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "name", "ringTimeoutSeconds", "destination", "timeZone", "callingHours", "retryPolicy", "variables[0].name" })
        {
            Assert.True(errors.TryGetProperty(field, out var messages), "no error for " + field + " in " + errors);
            Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        }
    }

    [Fact]
    public async Task Body_of_the_wrong_type_is_400_naming_the_field()
    {
        using var client = host.WithApiKey();
        using var response = await client.PostAsync("/api/campaigns", new StringContent("{\"name\":\"x\",\"maxConcurrentCalls\":\"lots\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("maxConcurrentCalls", out _), errors.ToString());
    }

    [Fact]
    public async Task Duplicate_name_is_409_on_name()
    {
        using var client = host.WithApiKey();
        var name = "dup " + Guid.NewGuid();
        (await client.PostAsJsonAsync("/api/campaigns", new { name })).Dispose();
        using var second = await client.PostAsJsonAsync("/api/campaigns", new { name });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.True((await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("name", out _));
    }

    [Fact]
    public async Task Start_pause_resume_stop_follow_the_state_rules()
    {
        using var client = host.WithApiKey();
        var id = await CreateAsync(client);
        Assert.Equal("running", await CommandAsync(client, id, "start", HttpStatusCode.OK));
        Assert.Equal("paused", await CommandAsync(client, id, "pause", HttpStatusCode.OK));
        await CommandAsync(client, id, "pause", HttpStatusCode.Conflict);
        Assert.Equal("running", await CommandAsync(client, id, "resume", HttpStatusCode.OK));
        using (var busy = await client.DeleteAsync($"/api/campaigns/{id}"))
        {
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        }

        Assert.Equal("stopped", await CommandAsync(client, id, "stop", HttpStatusCode.OK));
        await CommandAsync(client, id, "start", HttpStatusCode.Conflict);
        await CommandAsync(client, 999_999, "start", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Cookie_writes_need_the_antiforgery_token()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            using var without = await client.PostAsJsonAsync("/api/campaigns", new { name = "cookie " + Guid.NewGuid() });
            Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
            Assert.Contains("Antiforgery", (await without.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString(), StringComparison.Ordinal);

            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/campaigns") { Content = JsonContent.Create(new { name = "cookie " + Guid.NewGuid() }) };
            request.Headers.Add("X-CSRF-TOKEN", token);
            using var with = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, with.StatusCode);

            // Reads need no token.
            using var list = await client.GetAsync("/api/campaigns");
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }
    }

    [Fact]
    public async Task Campaign_api_requires_auth()
    {
        using var client = host.Anonymous();
        using var post = await client.PostAsJsonAsync("/api/campaigns", new { name = "anon" });
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        using var start = await client.PostAsync("/api/campaigns/1/start", null);
        Assert.Equal(HttpStatusCode.Unauthorized, start.StatusCode);
    }

    internal static async Task<long> CreateAsync(HttpClient client, string? name = null)
    {
        using var created = await client.PostAsJsonAsync("/api/campaigns", new { name = name ?? "c " + Guid.NewGuid(), callingHours = "00:00-24:00" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static async Task<string?> CommandAsync(HttpClient client, long id, string command, HttpStatusCode expected)
    {
        using var response = await client.PostAsync($"/api/campaigns/{id}/{command}", null);
        Assert.Equal(expected, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return expected == HttpStatusCode.OK ? body.GetProperty("state").GetString() : null;
    }
}
