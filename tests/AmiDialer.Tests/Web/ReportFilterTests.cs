using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AmiDialer.Core.Model;
using AmiDialer.Tests.Reports;

namespace AmiDialer.Tests.Web;

/// <summary>
/// The report's lead filters (state, outcome, number, last-attempt range) through the real host: the API, the CSV and
/// the page answer alike, bad values are a 400 naming the parameter, pages are numbered and keep the filters, and a
/// lead opens with its attempts.
/// </summary>
public sealed partial class ReportFilterTests : IAsyncLifetime
{
    private const string Zone = "America/New_York";

    private WebTestHost host = null!;
    private HttpClient api = null!;
    private long id;
    private IReadOnlyList<long> answeredFirst = [];
    private IReadOnlyList<long> second = [];

    // Two batches of calls an hour apart, after the import (a lead is due from its import on): the first answered,
    // the second busy, no-answer and answered.
    private DateTimeOffset First { get; set; }

    private DateTimeOffset Second => First.AddHours(1);

    public async Task InitializeAsync()
    {
        host = await WebTestHost.StartAsync();
        api = host.WithApiKey();
        using var created = await api.PostAsJsonAsync("/api/campaigns", new { name = "filters " + Guid.NewGuid(), callingHours = "00:00-24:00", timeZone = Zone, retryPolicy = "" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        // 60 leads: +1 212 555 1000 to 1059, written as people type them.
        var csv = "phone,name\n" + string.Concat(Enumerable.Range(0, 60).Select(i => $"(212) 555-{1000 + i},n{i}\n"));
        await ImportsApiTests.UploadAsync(api, id, Encoding.UTF8.GetBytes(csv), "sixty.csv", HttpStatusCode.OK);
        First = DateTimeOffset.UtcNow.AddMinutes(1);
        answeredFirst = await EndedAttempts.EndAsync(host.Services.Database, id, First, CallOutcome.Answered, CallOutcome.Answered);
        second = await EndedAttempts.EndAsync(host.Services.Database, id, Second, CallOutcome.Busy, CallOutcome.NoAnswer, CallOutcome.Answered);
    }

    public async Task DisposeAsync()
    {
        api.Dispose();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task The_api_filters_by_state_outcome_number_and_last_attempt_and_counts_the_matches()
    {
        var answered = await LeadsAsync("outcome=answered");
        Assert.Equal(3, answered.GetProperty("total").GetInt64());
        Assert.Equal([.. answeredFirst, second[2]], Ids(answered).Order());

        var done = await LeadsAsync("state=done&limit=2");
        Assert.Equal(2, done.GetProperty("leads").GetArrayLength());
        var rest = await LeadsAsync($"state=done&after={done.GetProperty("nextAfter").GetInt64()}");
        Assert.Equal(done.GetProperty("total").GetInt64(), 2 + rest.GetProperty("leads").GetArrayLength());
        Assert.All(rest.GetProperty("leads").EnumerateArray(), l => Assert.Equal("done", l.GetProperty("state").GetString()));

        // With an empty retry policy every ended lead is final: 55 never called are still pending.
        Assert.Equal(55, (await LeadsAsync("state=pending")).GetProperty("total").GetInt64());

        // A whole number typed as the import reads it; +digits a prefix; other digits anywhere.
        Assert.Equal(["+12125551007"], Phones(await LeadsAsync("q=" + Uri.EscapeDataString("(212) 555-1007"))));
        Assert.Equal(10, (await LeadsAsync("q=" + Uri.EscapeDataString("+1212555104"))).GetProperty("total").GetInt64());
        Assert.Equal(["+12125551033"], Phones(await LeadsAsync("q=1033")));
        Assert.Equal(60, (await LeadsAsync("q=555-10")).GetProperty("total").GetInt64());
        Assert.Equal(0, (await LeadsAsync("q=%2B44")).GetProperty("total").GetInt64());

        // The last attempt between from (inclusive) and to (exclusive), UTC.
        var firstOnly = await LeadsAsync($"from={Utc(First.AddMinutes(-1))}&to={Utc(First.AddMinutes(1))}");
        Assert.Equal(answeredFirst, Ids(firstOnly).Order());
        var secondOnly = await LeadsAsync($"from={Utc(Second)}");
        Assert.Equal(second.Order(), Ids(secondOnly).Order());
        Assert.Equal([second[2]], Ids(await LeadsAsync($"from={Utc(Second)}&outcome=answered")));
        Assert.Equal(0, (await LeadsAsync($"to={Utc(First)}")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task The_csv_export_takes_the_same_filters()
    {
        var csv = await api.GetStringAsync($"/api/campaigns/{id}/leads.csv?outcome=answered");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("phone,name,state,outcome", lines[0], StringComparison.Ordinal);
        Assert.Equal(4, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains(",done,answered,", l, StringComparison.Ordinal));

        var one = (await api.GetStringAsync($"/api/campaigns/{id}/leads.csv?q=1033")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, one.Length);
        Assert.StartsWith("+12125551033,n33,pending", one[1], StringComparison.Ordinal);
        Assert.Equal(61, (await api.GetStringAsync($"/api/campaigns/{id}/leads.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData("state=ended", "state")]
    [InlineData("outcome=hung-up", "outcome")]
    [InlineData("q=abc", "q")]
    [InlineData("q=%2B", "q")]
    [InlineData("from=2026-12-07T09:00:00", "from")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-12-07", "to")]
    [InlineData("from=2026-12-07T10:00:00Z&to=2026-12-07T09:00:00Z", "to")]
    public async Task A_bad_filter_value_is_a_400_naming_the_parameter(string query, string parameter)
    {
        foreach (var path in new[] { "leads", "leads.csv" })
        {
            using var response = await api.GetAsync($"/api/campaigns/{id}/{path}?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out var messages), $"{path}?{query}: {problem}");
            Assert.DoesNotContain("System.", messages.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_lead_comes_with_its_attempts_and_is_documented_in_openapi()
    {
        var busy = second[0];
        var lead = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/leads/{busy}");
        Assert.Equal(busy, lead.GetProperty("lead").GetProperty("leadId").GetInt64());
        Assert.Equal("busy", lead.GetProperty("lead").GetProperty("outcome").GetString());
        var attempt = Assert.Single(lead.GetProperty("attempts").EnumerateArray());
        Assert.Equal("pbx1", attempt.GetProperty("server").GetString());
        Assert.Equal("busy", attempt.GetProperty("outcome").GetString());
        Assert.Equal("ended", attempt.GetProperty("state").GetString());
        Assert.EndsWith("Z", attempt.GetProperty("startedAt").GetString(), StringComparison.Ordinal);
        Assert.Equal(Second.ToUnixTimeSeconds(), attempt.GetProperty("startedAt").GetDateTimeOffset().ToUnixTimeSeconds());

        var talked = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/leads/{second[2]}");
        Assert.Equal(30, Assert.Single(talked.GetProperty("attempts").EnumerateArray()).GetProperty("talkSeconds").GetDouble());

        var other = await CampaignsApiTests.CreateAsync(api);
        using (var wrongCampaign = await api.GetAsync($"/api/campaigns/{other}/leads/{busy}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrongCampaign.StatusCode);
        }

        var openApi = await api.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var get = openApi.GetProperty("paths").GetProperty("/api/campaigns/{id}/leads/{leadId}").GetProperty("get");
        Assert.Equal("GetLead", get.GetProperty("operationId").GetString());
        Assert.True(get.GetProperty("responses").TryGetProperty("200", out _));
        var list = openApi.GetProperty("paths").GetProperty("/api/campaigns/{id}/leads").GetProperty("get");
        var parameters = list.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "state", "outcome", "q", "from", "to", "after", "limit" }, parameters.ToHashSet());
    }

    [Fact]
    public async Task The_page_numbers_its_pages_and_keeps_the_filters_in_every_link()
    {
        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var html = WebUtility.HtmlDecode(await client.GetStringAsync($"/campaigns/{id}/report"));
            Assert.Contains("Page 1 of 3", html, StringComparison.Ordinal);
            Assert.DoesNotContain("id=\"prev-page\"", html, StringComparison.Ordinal);
            Assert.Equal($"/campaigns/{id}/report?page=2", Href(html, "next-page"));

            html = WebUtility.HtmlDecode(await client.GetStringAsync($"/campaigns/{id}/report?page=3"));
            Assert.Contains("Page 3 of 3", html, StringComparison.Ordinal);
            Assert.Equal(10, Rows(html).Count);
            Assert.Equal($"/campaigns/{id}/report?page=2", Href(html, "prev-page"));
            Assert.DoesNotContain("id=\"next-page\"", html, StringComparison.Ordinal);

            // Pending leads: 55, three pages; every link keeps the filter, the CSV link too.
            html = WebUtility.HtmlDecode(await client.GetStringAsync($"/campaigns/{id}/report?state=pending&q=555&page=2"));
            Assert.Contains("Page 2 of 3", html, StringComparison.Ordinal);
            Assert.Contains("55 leads match", html, StringComparison.Ordinal);
            Assert.Equal($"/campaigns/{id}/report?state=pending&q=555", Href(html, "prev-page"));
            Assert.Equal($"/campaigns/{id}/report?state=pending&q=555&page=3", Href(html, "next-page"));
            Assert.Equal($"/api/campaigns/{id}/leads.csv?state=pending&q=555", Href(html, "export-csv"));
            Assert.Contains("<option selected>pending</option>", html, StringComparison.Ordinal);
            Assert.All(Rows(html), r => Assert.Contains("<td>pending</td>", r, StringComparison.Ordinal));

            // A legacy after= link lands on the page holding that lead.
            var page2First = Regex.Match(WebUtility.HtmlDecode(await client.GetStringAsync($"/campaigns/{id}/report?page=2")), "data-lead=\"(\\d+)\"").Groups[1].Value;
            html = WebUtility.HtmlDecode(await client.GetStringAsync($"/campaigns/{id}/report?after={long.Parse(page2First, CultureInfo.InvariantCulture) - 1}"));
            Assert.Contains("Page 2 of 3", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_page_reads_the_date_range_in_the_campaigns_zone_and_opens_a_lead_with_its_attempts()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);
        var local = TimeZoneInfo.ConvertTime(Second, zone);
        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            // The minute of the second batch, in New York time: inclusive, so its three leads.
            var from = local.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
            var html = WebUtility.HtmlDecode(await client.GetStringAsync($"/campaigns/{id}/report?from={from}&to={from}"));
            Assert.Contains("3 leads match", html, StringComparison.Ordinal);
            Assert.Contains($"Last attempt from ({Zone})", html, StringComparison.Ordinal);
            Assert.Equal($"/api/campaigns/{id}/leads.csv?from={Utc(Floor(Second))}&to={Utc(Floor(Second).AddMinutes(1))}", Href(html, "export-csv"));

            var link = Uri.UnescapeDataString(Regex.Match(html, $"<tr data-lead=\"{second[0]}\"><td><a class=\"lead-link\" href=\"([^\"]+)\"").Groups[1].Value);
            Assert.Equal($"/campaigns/{id}/report/leads/{second[0]}?from={from}&to={from}", link);
            var lead = WebUtility.HtmlDecode(await client.GetStringAsync(link));
            Assert.Contains("id=\"attempts\"", lead, StringComparison.Ordinal);
            Assert.Contains($"<td>{local:yyyy-MM-dd HH:mm:ss}</td>", lead, StringComparison.Ordinal);
            Assert.Contains("<td>pbx1</td><td>busy</td>", lead, StringComparison.Ordinal);
            Assert.Equal($"/campaigns/{id}/report?from={from}&to={from}", Href(lead, "back-to-report"));

            using var missing = await client.GetAsync($"/campaigns/{id}/report/leads/999999");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
    }

    [Theory]
    [InlineData("state=ended", "state")]
    [InlineData("q=abc", "q")]
    [InlineData("from=07/12/2026", "from")]
    [InlineData("page=0", "page")]
    public async Task A_bad_filter_on_the_page_is_a_400_page_naming_the_field(string query, string parameter)
    {
        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            using var response = await client.GetAsync($"/campaigns/{id}/report?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            Assert.Contains($"id=\"filter-error\" data-parameter=\"{parameter}\"", html, StringComparison.Ordinal);
            Assert.Contains("id=\"lead-filters\"", html, StringComparison.Ordinal);
        }
    }

    private async Task<JsonElement> LeadsAsync(string query)
    {
        using var response = await api.GetAsync($"/api/campaigns/{id}/leads?{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static List<long> Ids(JsonElement page) => [.. page.GetProperty("leads").EnumerateArray().Select(l => l.GetProperty("leadId").GetInt64())];

    private static List<string?> Phones(JsonElement page) => [.. page.GetProperty("leads").EnumerateArray().Select(l => l.GetProperty("phone").GetString())];

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Floor(DateTimeOffset at) => new(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero);

    private static string? Href(string html, string elementId) =>
        Regex.Match(html, $"id=\"{elementId}\" href=\"([^\"]*)\"|href=\"([^\"]*)\" id=\"{elementId}\"") is { Success: true } m
            ? Uri.UnescapeDataString(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
            : null;

    private static List<string> Rows(string html) => [.. Regex.Matches(html, "<tr data-lead=.*?</tr>").Select(m => m.Value)];
}
