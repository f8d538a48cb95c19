using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AmiDialer.Tests.Web;

/// <summary>
/// The queues' agents through the real host over the built-in simulator's queue <c>sales</c> (Agent 201 and Agent 202,
/// QUEUES.md): listed, paused with a reason and unpaused (QueuePause, audited), and an agent on one of our calls shown
/// with the attempt that placed it.
/// </summary>
public sealed class AgentsTests
{
    private const string Agent201 = "Local/201@agentphone";

    [Fact]
    public async Task The_api_lists_the_queue_pauses_with_a_reason_audited_and_refuses_a_non_member_naming_the_field()
    {
        await using var host = await WebTestHost.StartAsync(simulate: true);
        using var api = host.WithApiKey();

        var sales = await SalesAsync(api);
        Assert.Equal(2, sales.GetProperty("loggedIn").GetInt32());
        Assert.Equal(["free", "free"], sales.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("state").GetString()));
        Assert.Equal("Agent 201", Agent(sales, Agent201).GetProperty("name").GetString());

        using (var paused = await api.PostAsJsonAsync("/api/agents/pause", new { @interface = Agent201, queue = "sales", reason = "lunch" }))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        }

        var pausedAction = Assert.Single(host.Services.Simulator!.ActionsNamed("QueuePause"));
        Assert.Equal("lunch", pausedAction.Message.Get("Reason"));
        sales = await SalesAsync(api);
        var agent = Agent(sales, Agent201);
        Assert.Equal(("paused", true, "lunch"), (agent.GetProperty("state").GetString(), agent.GetProperty("paused").GetBoolean(), agent.GetProperty("pausedReason").GetString()));
        Assert.Equal(1, sales.GetProperty("paused").GetInt32());
        Assert.Equal(1, sales.GetProperty("free").GetInt32());

        using (var unknown = await api.PostAsJsonAsync("/api/agents/pause", new { @interface = "Local/299@agentphone", queue = "sales" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            var problem = await unknown.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("Interface not found", problem.GetProperty("errors").GetProperty("interface")[0].GetString(), StringComparison.Ordinal);
        }

        using (var unpaused = await api.PostAsJsonAsync("/api/agents/pause", new { @interface = Agent201, queue = "sales", paused = false }))
        {
            Assert.Equal(HttpStatusCode.OK, unpaused.StatusCode);
        }

        agent = Agent(await SalesAsync(api), Agent201);
        Assert.Equal(("free", false), (agent.GetProperty("state").GetString(), agent.GetProperty("paused").GetBoolean()));

        var audit = await host.Services.Audit.ListAsync(subject: "agent:" + Agent201);
        Assert.Equal(["agent.unpause", "agent.pause"], audit.Select(e => e.Action));
        Assert.Equal("queue sales, reason: lunch, server simulator", audit[1].Details?.Replace(host.Services.Settings.Ami.Servers[0].Name, "simulator", StringComparison.Ordinal));
        Assert.All(audit, e => Assert.StartsWith("web:", e.Actor, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_page_lists_the_agents_and_its_buttons_pause_and_unpause()
    {
        await using var host = await WebTestHost.StartAsync(simulate: true);
        var (client, token) = await host.LoggedInAsync();
        using (client)
        {
            var page = await client.GetStringAsync("/agents");
            Assert.Contains("<h2>Queue sales</h2>", page, StringComparison.Ordinal);
            Assert.Contains($"<tr data-agent=\"{Agent201}\" data-state=\"free\">", page, StringComparison.Ordinal);
            Assert.Contains("<a href=\"/agents\">Agents</a>", page, StringComparison.Ordinal);

            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["server"] = host.Services.Settings.Ami.Servers[0].Name, ["interface"] = Agent201,
                ["queue"] = "sales", ["paused"] = "true", ["reason"] = "coffee break",
            });
            using var posted = await client.PostAsync("/agents/pause", form);
            Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
            page = await client.GetStringAsync(posted.Headers.Location);
            Assert.Contains($"{Agent201} is paused in sales.", page, StringComparison.Ordinal);
            Assert.Contains($"<tr data-agent=\"{Agent201}\" data-state=\"paused\">", page, StringComparison.Ordinal);
            Assert.Contains("<td>coffee break</td>", page, StringComparison.Ordinal);
            Assert.Contains("<button type=\"submit\" class=\"secondary\">Unpause</button>", page, StringComparison.Ordinal);
        }

        Assert.Equal("agent.pause", Assert.Single(await host.Services.Audit.ListAsync(subject: "agent:" + Agent201)).Action);
    }

    [Fact]
    public async Task An_agent_talking_on_a_campaign_call_shows_that_attempt_and_the_queue_its_utilisation()
    {
        await using var host = await WebTestHost.StartAsync(simulate: true, configure: s => s.Dialing.AllowedContexts = ["queue"]);
        var engine = await host.Services.StartEngineAsync(useScheduler: true, CancellationToken.None);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await engine.WaitForServersAsync(timeout.Token);
        }

        using var api = host.WithApiKey();
        var name = "queued " + Guid.NewGuid().ToString("N")[..6];
        using var created = await api.PostAsJsonAsync("/api/campaigns", new
        {
            name, dialTemplate = "Local/{national}@pstn", destination = "queue,sales,1", queue = "sales", callingHours = "00:00-24:00", maxAttempts = 1,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        // A number ending in 7 answers at once and talks 9.5 s (the test PBX's table): long enough to be seen talking.
        await ImportsApiTests.UploadAsync(api, id, Encoding.UTF8.GetBytes("phone\n+14158137407\n"), "one.csv", HttpStatusCode.OK);
        using (var start = await api.PostAsync($"/api/campaigns/{id}/start?force=true", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        JsonElement talking = default;
        JsonElement sales = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (talking.ValueKind == JsonValueKind.Undefined)
        {
            Assert.True(DateTime.UtcNow < deadline, "no agent was ever seen talking on the campaign's call");
            sales = await SalesAsync(api);
            talking = sales.GetProperty("agents").EnumerateArray().FirstOrDefault(a => a.GetProperty("state").GetString() == "talking" && a.GetProperty("attemptId").ValueKind == JsonValueKind.Number);
            await Task.Delay(100);
        }

        var lead = await host.Services.Leads.GetByPhoneAsync(id, "+14158137407");
        var attempt = Assert.Single(await host.Services.Attempts.ListByLeadAsync(lead!.Id));
        Assert.Equal(attempt.Id, talking.GetProperty("attemptId").GetInt64());
        Assert.Equal(name, talking.GetProperty("campaign").GetString());
        Assert.Equal([name], sales.GetProperty("campaigns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(0.5, sales.GetProperty("utilisation").GetDouble());
    }

    private static async Task<JsonElement> SalesAsync(HttpClient api)
    {
        var body = await api.GetFromJsonAsync<JsonElement>("/api/agents?queue=sales");
        var server = Assert.Single(body.GetProperty("servers").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, server.GetProperty("problem").ValueKind);
        return Assert.Single(server.GetProperty("queues").EnumerateArray());
    }

    private static JsonElement Agent(JsonElement queue, string memberInterface) =>
        queue.GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("interface").GetString() == memberInterface);
}
