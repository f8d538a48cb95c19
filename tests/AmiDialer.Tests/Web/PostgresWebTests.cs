using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Configuration;
using AmiDialer.Hosting;
using AmiDialer.Testing.Postgres;

namespace AmiDialer.Tests.Web;

/// <summary>
/// The web server on a PostgreSQL store: health checks it, the API creates, lists and reports campaigns and keeps the
/// do-not-call list in it, and a campaign is dialed from it.
/// </summary>
public sealed class PostgresWebTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [PostgresFact]
    public async Task Health_campaigns_reports_and_the_do_not_call_list_answer_from_postgres()
    {
        var connectionString = await postgres.CreateDatabaseAsync("web");
        await using var host = await WebTestHost.StartAsync(simulate: false, configure: s =>
        {
            s.Database.Provider = DatabaseProvider.Postgres;
            s.Database.ConnectionString = connectionString;
        });
        Assert.Equal(Data.Database.StoreProvider.Postgres, host.Services.Database.Provider);
        using var client = host.WithApiKey();

        using (var health = await client.GetAsync("/health"))
        {
            var body = await health.Content.ReadAsStringAsync();
            Assert.True(health.StatusCode == HttpStatusCode.OK, body);
            Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("database").GetProperty("ok").GetBoolean(), body);
        }

        long id;
        using (var created = await client.PostAsJsonAsync("/api/campaigns", new { name = "pg web", dialTemplate = "Local/{number}@pstn" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }

        using (var duplicate = await client.PostAsJsonAsync("/api/campaigns", new { name = "pg web", dialTemplate = "Local/{number}@pstn" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        }

        Assert.Contains("pg web", await client.GetStringAsync("/api/campaigns"), StringComparison.Ordinal);
        using (var report = await client.GetAsync($"/api/campaigns/{id}/report"))
        {
            Assert.True(report.IsSuccessStatusCode, await report.Content.ReadAsStringAsync());
        }

        using (var added = await client.PostAsJsonAsync("/api/dnc", new { number = "+12125550123" }))
        {
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }

        Assert.Contains("+12125550123", await client.GetStringAsync("/api/dnc"), StringComparison.Ordinal);
        Assert.True(await host.Services.Dnc.IsBlockedAsync("+12125550123", id));
    }

    [PostgresFact]
    public async Task A_campaign_started_on_a_postgres_store_is_dialed_to_the_end_once_per_lead()
    {
        var connectionString = await postgres.CreateDatabaseAsync("dial");
        await using var host = await WebTestHost.StartAsync(simulate: true, timeScale: 20, configure: s =>
        {
            s.Database.Provider = DatabaseProvider.Postgres;
            s.Database.ConnectionString = connectionString;
        });
        var engine = await host.Services.StartEngineAsync(useScheduler: true, CancellationToken.None);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await engine.WaitForServersAsync(timeout.Token);
        }

        using var client = host.WithApiKey();
        using var created = await client.PostAsJsonAsync("/api/campaigns", new
        {
            name = "pg dial",
            dialTemplate = "Local/{national}@pstn",
            callingHours = "00:00-24:00",
            ringTimeoutSeconds = 15,
            callsPerSecond = 50,
            maxConcurrentCalls = 10,
            maxAttempts = 1,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var csv = "phone\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"+1415813{7000 + i}\n"));
        await ImportsApiTests.UploadAsync(client, id, System.Text.Encoding.UTF8.GetBytes(csv), "leads.csv", HttpStatusCode.OK);
        using (var start = await client.PostAsync($"/api/campaigns/{id}/start", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        JsonElement status;
        do
        {
            await Task.Delay(200);
            status = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status");
        }
        while (status.GetProperty("state").GetString() != "completed" && DateTime.UtcNow < deadline);

        Assert.Equal("completed", status.GetProperty("state").GetString());
        Assert.Equal(200, status.GetProperty("attempts").GetInt64());
        // Every lead called exactly once, every attempt in PostgreSQL and ended.
        await using var connection = await host.Services.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(DISTINCT lead_id) || '/' || count(*) || '/' || count(*) FILTER (WHERE state = 'ended') FROM attempts WHERE campaign_id = {id}";
        Assert.Equal("200/200/200", (string?)await command.ExecuteScalarAsync());
        Assert.Equal(200, host.Services.Simulator!.ActionsNamed("Originate").Count);
    }
}
