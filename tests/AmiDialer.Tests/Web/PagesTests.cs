using System.Net;
using System.Net.Http.Json;
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
            Assert.Equal(HttpStatusCode.SeeOther, ok.StatusCode);
            Assert.Matches("^/campaigns/\\d+\\?notice=", ok.Headers.Location!.OriginalString); // with the "saved" notice
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
            // Refused, and still post/redirect/get: the refusal is said on the page the POST redirects to.
            using var pause = await client.PostAsync($"/campaigns/{id}/pause", new FormUrlEncodedContent(Form(token)));
            Assert.Equal(HttpStatusCode.SeeOther, pause.StatusCode);
            var refusedAt = pause.Headers.Location!.OriginalString;
            Assert.StartsWith($"/campaigns/{id}?notice=", refusedAt, StringComparison.Ordinal);
            var refused = WebUtility.HtmlDecode(await client.GetStringAsync(refusedAt));
            Assert.Matches("<div class=\"error-box\" role=\"alert\" id=\"notice\">[^<]*draft[^<]*</div>", refused);
            using var start = await client.PostAsync($"/campaigns/{id}/start", new FormUrlEncodedContent(Form(token)));
            Assert.Equal(HttpStatusCode.SeeOther, start.StatusCode);
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
            Assert.Equal(HttpStatusCode.SeeOther, ok.StatusCode);
            var page = WebUtility.HtmlDecode(await client.GetStringAsync(ok.Headers.Location!.OriginalString));
            Assert.Contains("id=\"notice\">+17205550142 is on the do-not-call list.</div>", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_page_form_answers_its_post_with_303_to_a_get_page()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var number = "+1720555" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var posts = new List<(string Path, Dictionary<string, string> Fields)>
            {
                ("/campaigns/new", Form(token, ("name", "prg " + Guid.NewGuid()))),
                ("/dnc", Form(token, ("number", number))),
                ("/dnc/remove", Form(token, ("number", number))),
                ("/dnc/remove", Form(token, ("number", number))),
            };
            foreach (var (path, fields) in posts)
            {
                using var response = await client.PostAsync(path, new FormUrlEncodedContent(fields));
                Assert.True(response.StatusCode == HttpStatusCode.SeeOther, $"POST {path} answered {(int)response.StatusCode}");
                using var target = await client.GetAsync(response.Headers.Location!.OriginalString);
                Assert.True(target.StatusCode == HttpStatusCode.OK, $"GET {response.Headers.Location} after POST {path} answered {(int)target.StatusCode}");
            }

            var id = await CampaignsApiTests.CreateAsync(host.WithApiKey());
            (await client.PostAsync($"/campaigns/{id}/edit", new FormUrlEncodedContent(Form(token, ("name", "prg edit " + Guid.NewGuid()))))).Dispose();
            foreach (var path in new[] { $"/campaigns/{id}/edit", $"/campaigns/{id}/start", $"/campaigns/{id}/pause", $"/campaigns/{id}/resume", $"/campaigns/{id}/stop", $"/campaigns/{id}/stop", $"/campaigns/{id}/delete" })
            {
                using var response = await client.PostAsync(path, new FormUrlEncodedContent(Form(token, ("name", "prg edit " + Guid.NewGuid()))));
                Assert.True(response.StatusCode == HttpStatusCode.SeeOther, $"POST {path} answered {(int)response.StatusCode}");
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(response.Headers.Location!.OriginalString)).StatusCode);
            }

            // Last the logout form: 303 to the login page.
            using var logout = await client.PostAsync("/logout", new FormUrlEncodedContent(Form(token)));
            Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);
            Assert.Equal("/login", logout.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task A_notice_not_made_by_the_server_is_not_shown()
    {
        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var html = await client.GetStringAsync("/dnc?notice=" + Uri.EscapeDataString("Call +1 900 555 0100 for support"));
            Assert.DoesNotContain("id=\"notice\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("for support", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Dnc_page_remove_offers_to_unblock_the_leads_it_blocked()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            using var api = host.WithApiKey();
            (await api.PostAsJsonAsync("/api/dnc", new { number = "+1 907 555 0141" })).Dispose();
            (await api.PostAsJsonAsync("/api/dnc", new { number = "+1 907 555 0142" })).Dispose();
            var id = await CampaignsApiTests.CreateAsync(api);
            await ImportsApiTests.UploadAsync(api, id, System.Text.Encoding.UTF8.GetBytes("phone\n+19075550141\n+19075550142\n"), "leads.csv", HttpStatusCode.OK);

            var page = await client.GetStringAsync("/dnc");
            Assert.Contains("name=\"unblock\"", page, StringComparison.Ordinal);

            using var kept = await client.PostAsync("/dnc/remove", new FormUrlEncodedContent(Form(token, ("number", "+19075550141"))));
            var keptHtml = await FollowAsync(client, kept);
            Assert.Contains("1 lead of this number stays blocked", keptHtml, StringComparison.Ordinal);
            Assert.Contains("id=\"dnc-unblock\"", keptHtml, StringComparison.Ordinal);
            using var offer = await client.PostAsync("/dnc/unblock", new FormUrlEncodedContent(Form(token, ("number", "+19075550141"))));
            Assert.Contains("1 lead unblocked", await FollowAsync(client, offer), StringComparison.Ordinal);

            using var freed = await client.PostAsync("/dnc/remove", new FormUrlEncodedContent(Form(token, ("number", "+19075550142"), ("unblock", "on"))));
            var freedHtml = await FollowAsync(client, freed);
            Assert.Contains("+19075550142 removed from the do-not-call list; 1 lead unblocked.", freedHtml, StringComparison.Ordinal);
            Assert.DoesNotContain("id=\"dnc-unblock\"", freedHtml, StringComparison.Ordinal);
            var report = await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/campaigns/{id}/report");
            Assert.Equal(0, report.GetProperty("blocked").GetInt64());
        }
    }

    [Fact]
    public async Task Dnc_page_adds_for_one_campaign_filters_by_scope_searches_and_exports_what_it_shows()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            using var api = host.WithApiKey();
            var name = "dnc scope " + Guid.NewGuid().ToString("N")[..6];
            var id = await CampaignsApiTests.CreateAsync(api, name);
            using var scoped = await client.PostAsync("/dnc", new FormUrlEncodedContent(Form(token, ("number", "(907) 555-0151"), ("campaignId", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("note", "asked =SUM(1)"))));
            Assert.Contains($"+19075550151 is on the do-not-call list of campaign {id}.", await FollowAsync(client, scoped), StringComparison.Ordinal);
            using var everywhere = await client.PostAsync("/dnc", new FormUrlEncodedContent(Form(token, ("number", "(907) 555-0152"))));
            var entries = await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/dnc?campaignId={id}");
            Assert.Equal(["+19075550151"], entries.EnumerateArray().Select(e => e.GetProperty("number").GetString()));

            var campaignView = WebUtility.HtmlDecode(await client.GetStringAsync($"/dnc?scope={id}"));
            var list = campaignView[campaignView.IndexOf("id=\"dnc-list\"", StringComparison.Ordinal)..];
            Assert.Contains("+19075550151", list, StringComparison.Ordinal);
            Assert.Contains("campaign " + name, list, StringComparison.Ordinal);
            Assert.DoesNotContain("+19075550152", list, StringComparison.Ordinal);
            Assert.Contains("On the list (1)", campaignView, StringComparison.Ordinal);

            var globalView = WebUtility.HtmlDecode(await client.GetStringAsync("/dnc?scope=global&q=907-555-015"));
            list = globalView[globalView.IndexOf("id=\"dnc-list\"", StringComparison.Ordinal)..];
            Assert.Contains("+19075550152", list, StringComparison.Ordinal);
            Assert.DoesNotContain("+19075550151", list, StringComparison.Ordinal);
            var byNote = WebUtility.HtmlDecode(await client.GetStringAsync("/dnc?q=SUM"));
            Assert.Contains("+19075550151", byNote[byNote.IndexOf("id=\"dnc-list\"", StringComparison.Ordinal)..], StringComparison.Ordinal);

            // The export link follows the filter; the CSV is safe to open in a spreadsheet.
            var href = Regex.Match(campaignView, "id=\"dnc-export\" href=\"([^\"]+)\"").Groups[1].Value;
            Assert.Equal($"/api/dnc/export?campaignId={id}", href);
            using var export = await client.GetAsync(href);
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            Assert.Equal("text/csv", export.Content.Headers.ContentType!.MediaType);
            var csv = (await export.Content.ReadAsStringAsync()).ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
            Assert.Equal("number,campaign,source,added_at,added_by,note", csv[0]);
            var row = Assert.Single(csv[1..]);
            Assert.StartsWith($"+19075550151,{name},manual,", row, StringComparison.Ordinal);
            Assert.Matches(@",\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,", row);
            Assert.EndsWith(",asked =SUM(1)", row, StringComparison.Ordinal);
        }
    }

    /// <summary>A page form's POST answers 303 (post/redirect/get): the page it leads to, decoded.</summary>
    private static async Task<string> FollowAsync(HttpClient client, HttpResponseMessage post)
    {
        Assert.True(post.StatusCode == HttpStatusCode.SeeOther, $"{post.RequestMessage!.RequestUri} answered {(int)post.StatusCode}");
        return WebUtility.HtmlDecode(await client.GetStringAsync(post.Headers.Location!.OriginalString));
    }

    internal static Dictionary<string, string> Form(string token, params (string Key, string Value)[] values)
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

    [GeneratedRegex("<tr data-lead=\"\\d+\"><td><a[^>]*>\\+1")]
    private static partial Regex LeadRow();
}
