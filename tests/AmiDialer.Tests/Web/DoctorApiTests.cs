using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Simulator;

namespace AmiDialer.Tests.Web;

/// <summary><c>GET /api/doctor</c> and the Setup page through the real host: the built-in simulator, or a simulator started here as the configured PBX.</summary>
public sealed class DoctorApiTests
{
    [Fact]
    public async Task The_api_answers_the_doctor_s_json_for_the_simulator_and_a_campaign_s_missing_context_fails_it()
    {
        await using var host = await WebTestHost.StartAsync(configure: s => s.Dialing.AllowedContexts = ["agents", "ivr", "outbound", "sales"]);
        using var client = host.WithApiKey();

        var healthy = await client.GetFromJsonAsync<JsonElement>("/api/doctor");
        Assert.True(healthy.GetProperty("ok").GetBoolean(), healthy.ToString());
        var server = healthy.GetProperty("servers").EnumerateArray().Single();
        Assert.Equal("simulator", server.GetProperty("name").GetString());
        Assert.Equal("OK", Check(server, "login").GetProperty("result").GetString());
        Assert.Equal("WARN", Check(server, "ledger").GetProperty("result").GetString());
        Assert.EndsWith("Z", healthy.GetProperty("checkedAt").GetString(), StringComparison.Ordinal);

        await host.Services.Campaigns.CreateAsync(new Campaign { Name = "sales push", DialTemplate = "Local/{number}@pstn", Destination = new DialplanTarget("sales", "100", 1) }, "test");
        var failing = await client.GetFromJsonAsync<JsonElement>("/api/doctor");
        Assert.False(failing.GetProperty("ok").GetBoolean());
        var missing = Check(failing.GetProperty("servers")[0], "dialplan sales,100,1");
        Assert.Equal(("FAIL", true), (missing.GetProperty("result").GetString(), missing.GetProperty("blocking").GetBoolean()));
        Assert.Contains("Did not find context sales", missing.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_server_is_a_400_naming_the_parameter_and_no_key_is_a_401()
    {
        await using var host = await WebTestHost.StartAsync();

        using var bad = await host.WithApiKey().GetAsync("/api/doctor?server=nope");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("No AMI server is named 'nope'; configured: simulator.", problem.GetProperty("errors").GetProperty("server")[0].GetString(), StringComparison.Ordinal);

        using var anonymous = await host.Anonymous().GetAsync("/api/doctor");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task The_setup_page_shows_a_table_per_server_with_how_to_fix_a_refused_login()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions { LoginFailureDelay = TimeSpan.FromMilliseconds(20), LedgerInstalled = true });
        await using var host = await WebTestHost.StartAsync(simulate: false, configure: s => s.Ami.Servers =
        [
            new() { Name = "good", Host = "127.0.0.1", Port = sim.Port, Username = "dialer", Secret = "dialerpass", Ledger = true },
            new() { Name = "bad", Host = "127.0.0.1", Port = sim.Port, Username = "dialer", Secret = "not-the-secret" },
        ]);
        var (client, _) = await host.LoggedInAsync();

        var html = await client.GetStringAsync("/setup");

        Assert.Contains("<a href=\"/setup\">Setup</a>", html, StringComparison.Ordinal);
        Assert.Contains("1 of 2 server(s) fail a check", html, StringComparison.Ordinal);
        Assert.Matches("data-server=\"good\"><h2>good <span class=\"muted\">127.0.0.1:[0-9]+</span> <span class=\"badge check-warn\">WARN</span>", html);
        Assert.Contains("<tr data-check=\"ledger\" data-result=\"OK\">", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-check=\"login\" data-result=\"FAIL\">", html, StringComparison.Ordinal);
        Assert.Contains("check Ami:Servers:1:Username and its secret against manager.conf [dialer]", html, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", html, StringComparison.Ordinal);
    }

    private static JsonElement Check(JsonElement server, string name) =>
        server.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("check").GetString() == name);
}

/// <summary>/health names a ledger server the engine will not dial because its ledger dialplan is missing.</summary>
public sealed class LedgerHealthTests
{
    [Fact]
    public async Task Health_says_a_connected_ledger_server_without_its_dialplan_is_not_dialed_and_why()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions());
        await using var host = await WebTestHost.StartAsync(simulate: false, configure: s => s.Ami.Servers =
        [
            new() { Name = "pbx1", Host = "127.0.0.1", Port = sim.Port, Username = "dialer", Secret = "dialerpass", Ledger = true },
        ]);
        await host.Services.StartEngineAsync(useScheduler: false, CancellationToken.None);
        using var client = host.Anonymous();

        JsonElement server = default;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(50);
            var health = await client.GetFromJsonAsync<JsonElement>("/health");
            server = health.GetProperty("amiServers")[0];
        }
        while (!server.GetProperty("state").GetString()!.Contains("not installed", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.StartsWith("connected, not dialed: ledger dialplan not installed", server.GetProperty("state").GetString(), StringComparison.Ordinal);
        Assert.False(server.GetProperty("isUp").GetBoolean());
    }
}
