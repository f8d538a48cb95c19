using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AmiDialer.Tests.Web;

/// <summary>
/// The campaign form through the real host: a "saved" notice after post/redirect/get, start and end as wall times
/// in the campaign's zone, the zone picker's suggestions, channel variable rows, and the max-attempts sentence.
/// </summary>
public sealed partial class CampaignFormTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Saving_redirects_to_the_campaign_which_says_it_was_saved()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var name = "saved " + Guid.NewGuid();
            var id = await CreateAsync(client, token, [("name", name)]);
            using var created = await client.GetAsync(LastLocation!);
            var html = WebUtility.HtmlDecode(await created.Content.ReadAsStringAsync());
            Assert.Contains($"<div class=\"ok-box\" role=\"status\" id=\"notice\">Campaign {name} saved. Upload its CSV of numbers next.</div>", html, StringComparison.Ordinal);

            using var edited = await PostAsync(client, $"/campaigns/{id}/edit", token, [("name", name + " bis")]);
            Assert.Equal(HttpStatusCode.SeeOther, edited.StatusCode);
            Assert.StartsWith($"/campaigns/{id}?notice=", edited.Headers.Location!.OriginalString, StringComparison.Ordinal);
            html = WebUtility.HtmlDecode(await client.GetStringAsync(edited.Headers.Location));
            Assert.Contains($"id=\"notice\">Campaign {name} bis saved.</div>", html, StringComparison.Ordinal);
            // The notice is the redirect's, not the page's: the plain address shows none.
            Assert.DoesNotContain("id=\"notice\"", await client.GetStringAsync($"/campaigns/{id}"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_and_end_are_wall_times_in_the_campaigns_zone_and_are_shown_back_in_it()
    {
        var (client, token) = await host.LoggedInAsync();
        using var api = host.WithApiKey();
        using (client)
        {
            var id = await CreateAsync(client, token, [("timeZone", "America/Chicago"), ("startAt", "2030-07-01T09:00"), ("endAt", "2030-12-01T17:30")]);
            var dto = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}");
            Assert.Equal("2030-07-01T14:00:00Z", dto.GetProperty("startAt").GetString()); // CDT, -05:00
            Assert.Equal("2030-12-01T23:30:00Z", dto.GetProperty("endAt").GetString()); // CST, -06:00
            var form = await client.GetStringAsync($"/campaigns/{id}/edit");
            Assert.Matches("<input id=\"f-startAt\" name=\"startAt\" type=\"datetime-local\" value=\"2030-07-01T09:00\"", form);
            Assert.Matches("<input id=\"f-endAt\" name=\"endAt\" type=\"datetime-local\" value=\"2030-12-01T17:30\"", form);
            Assert.Contains("in the campaign&#x27;s time zone (above)", form, StringComparison.Ordinal);

            // The same wall times in another zone are other instants.
            using (var paris = await PostAsync(client, $"/campaigns/{id}/edit", token, [("timeZone", "Europe/Paris"), ("startAt", "2030-07-01T09:00"), ("endAt", "2030-12-01T17:30")]))
            {
                Assert.Equal(HttpStatusCode.SeeOther, paris.StatusCode);
            }

            dto = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}");
            Assert.Equal("2030-07-01T07:00:00Z", dto.GetProperty("startAt").GetString());
            Assert.Equal("2030-12-01T16:30:00Z", dto.GetProperty("endAt").GetString());

            // A time the clocks skip is refused next to its field, naming the zone; nothing is saved.
            using (var skipped = await PostAsync(client, $"/campaigns/{id}/edit", token, [("timeZone", "America/Chicago"), ("startAt", "2031-03-09T02:30")]))
            {
                Assert.Equal(HttpStatusCode.BadRequest, skipped.StatusCode);
                var html = WebUtility.HtmlDecode(await skipped.Content.ReadAsStringAsync());
                Assert.Contains("id=\"err-startAt\" data-field=\"startAt\">2031-03-09 02:30 does not exist in America/Chicago: the clocks skip it", html, StringComparison.Ordinal);
                Assert.Contains("value=\"2031-03-09T02:30\"", html, StringComparison.Ordinal); // kept as typed
            }

            using (var noZone = await PostAsync(client, $"/campaigns/{id}/edit", token, [("timeZone", "Mars/Olympus"), ("startAt", "2030-07-01T09:00")]))
            {
                Assert.Equal(HttpStatusCode.BadRequest, noZone.StatusCode);
                Assert.Contains("Choose a valid time zone first: this time is read in it.", WebUtility.HtmlDecode(await noZone.Content.ReadAsStringAsync()), StringComparison.Ordinal);
            }

            Assert.Equal("2030-07-01T07:00:00Z", (await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}")).GetProperty("startAt").GetString());

            // Emptied, start and end are cleared.
            using (var cleared = await PostAsync(client, $"/campaigns/{id}/edit", token, [("timeZone", "Europe/Paris")]))
            {
                Assert.Equal(HttpStatusCode.SeeOther, cleared.StatusCode);
            }

            dto = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}");
            Assert.Equal(JsonValueKind.Null, dto.GetProperty("startAt").ValueKind);
            Assert.Equal(JsonValueKind.Null, dto.GetProperty("endAt").ValueKind);
        }
    }

    [Fact]
    public async Task The_zone_picker_suggests_iana_ids_with_the_campaigns_region_first()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            // A new campaign: the default zone is New York, so the United States' zones come first.
            var zones = Options(await client.GetStringAsync("/campaigns/new"));
            Assert.True(zones.Count > 300, $"only {zones.Count} zones offered");
            Assert.Equal("America/New_York", zones[0].Id);
            Assert.StartsWith("US · Eastern (most areas) · UTC-0", zones[0].Label, StringComparison.Ordinal);
            var lastUs = zones.FindLastIndex(z => z.Label.StartsWith("US ·", StringComparison.Ordinal));
            Assert.True(zones.FindIndex(z => z.Id == "America/Chicago") < lastUs);
            Assert.True(zones.FindIndex(z => z.Id == "Europe/Paris") > lastUs);
            Assert.Contains(zones, z => z.Id == "UTC");

            // A Paris campaign: France's zone first.
            var id = await CreateAsync(client, token, [("timeZone", "Europe/Paris")]);
            var paris = Options(await client.GetStringAsync($"/campaigns/{id}/edit"));
            Assert.Equal("Europe/Paris", paris[0].Id);
            Assert.StartsWith("FR · ", paris[0].Label, StringComparison.Ordinal);
            Assert.Contains(paris, z => z.Id == "America/New_York");
        }
    }

    [Fact]
    public async Task Channel_variables_are_added_changed_and_removed_and_bad_ones_are_named_on_their_row()
    {
        var (client, token) = await host.LoggedInAsync();
        using var api = host.WithApiKey();
        using (client)
        {
            var id = await CreateAsync(client, token, [.. Variables(("ACCOUNT", "field", "account"), ("CAMPAIGN", "value", "spring sale"), ("", "value", ""))]);
            Assert.Equal(["ACCOUNT<-account", "CAMPAIGN=spring sale"], await VariablesAsync(api, id));
            var form = WebUtility.HtmlDecode(await client.GetStringAsync($"/campaigns/{id}/edit"));
            var rows = Regex.Match(form, "<tbody id=\"variable-rows\">(.*?)</tbody>", RegexOptions.Singleline).Groups[1].Value;
            Assert.Equal(3, VariableRow().Matches(rows).Count); // the two, and a blank one to add another
            Assert.Contains("value=\"spring sale\"", form, StringComparison.Ordinal);

            // Change one, remove the other (its row left out, or emptied), add a third.
            using (var changed = await PostAsync(client, $"/campaigns/{id}/edit", token, [.. Variables(("CAMPAIGN", "value", "autumn"), ("", "value", ""), ("_REGION", "field", "region"))]))
            {
                Assert.Equal(HttpStatusCode.SeeOther, changed.StatusCode);
            }

            Assert.Equal(["CAMPAIGN=autumn", "_REGION<-region"], await VariablesAsync(api, id));
            Assert.Contains("<th>Channel variables</th><td>CAMPAIGN=autumn, _REGION = lead column region</td>", await client.GetStringAsync($"/campaigns/{id}"), StringComparison.Ordinal);

            // Refused with the API's rules, each message on its row; the rows come back as typed, nothing is saved.
            using var bad = await PostAsync(client, $"/campaigns/{id}/edit", token,
                [.. Variables(("FILE(/etc/passwd)", "value", "x"), ("NOTE", "value", "line one\r\nline two"), ("ACCOUNT", "field", " "))]);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var html = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
            Assert.Contains("id=\"err-variables-0-name\">'FILE(/etc/passwd)' must match [A-Za-z_][A-Za-z0-9_]*", html, StringComparison.Ordinal);
            Assert.Contains("id=\"err-variables-1-text\">the value contains a line break", html, StringComparison.Ordinal);
            Assert.Contains("id=\"err-variables-2-text\">Name the lead's CSV column", html, StringComparison.Ordinal);
            Assert.Contains("value=\"FILE(/etc/passwd)\"", html, StringComparison.Ordinal);
            Assert.Equal(["CAMPAIGN=autumn", "_REGION<-region"], await VariablesAsync(api, id));
        }
    }

    [Fact]
    public async Task Under_max_attempts_a_sentence_says_what_it_does_with_the_retry_policy()
    {
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var id = await CreateAsync(client, token, [("retryPolicy", ""), ("maxAttempts", "3")]);
            var html = WebUtility.HtmlDecode(await client.GetStringAsync($"/campaigns/{id}/edit"));
            Assert.Contains("id=\"max-attempts-meaning\" aria-live=\"polite\">Each number is called once: with no retry rule, no outcome is tried again. " +
                "Max attempts 3 only limits the re-dials of calls cut off by Asterisk going down before an answer: at most 3 calls to a number then.<", html, StringComparison.Ordinal);

            // As the fields change, the form's script asks for the new sentence.
            Assert.Equal(
                "busy is tried again after 5 minutes, up to 3 times; any other outcome is final. Max attempts 2 stops a number sooner: at most 2 calls in all (the rules alone would allow 4), re-dials of calls cut off by Asterisk going down included.",
                await client.GetStringAsync("/campaigns/retry-meaning?retryPolicy=busy%3D5m%3A3&maxAttempts=2"));
            Assert.StartsWith("Fix the retry policy to see what max attempts does (retry policy entry 1 'busy=soon'",
                await client.GetStringAsync("/campaigns/retry-meaning?retryPolicy=busy%3Dsoon&maxAttempts=2"), StringComparison.Ordinal);
            Assert.Equal("Enter max attempts (1 to 100) to see what it does.", await client.GetStringAsync("/campaigns/retry-meaning?retryPolicy=&maxAttempts=0"));
        }

        // Behind the login like every page.
        using var anonymous = host.Anonymous();
        using var refused = await anonymous.GetAsync("/campaigns/retry-meaning?retryPolicy=&maxAttempts=3");
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
    }

    private string? LastLocation { get; set; }

    private async Task<long> CreateAsync(HttpClient client, string token, (string Key, string Value)[] values)
    {
        using var response = await PostAsync(client, "/campaigns/new", token, values);
        Assert.True(response.StatusCode == HttpStatusCode.SeeOther, $"{(int)response.StatusCode}: {WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync())}");
        LastLocation = response.Headers.Location!.OriginalString;
        return long.Parse(Regex.Match(LastLocation, "^/campaigns/(\\d+)\\?notice=").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Posts the form with the test defaults and a name of its own (the fixture's host is shared), <paramref name="values"/>
    /// replacing them (repeated keys for variable rows kept in order).
    /// </summary>
    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string token, (string Key, string Value)[] values)
    {
        var single = values.Where(v => !v.Key.StartsWith("var", StringComparison.Ordinal)).Prepend(("name", "form " + Guid.NewGuid())).ToArray();
        var fields = PagesTests.Form(token, single).ToList();
        fields.AddRange(values.Where(v => v.Key.StartsWith("var", StringComparison.Ordinal)).Select(v => KeyValuePair.Create(v.Key, v.Value)));
        return client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    private static IEnumerable<(string, string)> Variables(params (string Name, string Kind, string Text)[] rows) =>
        rows.SelectMany(r => new[] { ("varName", r.Name), ("varKind", r.Kind), ("varText", r.Text) });

    private static async Task<string[]> VariablesAsync(HttpClient api, long id) =>
        [.. (await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}")).GetProperty("variables").EnumerateArray()
            .Select(v => v.GetProperty("field").GetString() is { } field ? $"{v.GetProperty("name").GetString()}<-{field}" : $"{v.GetProperty("name").GetString()}={v.GetProperty("value").GetString()}")];

    private static List<(string Id, string Label)> Options(string html)
    {
        var list = Regex.Match(html, "<datalist id=\"time-zones\">(.*?)</datalist>", RegexOptions.Singleline);
        Assert.True(list.Success, "no time-zone datalist");
        return [.. Regex.Matches(list.Groups[1].Value, "<option value=\"([^\"]*)\" label=\"([^\"]*)\">").Select(m => (WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))];
    }

    [GeneratedRegex("<tr class=\"variable\">")]
    private static partial Regex VariableRow();
}
