using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Web;

public sealed class ReportsAndDncApiTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private readonly WebTestHost host = fixture.Host;

    [Fact]
    public async Task Report_json_has_the_cli_shape_and_counts_the_leads()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        await ImportsApiTests.UploadAsync(client, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
        using var response = await client.GetAsync($"/api/campaigns/{id}/report");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(20, report.GetProperty("leads").GetInt64());
        Assert.Equal(20, report.GetProperty("pending").GetInt64());
        foreach (var key in new[] { "answered", "busy", "no-answer", "congestion", "rejected", "invalid-number", "failed" })
        {
            Assert.Equal(0, report.GetProperty("outcomes").GetProperty(key).GetInt64());
        }

        Assert.Equal(JsonValueKind.Array, report.GetProperty("byHour").ValueKind);
    }

    [Fact]
    public async Task Leads_page_through_with_next_after()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        await ImportsApiTests.UploadAsync(client, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
        var first = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/leads?limit=15");
        Assert.Equal(15, first.GetProperty("leads").GetArrayLength());
        var after = first.GetProperty("nextAfter").GetInt64();
        var second = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/leads?limit=15&after={after}");
        Assert.Equal(5, second.GetProperty("leads").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextAfter").ValueKind);
        Assert.Equal("+12125550100", first.GetProperty("leads")[0].GetProperty("phone").GetString());

        using var bad = await client.GetAsync($"/api/campaigns/{id}/leads?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task Leads_csv_export_neutralises_formulas_but_not_phone_numbers()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        var csv = "phone,name,note\n+12125550100,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",@SUM(A1)\n(415) 555-0102,-2+3,+fine\n";
        await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes(csv), "formulas.csv", HttpStatusCode.OK);
        using var response = await client.GetAsync($"/api/campaigns/{id}/leads.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("phone,name,note,state,outcome", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("+12125550100,", lines[1], StringComparison.Ordinal); // a plain phone number stays as it is
        Assert.Contains("'=HYPERLINK", lines[1], StringComparison.Ordinal);
        Assert.Contains("'@SUM(A1)", lines[1], StringComparison.Ordinal);
        Assert.Contains(",'-2+3,", lines[2], StringComparison.Ordinal);
        Assert.Contains("'+fine", lines[2], StringComparison.Ordinal);
        foreach (var cell in lines.Skip(1).SelectMany(l => l.Split(',')))
        {
            Assert.False(cell.TrimStart('"').Length > 0 && "=@-".Contains(cell.TrimStart('"')[0], StringComparison.Ordinal), "live formula cell: " + cell);
        }
    }

    [Fact]
    public async Task Status_and_server_sent_events_carry_the_live_counts()
    {
        using var client = host.WithApiKey();
        var id = await CampaignsApiTests.CreateAsync(client);
        await ImportsApiTests.UploadAsync(client, id, File.ReadAllBytes(RepoPaths.Campaign("sample.csv")), "sample.csv", HttpStatusCode.OK);
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status");
        Assert.Equal("draft", status.GetProperty("state").GetString());
        Assert.Equal(20, status.GetProperty("leads").GetInt64());

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/campaigns/{id}/events");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        Assert.Equal("event: status", await reader.ReadLineAsync(cts.Token));
        var data = (await reader.ReadLineAsync(cts.Token))!;
        Assert.StartsWith("data: ", data, StringComparison.Ordinal);
        Assert.Equal(20, JsonDocument.Parse(data["data: ".Length..]).RootElement.GetProperty("leads").GetInt64());

        // A change is pushed without asking.
        (await client.PostAsync($"/api/campaigns/{id}/pause", null)).Dispose();
        (await client.PostAsync($"/api/campaigns/{id}/start", null)).Dispose();
        string? line;
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null && !line.Contains("\"state\":\"running\"", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
    }

    [Fact]
    public async Task Dnc_add_list_remove_and_import()
    {
        using var client = host.WithApiKey();
        using (var bad = await client.PostAsJsonAsync("/api/dnc", new { number = "not a number" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("number", out _));
        }

        using (var added = await client.PostAsJsonAsync("/api/dnc", new { number = "(303) 555-0177", note = "asked" }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            Assert.Equal("+13035550177", (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString());
        }

        var list = await client.GetFromJsonAsync<JsonElement>("/api/dnc");
        Assert.Contains(list.EnumerateArray(), e => e.GetProperty("number").GetString() == "+13035550177" && e.GetProperty("source").GetString() == "manual");

        using (var removed = await client.DeleteAsync("/api/dnc/%2B13035550177"))
        {
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }

        using (var again = await client.DeleteAsync("/api/dnc/%2B13035550177"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using var import = await client.PostAsync("/api/dnc/import", new StringContent("phone\n(303) 555-0178\nnonsense\n+1 303 555 0179\n(303) 555-0178\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var result = await import.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, result.GetProperty("added").GetInt32());
        Assert.Equal(3, result.GetProperty("rejected")[0].GetProperty("line").GetInt64());
    }

    [Fact]
    public async Task Dnc_remove_leaves_its_leads_blocked_unless_unblock_is_asked_and_says_how_many_remain()
    {
        using var client = host.WithApiKey();
        var first = await CampaignsApiTests.CreateAsync(client);
        var second = await CampaignsApiTests.CreateAsync(client);
        (await client.PostAsJsonAsync("/api/dnc", new { number = "+1 907 555 0131" })).Dispose();
        (await client.PostAsJsonAsync("/api/dnc", new { number = "+1 907 555 0132" })).Dispose();
        (await client.PostAsJsonAsync("/api/dnc", new { number = "+1 907 555 0132", campaignId = second })).Dispose();
        foreach (var id in new[] { first, second })
        {
            var summary = await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes("phone\n+19075550131\n+19075550132\n+12125550177\n"), "leads.csv", HttpStatusCode.OK);
            Assert.Equal(2, summary.GetProperty("blocked").GetInt64());
        }

        // Without unblock: removed, and the answer says its two leads (one per campaign) stay blocked.
        using (var kept = await client.DeleteAsync("/api/dnc/%2B19075550131"))
        {
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
            var body = await kept.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.GetProperty("removed").GetBoolean());
            Assert.Equal((0, 2), (body.GetProperty("unblocked").GetInt32(), body.GetProperty("stillBlocked").GetInt32()));
            Assert.Contains("2 leads of this number stay blocked", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal((2, 1), await BlockedAndPendingAsync(client, first));

        // Offered later, for one campaign: its lead becomes pending again, the other campaign's stays blocked.
        using (var later = await client.PostAsync($"/api/dnc/%2B19075550131/unblock?campaignId={first}", null))
        {
            var body = await later.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((1, 0), (body.GetProperty("unblocked").GetInt32(), body.GetProperty("stillBlocked").GetInt32()));
        }

        Assert.Equal((1, 2), await BlockedAndPendingAsync(client, first));
        Assert.Equal((2, 1), await BlockedAndPendingAsync(client, second));

        // With unblock: the first campaign's lead is freed; the second's stays blocked by that campaign's own entry.
        using (var freed = await client.DeleteAsync("/api/dnc/%2B19075550132?unblock=true"))
        {
            var body = await freed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((1, 1), (body.GetProperty("unblocked").GetInt32(), body.GetProperty("stillBlocked").GetInt32()));
            Assert.Contains("1 lead still blocked by another entry", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal((0, 3), await BlockedAndPendingAsync(client, first));
        Assert.Equal((2, 1), await BlockedAndPendingAsync(client, second));
        var audit = await host.Services.Audit.ListAsync(20, "+19075550132");
        var unblocked = Assert.Single(audit, e => e.Action == "dnc.unblock");
        Assert.Contains($"campaign={first}", unblocked.Details, StringComparison.Ordinal);
        Assert.Contains(audit, e => e.Action == "dnc.remove" && e.Details!.Contains("unblock=yes", StringComparison.Ordinal));

        // The counters agree with the rows.
        var rebuilt = await host.Services.Reports.RebuildCountersAsync(first);
        Assert.Equal(0, rebuilt.LeadsByState.GetValueOrDefault(AmiDialer.Core.Model.LeadState.Blocked));
    }

    private static async Task<(long Blocked, long Pending)> BlockedAndPendingAsync(HttpClient client, long campaignId)
    {
        var report = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{campaignId}/report");
        return (report.GetProperty("blocked").GetInt64(), report.GetProperty("pending").GetInt64());
    }

    [Fact]
    public async Task Dnc_number_blocks_the_lead_at_import()
    {
        using var client = host.WithApiKey();
        (await client.PostAsJsonAsync("/api/dnc", new { number = "+1 907 555 0108" })).Dispose();
        var id = await CampaignsApiTests.CreateAsync(client);
        var summary = await ImportsApiTests.UploadAsync(client, id, Encoding.UTF8.GetBytes("phone\n+19075550108\n+12125550100\n"), "dnc.csv", HttpStatusCode.OK);
        Assert.Equal(1, summary.GetProperty("blocked").GetInt64());
    }
}
