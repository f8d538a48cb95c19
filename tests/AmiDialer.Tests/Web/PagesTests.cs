using System.Net;
using System.Text.RegularExpressions;

namespace AmiDialer.Tests.Web;

/// <summary>The server-rendered pages over HTTP with the login cookie (the browser tests cover the scripts).</summary>
public sealed partial class PagesTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task New_campaign_form_shows_errors_next_to_fields_and_creates_when_valid()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var fields = Form(token, ("name", "page " + Guid.NewGuid()), ("ringTimeoutSeconds", "5"), ("destination", "nowhere"));
            using var bad = await client.PostAsync("/campaigns/new", new FormUrlEncodedContent(fields));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var html = await bad.Content.ReadAsStringAsync();
            Assert.Matches("id=\"f-ringTimeoutSeconds\"[^>]*aria-invalid=\"true\"[^>]*><span class=\"field-error\" id=\"err-ringTimeoutSeconds\"", html);
            Assert.Contains("id=\"err-destination\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("id=\"err-name\"", html, StringComparison.Ordinal);

            fields["ringTimeoutSeconds"] = "30";
            fields["destination"] = "agents,100,1";
            using var ok = await client.PostAsync("/campaigns/new", new FormUrlEncodedContent(fields));
            Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
            Assert.Matches("^/campaigns/\\d+$", ok.Headers.Location!.OriginalString);
            var page = await client.GetStringAsync(ok.Headers.Location!.OriginalString);
            Assert.Contains("id=\"state\">draft<", page, StringComparison.Ordinal);
            Assert.Contains("/events", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Page_forms_without_the_token_are_refused()
    {
        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            using var response = await client.PostAsync("/campaigns/new", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "csrf" }));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var dnc = await client.PostAsync("/dnc", new FormUrlEncodedContent(new Dictionary<string, string> { ["number"] = "+12125550100" }));
            Assert.Equal(HttpStatusCode.BadRequest, dnc.StatusCode);
        }
    }

    [Fact]
    public async Task Campaign_buttons_change_state_and_a_refused_change_says_why()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var id = await CampaignsApiTests.CreateAsync(host.WithApiKey());
            using var pause = await client.PostAsync($"/campaigns/{id}/pause", new FormUrlEncodedContent(Form(token)));
            Assert.Equal(HttpStatusCode.Conflict, pause.StatusCode);
            Assert.Contains("id=\"command-error\"", await pause.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var start = await client.PostAsync($"/campaigns/{id}/start", new FormUrlEncodedContent(Form(token)));
            Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
            Assert.Contains("id=\"state\">running<", await client.GetStringAsync($"/campaigns/{id}"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Report_page_renders_both_charts_as_svg_and_the_export_link()
    {
        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var api = host.WithApiKey();
            var id = await CampaignsApiTests.CreateAsync(api);
            await ImportsApiTests.UploadAsync(api, id, File.ReadAllBytes(AmiDialer.Testing.RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
            var html = WebUtility.HtmlDecode(await client.GetStringAsync($"/campaigns/{id}/report"));
            Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-donut\"", html, StringComparison.Ordinal);
            Assert.Contains("class=\"chart-columns\"", html, StringComparison.Ordinal);
            Assert.Contains($"/api/campaigns/{id}/leads.csv", html, StringComparison.Ordinal);
            Assert.Equal(20, LeadRow().Matches(html[html.IndexOf("id=\"leads\"", StringComparison.Ordinal)..]).Count);
            Assert.Contains("id=\"report-simulated\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Dnc_page_adds_and_reports_a_bad_number_next_to_the_field()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            using var bad = await client.PostAsync("/dnc", new FormUrlEncodedContent(Form(token, ("number", "12345"))));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("id=\"err-number\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var ok = await client.PostAsync("/dnc", new FormUrlEncodedContent(Form(token, ("number", "(720) 555-0142"))));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Contains("+17205550142", WebUtility.HtmlDecode(await ok.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }
    }

    private static Dictionary<string, string> Form(string token, params (string Key, string Value)[] values)
    {
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["name"] = "x",
            ["dialTemplate"] = "Local/{number}@outbound",
            ["destination"] = "agents,100,1",
            ["timeZone"] = "America/New_York",
            ["callingHours"] = "08:00-21:00",
            ["maxConcurrentCalls"] = "5",
            ["callsPerSecond"] = "2",
            ["ringTimeoutSeconds"] = "30",
            ["maxAttempts"] = "3",
        };
        foreach (var (k, v) in values)
        {
            form[k] = v;
        }

        return form;
    }

    [GeneratedRegex("<tr><td>\\+1")]
    private static partial Regex LeadRow();
}
