using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Testing;
using AmiDialer.Tests.Reports;

namespace AmiDialer.Tests.Web;

/// <summary>
/// The dashboard through the real host: one document (<c>/api/campaigns/live</c>) and one event stream
/// (<c>/api/campaigns/events</c>) with every campaign's figures as the campaign page computes them, plus an ETA; the page
/// renders the same figures and the controls the campaign's state allows, and no longer reloads itself.
/// </summary>
public sealed class DashboardLiveTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Live_document_has_the_campaign_pages_figures_and_an_eta_only_while_running()
    {
        using var api = host.WithApiKey();
        var id = await RunningCampaignAsync(api);
        // 1 answered and 1 no-answer are final; the busy lead waits to retry: 18 of 20 remain, 3 calls in the last minute.
        await EndedAttempts.EndAsync(host.Services.Database, id, DateTimeOffset.UtcNow, CallOutcome.Answered, CallOutcome.Busy, CallOutcome.NoAnswer);

        var line = await LineAsync(api, id);
        var status = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status");
        Assert.Equal("running", line.GetProperty("state").GetString());
        Assert.Equal(20, line.GetProperty("leads").GetInt64());
        Assert.Equal(2, line.GetProperty("done").GetInt64());
        Assert.Equal(status.GetProperty("pending").GetInt64(), line.GetProperty("pending").GetInt64());
        Assert.Equal(status.GetProperty("answerRate").GetDouble(), line.GetProperty("answerRate").GetDouble());
        Assert.Equal(0.5, line.GetProperty("answerRate").GetDouble());
        Assert.Equal(status.GetProperty("attemptAnswerRate").GetDouble(), line.GetProperty("attemptAnswerRate").GetDouble());
        Assert.Equal(1.0 / 3, line.GetProperty("attemptAnswerRate").GetDouble(), 3);
        Assert.Equal(3, line.GetProperty("callsPerMinute").GetInt32());
        Assert.Equal(360, line.GetProperty("etaSeconds").GetDouble()); // 18 leads at 3 a minute
        Assert.Equal("about 6 min", line.GetProperty("eta").GetString());

        using (var paused = await api.PostAsync($"/api/campaigns/{id}/pause", null))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        }

        line = await LineAsync(api, id);
        Assert.Equal("paused", line.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("etaSeconds").ValueKind);
        Assert.Equal("—", line.GetProperty("eta").GetString());
    }

    [Fact]
    public async Task Event_stream_pushes_a_campaigns_new_figures_without_being_asked()
    {
        using var api = host.WithApiKey();
        var id = await RunningCampaignAsync(api);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/campaigns/events");
        using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var first = await NextLineAsync(reader, id, cts.Token);
        Assert.Equal(0, first.GetProperty("done").GetInt64());
        Assert.Equal("—", first.GetProperty("eta").GetString()); // running, but nothing dialed yet: no rate

        await EndedAttempts.EndAsync(host.Services.Database, id, DateTimeOffset.UtcNow, CallOutcome.Answered, CallOutcome.Answered);
        JsonElement later;
        do
        {
            later = await NextLineAsync(reader, id, cts.Token);
        }
        while (later.GetProperty("done").GetInt64() == 0);

        Assert.Equal(2, later.GetProperty("done").GetInt64());
        Assert.Equal(2, later.GetProperty("callsPerMinute").GetInt32());
        Assert.Equal("about 9 min", later.GetProperty("eta").GetString()); // 18 at 2 a minute
    }

    [Fact]
    public async Task Page_renders_the_figures_and_only_the_controls_each_state_allows_and_does_not_reload_itself()
    {
        using var api = host.WithApiKey();
        var running = await RunningCampaignAsync(api);
        await EndedAttempts.EndAsync(host.Services.Database, running, DateTimeOffset.UtcNow, CallOutcome.Answered, CallOutcome.Busy);
        var draft = await CampaignsApiTests.CreateAsync(api);
        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var html = await client.GetStringAsync("/");
            Assert.DoesNotContain("location.reload", html, StringComparison.Ordinal);
            Assert.Contains("new EventSource('/api/campaigns/events')", html, StringComparison.Ordinal);
            var row = Row(html, running);
            Assert.Contains("data-k=\"state\">running<", row, StringComparison.Ordinal);
            Assert.Contains("<span data-k=\"done\">1</span> / <span data-k=\"leads\">20</span>", row, StringComparison.Ordinal);
            Assert.Contains("data-k=\"answerRate\">100.0 %<", row, StringComparison.Ordinal);
            Assert.Contains("data-k=\"attemptAnswerRate\">50.0 %<", row, StringComparison.Ordinal);
            Assert.Contains("data-k=\"callsPerMinute\">2<", row, StringComparison.Ordinal);
            Assert.Contains("data-k=\"eta\">about 10 min<", row, StringComparison.Ordinal); // 19 at 2 a minute: 9.5 min
            Assert.Equal(["pause", "stop"], VisibleCommands(row));
            Assert.Contains("class=\"apart\" onsubmit=\"return confirm('Stop this campaign for good?", row, StringComparison.Ordinal);
            Assert.Contains($"data-api=\"/api/campaigns/{running}/pause\"", row, StringComparison.Ordinal);

            var draftRow = Row(html, draft);
            Assert.Contains("data-k=\"eta\">&#x2014;<", draftRow, StringComparison.Ordinal);
            Assert.Equal(["start", "stop"], VisibleCommands(draftRow));
        }

        // Paused elsewhere (here through the API): the page now offers Resume instead of Pause.
        using (var paused = await api.PostAsync($"/api/campaigns/{running}/pause", null))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        }

        (client, _) = await host.LoggedInAsync();
        using (client)
        {
            Assert.Equal(["resume", "stop"], VisibleCommands(Row(await client.GetStringAsync("/"), running)));
        }
    }

    /// <summary>A campaign with the 20-lead sample, started (no engine runs here: only its state changes).</summary>
    private static async Task<long> RunningCampaignAsync(HttpClient api)
    {
        using var created = await api.PostAsJsonAsync("/api/campaigns", new { name = "dash " + Guid.NewGuid(), callingHours = "00:00-24:00", retryPolicy = "busy=2m:2", maxAttempts = 3 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await ImportsApiTests.UploadAsync(api, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
        using var started = await api.PostAsync($"/api/campaigns/{id}/start", null);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        return id;
    }

    private static async Task<JsonElement> LineAsync(HttpClient api, long id)
    {
        var live = await api.GetFromJsonAsync<JsonElement>("/api/campaigns/live");
        return live.GetProperty("campaigns").EnumerateArray().Single(c => c.GetProperty("id").GetInt64() == id);
    }

    /// <summary>The campaign's line in the next 'dashboard' event.</summary>
    private static async Task<JsonElement> NextLineAsync(StreamReader reader, long id, CancellationToken ct)
    {
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line != "event: dashboard")
            {
                continue;
            }

            var data = (await reader.ReadLineAsync(ct))!;
            Assert.StartsWith("data: ", data, StringComparison.Ordinal);
            var document = JsonDocument.Parse(data["data: ".Length..]).RootElement;
            return document.GetProperty("campaigns").EnumerateArray().Single(c => c.GetProperty("id").GetInt64() == id).Clone();
        }

        throw new InvalidOperationException("the event stream ended");
    }

    private static string Row(string html, long id)
    {
        var start = html.IndexOf($"<tr data-campaign=\"{id}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no row for campaign {id}");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    private static string[] VisibleCommands(string row) =>
        [.. System.Text.RegularExpressions.Regex.Matches(row, "<form [^>]*?(?<hidden> hidden)?><input[^>]*><button type=\"submit\" data-command=\"(?<command>[a-z]+)\"")
            .Where(m => !m.Groups["hidden"].Success).Select(m => m.Groups["command"].Value)];
}
