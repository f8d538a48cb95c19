using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AmiDialer.Tests.Web;

/// <summary>
/// A campaign started before its leads are imported keeps running and says why, dials the leads imported next, and
/// once completed takes new leads only when the import asks to reopen it.
/// </summary>
public sealed class EmptyCampaignStartTests
{
    [Fact]
    public async Task Started_empty_it_waits_dials_later_leads_and_an_import_after_completion_offers_to_reopen()
    {
        await using var host = await WebTestHost.StartAsync(simulate: true, timeScale: 20);
        var engine = await host.Services.StartEngineAsync(useScheduler: true, CancellationToken.None);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await engine.WaitForServersAsync(timeout.Token);
        }

        using var client = host.WithApiKey();
        using var created = await client.PostAsJsonAsync("/api/campaigns", new
        {
            name = "empty " + Guid.NewGuid(),
            dialTemplate = "Local/{national}@pstn",
            callingHours = "00:00-24:00",
            ringTimeoutSeconds = 15,
            callsPerSecond = 50,
            maxConcurrentCalls = 10,
            maxAttempts = 1,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using (var start = await client.PostAsync($"/api/campaigns/{id}/start", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        var waiting = await StatusUntilAsync(client, id, s => s.GetProperty("dialerMessage").GetString()?.Contains("no lead to dial yet", StringComparison.Ordinal) == true);
        Assert.Equal("running", waiting.GetProperty("state").GetString());
        // Looked at again a moment later: still running, not completed behind the operator's back.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal("running", (await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status")).GetProperty("state").GetString());

        await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes("phone\n+14158137401\n+14158137402\n+14158137403\n"), "first.csv", HttpStatusCode.OK);
        var done = await StatusUntilAsync(client, id, s => s.GetProperty("state").GetString() == "completed");
        Assert.Equal(3, done.GetProperty("attempts").GetInt64());

        // Into the completed campaign: imported, and the answer says the leads will not be dialed without reopening.
        var kept = await UploadAsync(client, id, "phone\n+14158137404\n", reopen: false);
        Assert.False(kept.GetProperty("reopened").GetBoolean());
        Assert.Contains("will not be dialed unless it is reopened", kept.GetProperty("campaignNote").GetString(), StringComparison.Ordinal);
        Assert.Equal("completed", (await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}")).GetProperty("state").GetString());

        // The upload page offers reopening.
        var (cookie, _) = await host.LoggedInAsync();
        using (cookie)
        {
            var page = await cookie.GetStringAsync($"/campaigns/{id}/upload");
            Assert.Contains("id=\"reopen\"", page, StringComparison.Ordinal);
        }

        var reopened = await UploadAsync(client, id, "phone\n+14158137405\n", reopen: true);
        Assert.True(reopened.GetProperty("reopened").GetBoolean());
        Assert.Equal("paused", (await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}")).GetProperty("state").GetString());

        using (var resume = await client.PostAsync($"/api/campaigns/{id}/resume", null))
        {
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        }

        var again = await StatusUntilAsync(client, id, s => s.GetProperty("state").GetString() == "completed");
        Assert.Equal(5, again.GetProperty("attempts").GetInt64());
    }

    private static async Task<JsonElement> UploadAsync(HttpClient client, long id, string csv, bool reopen)
    {
        using var form = new MultipartFormDataContent();
        if (reopen)
        {
            form.Add(new StringContent("true"), "reopen");
        }

        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "late.csv");
        using var response = await client.PostAsync($"/api/campaigns/{id}/imports", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var summary = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(1, summary.GetProperty("imported").GetInt64());
        return summary;
    }

    private static async Task<JsonElement> StatusUntilAsync(HttpClient client, long id, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        JsonElement status;
        do
        {
            status = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status");
            if (done(status))
            {
                return status;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail("the status never got there: " + status);
        return status;
    }
}
