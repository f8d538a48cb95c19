using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Core.Queues;
using AmiDialer.Data.Repositories;
using AmiDialer.Tests.Cli;
using AmiDialer.Tests.Web;
using Dapper;

namespace AmiDialer.Tests.Reports;

/// <summary>
/// A queue campaign's abandon rate over the operator's window (Dialing:AbandonWindow) against Dialing:MaxAbandonRate:
/// the report's JSON, its table (CLI), its chart with the limit line (report page) and the campaign page, over
/// answered attempts whose queue fate is stored (schema step 9).
/// </summary>
public sealed class AbandonReportTests
{
    [Fact]
    public async Task The_report_counts_the_windows_abandoned_calls_and_draws_the_limit()
    {
        await using var host = await WebTestHost.StartAsync(simulate: false, configure: s => s.Dialing.AllowedContexts = ["queue"]);
        var (id, name) = await SeedAsync(host, [(1, QueueCallFate.Connected), (1, QueueCallFate.Late), (2, QueueCallFate.Connected), (2, QueueCallFate.Connected), (40, QueueCallFate.CallerLeft)]);
        using var api = host.WithApiKey();

        var abandon = (await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/report")).GetProperty("abandon");
        Assert.Equal("30d", abandon.GetProperty("window").GetString());
        Assert.Equal(0.03, abandon.GetProperty("limit").GetDouble());
        Assert.Equal(0.024, abandon.GetProperty("fallbackAt").GetDouble());
        // The 40-day-old abandon is outside the 30-day window.
        Assert.Equal((4, 1, 0.25, true), (abandon.GetProperty("answered").GetInt64(), abandon.GetProperty("abandoned").GetInt64(), abandon.GetProperty("rate").GetDouble(), abandon.GetProperty("atFallback").GetBoolean()));
        var days = abandon.GetProperty("byDay").EnumerateArray().ToList();
        Assert.Equal(2, days.Count);
        Assert.Equal([0.0, 0.5], days.Select(d => d.GetProperty("rate").GetDouble()));

        using var cli = new CliRunner();
        var table = await cli.Run("report", "--campaign", name, "--db", host.Services.DatabasePath);
        Assert.True(table.Code == AmiDialerCli.Success, table.ToString());
        Assert.Contains("Abandoned (no agent within 2 s of the answer) over 30d: 1 of 4 answered queue calls = 25.00 %  limit: 3 %  at or past 80 % of the limit: predictive pacing runs as progressive", table.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\d{4}-\d\d-\d\d\s+2\s+1\s+50\.00 %", table.Output);

        var (client, _) = await host.LoggedInAsync();
        using (client)
        {
            var report = await client.GetStringAsync($"/campaigns/{id}/report");
            Assert.Contains("<span class=\"stat\" id=\"abandon-rate\">25.00 %</span>", report, StringComparison.Ordinal);
            Assert.Contains("<line class=\"limit\" data-rate=\"0.03\"", report, StringComparison.Ordinal);
            Assert.Contains("data-over=\"true\"", report, StringComparison.Ordinal);
            Assert.DoesNotContain("<p id=\"abandon-fallback\" class=\"warning\" hidden>", report, StringComparison.Ordinal);
            var page = await client.GetStringAsync($"/campaigns/{id}");
            Assert.Contains("<span id=\"abandon-count\">1</span> of <span id=\"abandon-answered\">4</span>", page, StringComparison.Ordinal);
            Assert.Contains($"fetch('/api/campaigns/{id}/report')", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_24_hour_window_leaves_out_yesterdays_calls_and_a_campaign_without_a_queue_has_no_abandon_figures()
    {
        await using var host = await WebTestHost.StartAsync(simulate: false, configure: s =>
        {
            s.Dialing.AllowedContexts = ["queue"];
            s.Dialing.AbandonWindow = "24h";
            s.Dialing.MaxAbandonRate = 0.05;
        });
        var (id, _) = await SeedAsync(host, [(0, QueueCallFate.Connected), (0, QueueCallFate.Connected), (0, QueueCallFate.Connected), (3, QueueCallFate.Unknown)]);
        using var api = host.WithApiKey();

        var abandon = (await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/report")).GetProperty("abandon");
        Assert.Equal(("24h", 0.05, 3L, 0L, false), (abandon.GetProperty("window").GetString(), abandon.GetProperty("limit").GetDouble(),
            abandon.GetProperty("answered").GetInt64(), abandon.GetProperty("abandoned").GetInt64(), abandon.GetProperty("atFallback").GetBoolean()));

        using var plain = await api.PostAsJsonAsync("/api/campaigns", new { name = "no queue " + Guid.NewGuid() });
        var plainId = (await plain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.False((await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{plainId}/report")).TryGetProperty("abandon", out _));
    }

    /// <summary>A queue campaign with one answered attempt per entry, answered that many days ago, its fate stored.</summary>
    private static async Task<(long Id, string Name)> SeedAsync(WebTestHost host, IReadOnlyList<(int DaysAgo, QueueCallFate Fate)> calls)
    {
        using var api = host.WithApiKey();
        var name = "abandons " + Guid.NewGuid().ToString("N")[..6];
        using var created = await api.PostAsJsonAsync("/api/campaigns", new { name, destination = "queue,sales,1", queue = "sales", pacing = "predictive" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var csv = "phone\n" + string.Join('\n', calls.Select((_, i) => $"+1415813{7400 + i}")) + "\n";
        await ImportsApiTests.UploadAsync(api, id, Encoding.UTF8.GetBytes(csv), "leads.csv", HttpStatusCode.OK);

        var queues = new QueueRepository(host.Services.Database);
        var now = host.Services.Time.GetUtcNow();
        for (var i = 0; i < calls.Count; i++)
        {
            var lead = await host.Services.Leads.GetByPhoneAsync(id, $"+1415813{7400 + i}");
            // Noon of that day (UTC), so two calls of one day land in one bucket whatever the time of the run.
            var day = now.UtcDateTime.Date.AddDays(-calls[i].DaysAgo).AddHours(calls[i].DaysAgo == 0 ? Math.Min(now.UtcDateTime.Hour, 12) : 12);
            var answeredAt = new DateTimeOffset(day, TimeSpan.Zero);
            long attempt;
            await using (var connection = await host.Services.Database.OpenConnectionAsync())
            {
                attempt = await connection.ExecuteScalarAsync<long>(
                    """
                    INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, answered_at, ended_at, outcome, is_simulated)
                    VALUES (@leadId, @id, @actionId, @actionId, 'pbx1', 'ended', @answeredAt, @answeredAt, @answeredAt, 'answered', 0) RETURNING id
                    """,
                    new { leadId = lead!.Id, id, actionId = "act-" + Guid.NewGuid().ToString("N"), answeredAt });
            }

            await queues.RecordFateAsync(attempt, "sales", calls[i].Fate, calls[i].Fate == QueueCallFate.Connected ? "Agent 201" : null, TimeSpan.FromMilliseconds(800));
        }

        return (id, name);
    }
}
