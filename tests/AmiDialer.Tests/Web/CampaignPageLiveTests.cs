using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Testing;
using AmiDialer.Tests.Reports;

namespace AmiDialer.Tests.Web;

/// <summary>
/// The campaign page through the real host: attempt outcomes beside final lead outcomes, calls per minute, why
/// leads wait with the time they are due (in the campaign's zone, named), and the call settings.
/// </summary>
public sealed class CampaignPageLiveTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Page_counts_attempts_live_and_says_which_lead_waits_and_until_when()
    {
        using var api = host.WithApiKey();
        using var created = await api.PostAsJsonAsync("/api/campaigns", new
        {
            name = "live " + Guid.NewGuid(), callingHours = "00:00-24:00", timeZone = "America/Chicago", retryPolicy = "busy=2m:2", maxAttempts = 3,
            onAnswerRedirect = "agents,200,1", callerId = "\"Clinic\" <5551000>", ringTimeoutSeconds = 25, endAt = "2030-01-15T12:00:00-06:00",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await ImportsApiTests.UploadAsync(api, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
        var now = DateTimeOffset.UtcNow;
        var ids = await EndedAttempts.EndAsync(host.Services.Database, id, now, CallOutcome.Busy, CallOutcome.Busy, CallOutcome.Answered);

        var status = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status");
        Assert.Equal(3, status.GetProperty("callsPerMinute").GetInt32()); // all three started just now

        var waiting = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/waiting");
        Assert.Equal(17, waiting.GetProperty("dueNow").GetInt64());
        Assert.Equal(2, waiting.GetProperty("retriesLater").GetInt64());
        Assert.Equal(0, waiting.GetProperty("pendingLater").GetInt64());
        var next = waiting.GetProperty("next").EnumerateArray().ToList();
        Assert.Equal(ids.Take(2), next.Select(l => l.GetProperty("leadId").GetInt64()));
        Assert.All(next, l => Assert.Equal("retry-not-due", l.GetProperty("kind").GetString()));
        var due = next[0].GetProperty("until").GetDateTimeOffset();
        Assert.InRange((due - now.AddMinutes(2)).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        var local = TimeZoneInfo.ConvertTime(due, TimeZoneInfo.FindSystemTimeZoneById("America/Chicago"));
        var reason = $"retry not due until {local:yyyy-MM-dd HH:mm} America/Chicago";
        Assert.Equal(reason, next[0].GetProperty("reason").GetString());
        // The API writes every instant in UTC with Z, whatever offset it was given in.
        var raw = await api.GetStringAsync($"/api/campaigns/{id}/waiting");
        Assert.Matches("\"until\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z\"", raw);
        Assert.Contains("\"endAt\":\"2030-01-15T18:00:00Z\"", await api.GetStringAsync($"/api/campaigns/{id}"), StringComparison.Ordinal);

        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var page = await client.GetStringAsync($"/campaigns/{id}");
            // Busy: no lead is final busy yet (both wait to retry), but two busy attempts happened.
            Assert.Contains("data-outcome=\"busy\">0</td><td class=\"num\" data-attempt-outcome=\"busy\">2<", page, StringComparison.Ordinal);
            Assert.Contains("data-outcome=\"answered\">1</td><td class=\"num\" data-attempt-outcome=\"answered\">1<", page, StringComparison.Ordinal);
            Assert.Contains("id=\"callsPerMinute\">3<", page, StringComparison.Ordinal);
            Assert.Contains("Why leads wait <span class=\"muted\">(times in America/Chicago)", page, StringComparison.Ordinal);
            Assert.Contains("id=\"w-due\">17<", page, StringComparison.Ordinal);
            Assert.Contains("id=\"w-retries\">2<", page, StringComparison.Ordinal);
            Assert.Contains($"<tr data-lead=\"{ids[0]}\"><td>", page, StringComparison.Ordinal);
            Assert.Contains("<td>waiting-retry</td><td>" + reason + "</td>", page, StringComparison.Ordinal);
            Assert.Contains("<th>On answer, redirect to</th><td>agents,200,1</td>", page, StringComparison.Ordinal);
            Assert.Contains("<th>Caller ID</th><td>&quot;Clinic&quot; &lt;5551000&gt;</td>", page, StringComparison.Ordinal);
            Assert.Contains("<th>Ring timeout</th><td>25 s</td>", page, StringComparison.Ordinal);
            Assert.Contains("<th>Answered calls go to</th>", page, StringComparison.Ordinal);
            // The page's one zone, named: the campaign's.
            Assert.Contains("<th>Start / end</th><td>now &#x2013; 2030-01-15 12:00 America/Chicago</td>", page, StringComparison.Ordinal);
            var reportPage = await client.GetStringAsync($"/campaigns/{id}/report");
            Assert.Contains("<th>Last attempt (America/Chicago)</th>", reportPage, StringComparison.Ordinal);
            Assert.Contains("Calls by hour <span class=\"muted\">(America/Chicago)", reportPage, StringComparison.Ordinal);
            var chicago = TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById("America/Chicago"));
            Assert.Contains($"<td>{chicago:yyyy-MM-dd HH:mm:ss}</td>", reportPage, StringComparison.Ordinal);
        }
    }
}
