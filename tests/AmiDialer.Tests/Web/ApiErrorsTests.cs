using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AmiDialer.Tests.Web;

/// <summary>Bad requests answer with a problem document a person can act on: the part named, no .NET internals.</summary>
public sealed class ApiErrorsTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Malformed_json_is_a_problem_naming_the_body()
    {
        using var client = host.WithApiKey();
        using var response = await client.PostAsync("/api/campaigns", new StringContent("{\"name\": \"x\",", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The request body is not valid JSON", problem.GetProperty("title").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out var body), problem.ToString());
        Assert.Contains("line 1", body[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Invalid name", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\": \"x\", \"maxConcurrentCalls\": \"lots\"}", "maxConcurrentCalls", "a whole number")]
    [InlineData("{\"name\": 5}", "name", "text")]
    [InlineData("{\"name\": \"x\", \"callsPerSecond\": true}", "callsPerSecond", "a number")]
    [InlineData("{\"name\": \"x\", \"variables\": {\"a\": 1}}", "variables", "a list")]
    [InlineData("{\"name\": \"x\", \"startAt\": \"tomorrow\"}", "startAt", "a date and time")]
    public async Task A_wrong_type_names_the_field_and_the_expected_kind_without_dotnet_type_names(string json, string field, string expected)
    {
        using var client = host.WithApiKey();
        using var response = await client.PostAsync("/api/campaigns", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal($"Invalid {field}", problem.GetProperty("title").GetString());
        var message = problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("`1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AmiDialer.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leads_state_filter_filters_and_a_bad_state_is_a_400_naming_it()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        await ImportsApiTests.UploadAsync(client, id, File.ReadAllBytes(AmiDialer.Testing.RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
        var all = (await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/leads?limit=500")).GetProperty("leads").EnumerateArray().Select(l => l.GetProperty("leadId").GetInt64()).ToList();
        Assert.True(all.Count > 2);
        Assert.True(await host.Services.Leads.TransitionAsync(all[1], AmiDialer.Core.Model.LeadState.Pending, AmiDialer.Core.Model.LeadState.Blocked, null, null));

        var blocked = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/leads?state=blocked");
        var only = Assert.Single(blocked.GetProperty("leads").EnumerateArray());
        Assert.Equal(all[1], only.GetProperty("leadId").GetInt64());
        var pending = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/leads?state=pending&limit=500");
        Assert.Equal(all.Count - 1, pending.GetProperty("leads").GetArrayLength());

        using var bad = await client.GetAsync($"/api/campaigns/{id}/leads?state=finished");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Invalid state", problem.GetProperty("title").GetString());
        var message = problem.GetProperty("errors").GetProperty("state")[0].GetString()!;
        Assert.Contains("'finished'", message, StringComparison.Ordinal);
        Assert.Contains("waiting-retry", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/campaigns/{id}/leads?after=abc", "after")]
    [InlineData("/api/campaigns/{id}/leads?limit=many", "limit")]
    public async Task A_query_value_of_the_wrong_type_is_a_400_problem_naming_it(string path, string parameter)
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        using var response = await client.GetAsync(path.Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"Invalid {parameter}", problem.GetProperty("title").GetString());
        Assert.DoesNotContain("System.", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_page_with_a_bad_after_is_a_400_page_not_raw_json()
    {
        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var id = await CampaignsApiTests.CreateAsync(host.WithApiKey());
            using var response = await client.GetAsync($"/campaigns/{id}/report?after=abc");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            Assert.Contains("id=\"bad-request\"", html, StringComparison.Ordinal);
            Assert.Contains("after", html, StringComparison.Ordinal);
            Assert.Contains($"href=\"/campaigns/{id}/report\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Openapi_document_declares_the_api_key_scheme_and_requires_it()
    {
        using var client = host.WithApiKey();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var scheme = doc.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        var security = Assert.Single(doc.RootElement.GetProperty("security").EnumerateArray());
        Assert.True(security.TryGetProperty("ApiKey", out _));
        // /health answers without a key, and says so.
        var health = doc.RootElement.GetProperty("paths").GetProperty("/health").GetProperty("get");
        Assert.Equal(0, health.GetProperty("security").GetArrayLength());
    }
}
