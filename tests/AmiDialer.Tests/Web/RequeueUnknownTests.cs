using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing;
using AmiDialer.Tests.Reports;

namespace AmiDialer.Tests.Web;

/// <summary>
/// Leads whose call ended while the dialer was down, through the real host: status, per-lead API, CSV export and
/// pages name them; <c>POST /api/campaigns/{id}/requeue</c> and the campaign page's button give them back, audited.
/// </summary>
public sealed class RequeueUnknownTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private const string Note = "ended while the dialer was down: outcome unknown";
    private readonly WebTestHost host = fixture.Host;

    private async Task<long> CampaignWithLeadsAsync(HttpClient api)
    {
        var id = await CampaignsApiTests.CreateAsync(api);
        await ImportsApiTests.UploadAsync(api, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
        return id;
    }

    [Fact]
    public async Task Api_pages_and_export_name_unknown_leads_and_the_button_and_the_api_requeue_them()
    {
        using var api = host.WithApiKey();
        var id = await CampaignWithLeadsAsync(api);
        var ids = await EndedAttempts.EndAsync(host.Services.Database, id, DateTimeOffset.UtcNow, CallOutcome.Unknown, CallOutcome.Unknown, CallOutcome.Answered);

        var status = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status");
        Assert.Equal(2, status.GetProperty("outcomeUnknown").GetInt64());
        Assert.Equal(Note, status.GetProperty("outcomeUnknownNote").GetString());
        Assert.Equal(1.0, status.GetProperty("answerRate").GetDouble()); // 1 answered of 1 known; the 2 unknown left out
        var report = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/report");
        Assert.Equal(2, report.GetProperty("outcomeUnknown").GetInt64());

        var page = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/leads?limit=50");
        var noted = page.GetProperty("leads").EnumerateArray().Where(l => l.GetProperty("outcomeNote").ValueKind == JsonValueKind.String).ToList();
        Assert.Equal(ids.Take(2), noted.Select(l => l.GetProperty("leadId").GetInt64()));
        Assert.All(noted, l => Assert.Equal(("unknown", Note), (l.GetProperty("outcome").GetString(), l.GetProperty("outcomeNote").GetString())));
        var csv = await api.GetStringAsync($"/api/campaigns/{id}/leads.csv");
        Assert.Equal(2, csv.Split('\n').Count(line => line.TrimEnd('\r').EndsWith("," + Note, StringComparison.Ordinal) && line.Contains(",done,unknown,1,", StringComparison.Ordinal)));

        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var reportPage = await client.GetStringAsync($"/campaigns/{id}/report");
            Assert.Contains("id=\"r-unknown\">2<", reportPage, StringComparison.Ordinal);
            Assert.Contains("(" + Note + ")", reportPage, StringComparison.Ordinal);
            var campaignPage = await client.GetStringAsync($"/campaigns/{id}");
            Assert.Contains("<section class=\"card\" id=\"unknown\"><h2>Ended while the dialer was down: outcome unknown</h2>", campaignPage, StringComparison.Ordinal);
            Assert.Contains("id=\"outcomeUnknown\">2<", campaignPage, StringComparison.Ordinal);
            Assert.Contains("id=\"requeue-unknown\"", campaignPage, StringComparison.Ordinal);

            // The button: post, then redirect to the page (post/redirect/get), which no longer shows the section.
            using var posted = await client.PostAsync($"/campaigns/{id}/requeue-unknown", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
            Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
            Assert.Equal($"/campaigns/{id}", posted.Headers.Location?.OriginalString);
            Assert.Contains("id=\"unknown\" hidden>", await client.GetStringAsync($"/campaigns/{id}"), StringComparison.Ordinal);

            // Without the antiforgery token the form is refused and nothing changes.
            await EndedAttempts.EndAsync(host.Services.Database, id, DateTimeOffset.UtcNow, CallOutcome.Unknown);
            using var forged = await client.PostAsync($"/campaigns/{id}/requeue-unknown", new FormUrlEncodedContent(new Dictionary<string, string>()));
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Equal(1, (await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status")).GetProperty("outcomeUnknown").GetInt64());
        }

        foreach (var lead in ids.Take(2))
        {
            var now = (await host.Services.Leads.GetAsync(lead))!;
            Assert.Equal((LeadState.Pending, (CallOutcome?)null, 1), (now.State, now.FinalOutcome, now.AttemptCount));
            Assert.Contains(CallOutcome.Unknown, (await host.Services.Attempts.ListByLeadAsync(lead)).Select(a => a.Outcome));
        }

        // The API: the body names the outcome; anything else is a 400 naming the field.
        foreach (var body in new object[] { new { }, new { outcome = "busy" } })
        {
            using var bad = await api.PostAsJsonAsync($"/api/campaigns/{id}/requeue", body);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("outcome", out _));
        }

        using (var missing = await api.PostAsJsonAsync($"/api/campaigns/{id + 100000}/requeue", new { outcome = "unknown" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using var done = await api.PostAsJsonAsync($"/api/campaigns/{id}/requeue", new { outcome = "unknown" });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var result = await done.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((id, "unknown", 1L, "draft"), (result.GetProperty("id").GetInt64(), result.GetProperty("outcome").GetString(), result.GetProperty("requeued").GetInt64(), result.GetProperty("state").GetString()));
        Assert.Equal(0, (await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status")).GetProperty("outcomeUnknown").GetInt64());

        var audit = (await new AuditLog(host.Services.Database).ListAsync(subject: $"campaign:{id}")).Where(a => a.Action == "campaign.requeue").ToList();
        Assert.Equal(["outcome unknown: 1 lead(s) back to pending; draft -> draft", "outcome unknown: 2 lead(s) back to pending; draft -> draft"], audit.Select(a => a.Details));
        Assert.All(audit, a => Assert.StartsWith("web:", a.Actor, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stopped_campaign_and_the_built_in_one_are_refused_with_409()
    {
        using var api = host.WithApiKey();
        var id = await CampaignWithLeadsAsync(api);
        await EndedAttempts.EndAsync(host.Services.Database, id, DateTimeOffset.UtcNow, CallOutcome.Unknown);
        (await api.PostAsync(new Uri($"/api/campaigns/{id}/stop", UriKind.Relative), null)).Dispose();
        using var stopped = await api.PostAsJsonAsync($"/api/campaigns/{id}/requeue", new { outcome = "unknown" });
        Assert.Equal(HttpStatusCode.Conflict, stopped.StatusCode);
        Assert.Contains("is stopped", (await stopped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status")).GetProperty("outcomeUnknown").GetInt64());

        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var page = await client.GetStringAsync($"/campaigns/{id}");
            Assert.Matches("<form method=\"post\" action=\"/campaigns/\\d+/requeue-unknown\" data-states=\"[^\"]*\" hidden", page);
            using var posted = await client.PostAsync($"/campaigns/{id}/requeue-unknown", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
            // Refused, said on the page the POST redirects to (post/redirect/get).
            Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
            Assert.Matches("id=\"notice\">[^<]*is stopped", await client.GetStringAsync(posted.Headers.Location!.OriginalString));
        }

        var builtIn = await host.Services.Campaigns.GetByNameAsync(BuiltInCampaign.ClickToCallName)
            ?? await host.Services.Campaigns.CreateAsync(new Campaign { Name = BuiltInCampaign.ClickToCallName, MaxAttempts = 1 }, "test");
        using var refused = await api.PostAsJsonAsync($"/api/campaigns/{builtIn.Id}/requeue", new { outcome = "unknown" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("cannot be requeued", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lead_abandoned_within_the_delay_is_named_with_its_time_and_requeued_only_when_forced_or_confirmed()
    {
        using var api = host.WithApiKey();
        var id = await CampaignWithLeadsAsync(api);
        var answeredAt = DateTimeOffset.UtcNow;
        var leadId = await EndedAttempts.AbandonedThenUnknownAsync(host.Services.Database, id, answeredAt);
        var notBefore = answeredAt + host.Services.Settings.Dialing.AbandonRetryDelay;
        var utc = notBefore.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "Z";

        // The lead API says when it may be called again.
        var lead = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/leads/{leadId}");
        var abandoned = lead.GetProperty("abandoned");
        Assert.Equal(("late", true, "abandoned; not before " + utc), (abandoned.GetProperty("fate").GetString(), abandoned.GetProperty("waiting").GetBoolean(), abandoned.GetProperty("note").GetString()));
        Assert.InRange(abandoned.GetProperty("notBefore").GetDateTimeOffset() - notBefore, TimeSpan.FromMilliseconds(-1), TimeSpan.FromMilliseconds(1));

        // The API refuses without force: a 409 naming the lead's number and time, each lead in insideAbandonDelay.
        using (var refused = await api.PostAsJsonAsync($"/api/campaigns/{id}/requeue", new { outcome = "unknown" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.Contains(" not before " + utc, detail, StringComparison.Ordinal);
            Assert.Contains("Dialing:AbandonRetryDelay", detail, StringComparison.Ordinal);
            Assert.EndsWith("Send \"force\": true to requeue them now.", detail, StringComparison.Ordinal);
            var early = Assert.Single(problem.GetProperty("insideAbandonDelay").EnumerateArray());
            Assert.Equal(leadId, early.GetProperty("leadId").GetInt64());
        }

        Assert.Equal(LeadState.Done, (await host.Services.Leads.GetAsync(leadId))!.State);
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var leadPage = await client.GetStringAsync($"/campaigns/{id}/report/leads/{leadId}");
            Assert.Matches("id=\"lead-abandoned\">abandoned; not before \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\(", leadPage);

            // The button: refused, the page comes back naming the time, with "Requeue anyway" (it asks to confirm).
            var form = new Dictionary<string, string> { ["__RequestVerificationToken"] = token };
            using var posted = await client.PostAsync($"/campaigns/{id}/requeue-unknown", new FormUrlEncodedContent(form));
            Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
            var location = posted.Headers.Location!.OriginalString;
            Assert.StartsWith($"/campaigns/{id}?requeue-abandoned=", location, StringComparison.Ordinal);
            var page = await client.GetStringAsync(location);
            Assert.Contains(" not before " + utc, page, StringComparison.Ordinal);
            Assert.Contains("id=\"requeue-anyway\" class=\"danger\">Requeue anyway, before ", page, StringComparison.Ordinal);
            Assert.Contains("return confirm(", page, StringComparison.Ordinal);
            Assert.Equal(LeadState.Done, (await host.Services.Leads.GetAsync(leadId))!.State);

            // Confirmed: forced, the lead is pending, and the audit row says it was forced and until when it was held.
            form["force"] = "true";
            using var forced = await client.PostAsync($"/campaigns/{id}/requeue-unknown", new FormUrlEncodedContent(form));
            Assert.Equal(HttpStatusCode.SeeOther, forced.StatusCode);
            Assert.Equal($"/campaigns/{id}", forced.Headers.Location?.OriginalString);
        }

        Assert.Equal(LeadState.Pending, (await host.Services.Leads.GetAsync(leadId))!.State);
        var audit = Assert.Single(await new AuditLog(host.Services.Database).ListAsync(subject: $"campaign:{id}"), a => a.Action == "campaign.requeue");
        Assert.Equal($"outcome unknown: 1 lead(s) back to pending; draft -> draft; forced: 1 lead(s) inside the abandon retry delay (72 h), called before {utc}", audit.Details);
    }
}
