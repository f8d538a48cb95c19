using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Configuration;
using AmiDialer.Hosting;
using AmiDialer.Testing.Postgres;

namespace AmiDialer.Tests.Web;

/// <summary>
/// The web server on a PostgreSQL store: health checks it, the API creates, lists and reports campaigns and keeps the
/// do-not-call list in it, and dialing is refused by name while its writer is not wired.
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

        var refused = await Assert.ThrowsAsync<SettingsException>(() => host.Services.StartEngineAsync(useScheduler: true, CancellationToken.None));
        Assert.Equal(AppServices.PostgresEngineNotAvailable, Assert.Single(refused.Errors));
    }
}
