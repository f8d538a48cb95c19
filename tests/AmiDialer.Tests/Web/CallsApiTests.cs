using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Configuration;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Engine.Live;
using AmiDialer.Data.Repositories;
using AmiDialer.Hosting;
using AmiDialer.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Tests.Web;

/// <summary>/api/calls on the real host, with the engine running on the built-in simulator (time scaled).</summary>
public sealed class CallsApiTests
{
    private const string Agent = "Local/101@agentphone";

    [Fact]
    public async Task Post_starts_a_click_to_call_at_once_and_get_shows_its_outcome()
    {
        await using var host = await CallsHost.StartAsync(timeScale: 100);
        using var client = host.Client();
        using var response = await client.PostAsJsonAsync("/api/calls", new { number = "4158137442", agent = Agent });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{host.Errors}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal($"/api/calls/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal("+14158137442", (await host.Services.Attempts.GetAsync(id)) is { } a ? (await host.Services.Leads.GetAsync(a.LeadId))!.PhoneE164 : null);

        var outcome = await PollOutcomeAsync(client, id);
        Assert.Equal("busy", outcome.GetProperty("outcome").GetString());
        Assert.Equal("ended", outcome.GetProperty("state").GetString());
        Assert.Equal("BUSY", outcome.GetProperty("dialStatus").GetString());
    }

    [Fact]
    public async Task Refusals_name_the_field_and_send_nothing()
    {
        await using var host = await CallsHost.StartAsync(timeScale: 100);
        using var client = host.Client();
        await host.Services.Dnc.AddAsync("+14158137440", null, DncSource.Manual, "test");

        using var agent = await client.PostAsJsonAsync("/api/calls", new { number = "4158137441", agent = "PJSIP/999" });
        Assert.Equal(HttpStatusCode.BadRequest, agent.StatusCode);
        Assert.True((await agent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("agent", out _));

        using var missing = await client.PostAsJsonAsync("/api/calls", new { agent = Agent });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.True((await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("number", out _));

        using var dnc = await client.PostAsJsonAsync("/api/calls", new { number = "4158137440", agent = Agent });
        Assert.Equal(HttpStatusCode.Conflict, dnc.StatusCode);
        Assert.Contains("do-not-call", await dnc.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var context = await client.PostAsJsonAsync("/api/calls", new { number = "4158137441", agent = Agent, context = "pstn" });
        Assert.Equal(HttpStatusCode.BadRequest, context.StatusCode);
        Assert.True((await context.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("context", out _));

        using var unknown = await client.GetAsync("/api/calls/999999");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var anonymous = await host.Anonymous().PostAsJsonAsync("/api/calls", new { number = "4158137441", agent = Agent });
        Assert.NotEqual(HttpStatusCode.Accepted, anonymous.StatusCode);
        Assert.Empty(host.Services.Simulator!.ActionsNamed("Originate"));
    }

    [Fact]
    public async Task Transfer_redirects_a_live_call_and_refuses_a_disallowed_destination_and_an_ended_call()
    {
        // Real time: the callee (digit 7) answers at once and talks 9.5 s, long enough for a loaded machine to get
        // its transfer in while the call is up.
        await using var host = await CallsHost.StartAsync(timeScale: 1);
        using var client = host.Client();
        var engine = host.Services.Engine!;
        var campaign = await host.Services.Campaigns.CreateAsync(new Campaign
        {
            Name = "long calls",
            DialTemplate = "Local/{national}@pstn",
            CallingHours = DailyWindow.AllDay,
            RingTimeout = TimeSpan.FromSeconds(15),
            IsSimulated = true,
        }, "test");
        using (var csv = new MemoryStream("phone\n+14158137447\n"u8.ToArray()))
        {
            await host.Services.Importer.ImportAsync(csv, "leads.csv", new CsvImportOptions { CampaignId = campaign.Id, ValidationWorkers = 1 });
        }

        using var feed = engine.Subscribe();
        var run = engine.RunCampaignAsync(campaign.Id);
        long id = 0;
        await foreach (var change in feed.Reader.ReadAllAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token))
        {
            if (change.Kind == EngineChangeKind.CallStarted)
            {
                id = change.AttemptId!.Value;
                break;
            }
        }

        // Bounded: a call that ended before it was seen live must fail the test, not spin it forever.
        JsonElement call;
        var liveBy = DateTimeOffset.UtcNow.AddSeconds(30);
        do
        {
            Assert.True(DateTimeOffset.UtcNow < liveBy, $"call {id} was never seen live and answered");
            call = await client.GetFromJsonAsync<JsonElement>($"/api/calls/{id}");
            if (call.GetProperty("outcome").ValueKind == JsonValueKind.String)
            {
                Assert.Fail($"call {id} ended before it was seen live: {call}");
            }

            await Task.Delay(10);
        }
        while (!(call.GetProperty("live").GetBoolean() && call.GetProperty("answeredAt").ValueKind != JsonValueKind.Null && call.GetProperty("channel").ValueKind == JsonValueKind.String));

        using var notAllowed = await client.PostAsJsonAsync($"/api/calls/{id}/transfer", new { context = "pstn", exten = "s", priority = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, notAllowed.StatusCode);
        Assert.True((await notAllowed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("destination", out _));

        using var moved = await client.PostAsJsonAsync($"/api/calls/{id}/transfer", new { context = "agents", exten = "200" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var transfer = await moved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(call.GetProperty("channel").GetString(), transfer.GetProperty("channel").GetString());
        var redirect = Assert.Single(host.Services.Simulator!.ActionsNamed("Redirect"));
        Assert.Equal(("agents", "200", "1"), (redirect["Context"], redirect["Exten"], redirect["Priority"]));

        var ended = await PollOutcomeAsync(client, id);
        Assert.Equal("answered", ended.GetProperty("outcome").GetString());
        using var late = await client.PostAsJsonAsync($"/api/calls/{id}/transfer", new { context = "ivr", exten = "s" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("has ended", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(host.Services.Simulator!.ActionsNamed("Redirect"));
        await run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Transfer_of_a_click_to_call_moves_the_customers_leg_not_the_agents_phone()
    {
        // Real time: the customer (digit 7) answers at once and talks 9.5 s.
        await using var host = await CallsHost.StartAsync(timeScale: 1);
        using var client = host.Client();
        using var started = await client.PostAsJsonAsync("/api/calls", new { number = "4158137447", agent = Agent });
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        JsonElement call;
        var answeredBy = DateTimeOffset.UtcNow.AddSeconds(30);
        do
        {
            Assert.True(DateTimeOffset.UtcNow < answeredBy, $"call {id} was never seen answered");
            call = await client.GetFromJsonAsync<JsonElement>($"/api/calls/{id}");
            await Task.Delay(10);
        }
        while (call.GetProperty("answeredAt").ValueKind == JsonValueKind.Null || call.GetProperty("channel").ValueKind != JsonValueKind.String);

        using var notAllowed = await client.PostAsJsonAsync($"/api/calls/{id}/transfer", new { context = "pstn", exten = "s", priority = 1 });
        var refusal = await notAllowed.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, notAllowed.StatusCode);
        Assert.DoesNotContain("Dialing:", refusal, StringComparison.Ordinal);

        using var moved = await client.PostAsJsonAsync($"/api/calls/{id}/transfer", new { context = "ivr", exten = "s", priority = 1 });
        Assert.True(moved.StatusCode == HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        var transfer = await moved.Content.ReadFromJsonAsync<JsonElement>();
        var agentChannel = call.GetProperty("channel").GetString()!;
        Assert.StartsWith(Agent + "-", agentChannel, StringComparison.Ordinal);
        Assert.NotEqual(agentChannel, transfer.GetProperty("channel").GetString());
        var redirect = Assert.Single(host.Services.Simulator!.ActionsNamed("Redirect"));
        Assert.Equal(transfer.GetProperty("channel").GetString(), redirect["Channel"]);
        Assert.Equal(("ivr", "s", "1"), (redirect["Context"], redirect["Exten"], redirect["Priority"]));
        Assert.Equal("answered", (await PollOutcomeAsync(client, id)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Click_to_call_talk_time_starts_when_the_customer_answers_not_the_agent()
    {
        // Real time: the agent answers at once, the customer (digit 1) after 2 s of ringing, then talks 5 s.
        await using var host = await CallsHost.StartAsync(timeScale: 1);
        using var client = host.Client();
        using var started = await client.PostAsJsonAsync("/api/calls", new { number = "4158137441", agent = Agent });
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("answered", (await PollOutcomeAsync(client, id)).GetProperty("outcome").GetString());

        var attempt = (await host.Services.Attempts.GetAsync(id))!;
        var ringing = attempt.AnsweredAt!.Value - attempt.CreatedAt;
        Assert.True(ringing >= TimeSpan.FromSeconds(1.8), $"answered {ringing.TotalSeconds:F2} s after the call began: the agent's answer, not the customer's");
        var total = (attempt.EndedAt!.Value - attempt.CreatedAt).TotalSeconds;
        Assert.True(attempt.TalkSeconds <= total - 1.8, $"talk {attempt.TalkSeconds:F2} s of a {total:F2} s call includes the customer's ringing");
        Assert.True(attempt.TalkSeconds >= 4, $"talk {attempt.TalkSeconds:F2} s");
    }

    [Fact]
    public async Task Click_to_call_keeps_agent_and_destination_after_the_end_and_answered_at_is_the_customers()
    {
        // Real time: the agent answers at once, the customer (digit 1) after 2 s of ringing, then talks 5 s.
        await using var host = await CallsHost.StartAsync(timeScale: 1);
        using var client = host.Client();
        using var started = await client.PostAsJsonAsync("/api/calls", new { number = "4158137441", agent = Agent });
        var body = await started.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal(Agent, body.GetProperty("agent").GetString());

        // Every live view's answer time is the customer's, never the agent's (which comes at once).
        var sawLiveAnswer = false;
        JsonElement call;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        do
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"call {id} did not end");
            call = await client.GetFromJsonAsync<JsonElement>($"/api/calls/{id}");
            if (call.GetProperty("answeredAt").ValueKind == JsonValueKind.String)
            {
                var ringing = call.GetProperty("answeredAt").GetDateTimeOffset() - call.GetProperty("createdAt").GetDateTimeOffset();
                Assert.True(ringing >= TimeSpan.FromSeconds(1.8), $"answeredAt {ringing.TotalSeconds:F2} s after the call began: the agent's answer, not the customer's ({call})");
                sawLiveAnswer |= call.GetProperty("live").GetBoolean();
            }

            await Task.Delay(20);
        }
        while (call.GetProperty("outcome").ValueKind != JsonValueKind.String);

        Assert.True(sawLiveAnswer, "the call was never seen live and answered");
        Assert.Equal("answered", call.GetProperty("outcome").GetString());
        Assert.Equal(Agent, call.GetProperty("agent").GetString());
        Assert.Equal("+14158137441", call.GetProperty("number").GetString());
        Assert.StartsWith("outbound,", call.GetProperty("destination").GetString(), StringComparison.Ordinal);

        // Another process's view (no engine memory of the call): still there, from the store.
        var record = (await host.Services.ClickToCalls.GetAsync(id))!;
        Assert.Equal((Agent, call.GetProperty("destination").GetString()), (record.Agent, record.Destination));
    }

    [Fact]
    public async Task Get_calls_lists_click_to_calls_newest_first_filtered_by_agent_and_time_with_paging()
    {
        await using var host = await CallsHost.StartAsync(timeScale: 100);
        using var client = host.Client();
        var ids = new List<long>();
        foreach (var (number, agent) in new[] { ("4158137442", "Local/101@agentphone"), ("4158137452", "Local/102@agentphone"), ("4158137462", "Local/101@agentphone") })
        {
            using var started = await client.PostAsJsonAsync("/api/calls", new { number, agent });
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            await PollOutcomeAsync(client, id);
            ids.Add(id);
        }

        var all = await client.GetFromJsonAsync<JsonElement>("/api/calls");
        Assert.Equal(3, all.GetProperty("total").GetInt64());
        Assert.Equal(ids.AsEnumerable().Reverse(), all.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
        Assert.All(all.GetProperty("calls").EnumerateArray(), c => Assert.Equal("busy", c.GetProperty("outcome").GetString()));

        var agent101 = await client.GetFromJsonAsync<JsonElement>("/api/calls?agent=" + Uri.EscapeDataString("Local/101@agentphone"));
        Assert.Equal(2, agent101.GetProperty("total").GetInt64());
        Assert.Equal([ids[2], ids[0]], agent101.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
        Assert.All(agent101.GetProperty("calls").EnumerateArray(), c => Assert.Equal("Local/101@agentphone", c.GetProperty("agent").GetString()));

        var page = await client.GetFromJsonAsync<JsonElement>("/api/calls?limit=1&offset=1");
        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal(ids[1], Assert.Single(page.GetProperty("calls").EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Equal("+14158137452", page.GetProperty("calls")[0].GetProperty("number").GetString());

        // The time range is on the calls' start: [from, to).
        var second = (await host.Services.Attempts.GetAsync(ids[1]))!.CreatedAt;
        var range = await client.GetFromJsonAsync<JsonElement>($"/api/calls?from={Uri.EscapeDataString(second.ToString("O"))}&to={Uri.EscapeDataString(second.AddTicks(1).ToString("O"))}");
        Assert.Equal(ids[1], Assert.Single(range.GetProperty("calls").EnumerateArray()).GetProperty("id").GetInt64());
        var before = await client.GetFromJsonAsync<JsonElement>("/api/calls?to=2000-01-01T00:00:00Z");
        Assert.Equal(0, before.GetProperty("total").GetInt64());

        using var bad = await client.GetAsync("/api/calls?from=yesterday&limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("yesterday", errors.GetProperty("from")[0].GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("limit", out _));

        using var anonymous = await host.Anonymous().GetAsync("/api/calls");
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);

        var openApi = await client.GetStringAsync("/openapi/v1.json");
        Assert.Contains("ListCalls", openApi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hangup_ends_a_live_click_to_call_and_is_refused_once_it_has_ended()
    {
        // Real time: the agent and the customer (digit 7) answer at once; the customer would talk 9.5 s.
        await using var host = await CallsHost.StartAsync(timeScale: 1);
        using var client = host.Client();
        using var started = await client.PostAsJsonAsync("/api/calls", new { number = "4158137447", agent = Agent });
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        JsonElement call;
        var liveBy = DateTimeOffset.UtcNow.AddSeconds(30);
        do
        {
            Assert.True(DateTimeOffset.UtcNow < liveBy, $"call {id} was never seen live and answered");
            call = await client.GetFromJsonAsync<JsonElement>($"/api/calls/{id}");
            Assert.True(call.GetProperty("outcome").ValueKind == JsonValueKind.Null, $"call {id} ended before it was hung up: {call}");
            await Task.Delay(20);
        }
        while (!(call.GetProperty("live").GetBoolean() && call.GetProperty("answeredAt").ValueKind == JsonValueKind.String));

        using var hangup = await client.PostAsync($"/api/calls/{id}/hangup", null);
        Assert.True(hangup.StatusCode == HttpStatusCode.Accepted, $"{hangup.StatusCode}: {await hangup.Content.ReadAsStringAsync()}");
        var sent = Assert.Single(host.Services.Simulator!.ActionsNamed("Hangup"));
        Assert.Equal(call.GetProperty("channel").GetString(), sent["Channel"]);

        var ended = await PollOutcomeAsync(client, id);
        Assert.Equal("answered", ended.GetProperty("outcome").GetString());
        Assert.True(ended.GetProperty("talkSeconds").GetDouble() < 9.4, $"talked {ended.GetProperty("talkSeconds").GetDouble():F2} s: the hang-up did not end the call");
        Assert.Equal("Customer answered.", ended.GetProperty("outcomeText").GetString());

        using var late = await client.PostAsync($"/api/calls/{id}/hangup", null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("has ended", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknown = await client.PostAsync("/api/calls/999999/hangup", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Agent_messages_name_no_configuration_key_and_repeat_no_prefix_and_the_page_lists_recent_calls()
    {
        await using var host = await CallsHost.StartAsync(timeScale: 100);
        using var client = host.Client();
        using var refused = await client.PostAsJsonAsync("/api/calls", new { number = "4158137441", agent = "PJSIP/999" });
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var message = problem.GetProperty("errors").GetProperty("agent")[0].GetString()!;
        Assert.StartsWith("Agent endpoint 'PJSIP/999' matches none of the allowed patterns (Local/1??@agentphone).", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Dialing:", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("refused: agent endpoint", message, StringComparison.OrdinalIgnoreCase);
        using var context = await client.PostAsJsonAsync("/api/calls", new { number = "4158137441", agent = Agent, context = "pstn" });
        Assert.DoesNotContain("Dialing:", await context.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var started = await client.PostAsJsonAsync("/api/calls", new { number = "4158137442", agent = Agent });
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("Customer busy.", (await PollOutcomeAsync(client, id)).GetProperty("outcomeText").GetString());

        // The page as an agent gets it (the API key is accepted for pages too, or it redirects to the login).
        var (browser, _) = await LoginAsync(host);
        using (browser)
        {
            var html = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync("/calls"));
            Assert.DoesNotContain("Dialing:", html, StringComparison.Ordinal);
            var table = html[html.IndexOf("id=\"recent-calls\"", StringComparison.Ordinal)..];
            Assert.Contains($"#{id}", table, StringComparison.Ordinal);
            Assert.Contains(Agent, table, StringComparison.Ordinal);
            Assert.Contains("+14158137442", table, StringComparison.Ordinal);
            Assert.Contains("Customer busy.", table, StringComparison.Ordinal);
            // The transfer form offers exactly the allowed contexts, as a list.
            var form = html[html.IndexOf("id=\"transfer-form\"", StringComparison.Ordinal)..html.IndexOf("id=\"recent-calls\"", StringComparison.Ordinal)];
            Assert.Contains("<select id=\"transfer-context\" name=\"context\"><option>agents</option><option>ivr</option><option>outbound</option></select>", form, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Each_click_to_call_sets_its_numbers_lead_outcome_and_the_report_counts_the_latest()
    {
        await using var host = await CallsHost.StartAsync(timeScale: 100);
        using var client = host.Client();
        using var first = await client.PostAsJsonAsync("/api/calls", new { number = "4158137442", agent = Agent });
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("busy", (await PollOutcomeAsync(client, firstId)).GetProperty("outcome").GetString());
        var leadId = (await host.Services.Attempts.GetAsync(firstId))!.LeadId;
        Assert.Equal(CallOutcome.Busy, (await host.Services.Leads.GetAsync(leadId))!.FinalOutcome);

        // The same number, answered this time.
        host.Services.Simulator!.Options.Outcomes = new Simulator.OutcomeRules([new Simulator.OutcomeRule("2$", Simulator.SimulatedOutcome.Answered, 0, 1)]);
        using var second = await client.PostAsJsonAsync("/api/calls", new { number = "4158137442", agent = Agent });
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("answered", (await PollOutcomeAsync(client, secondId)).GetProperty("outcome").GetString());
        Assert.Equal(leadId, (await host.Services.Attempts.GetAsync(secondId))!.LeadId);
        Assert.Equal(CallOutcome.Answered, (await host.Services.Leads.GetAsync(leadId))!.FinalOutcome);

        var campaign = (await host.Services.Campaigns.GetByNameAsync("click-to-call"))!;
        // The counters behind the reports agree with the rows: one lead, answered, none busy any more.
        var summary = await host.Services.Reports.GetSummaryAsync(campaign.Id);
        Assert.Equal(1, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Answered));
        Assert.Equal(0, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Busy));
        var rebuilt = await host.Services.Reports.RebuildCountersAsync(campaign.Id);
        Assert.Equal(summary.LeadsByOutcome.Where(kv => kv.Value != 0).ToDictionary(), rebuilt.LeadsByOutcome.Where(kv => kv.Value != 0).ToDictionary());
    }

    [Fact]
    public async Task The_built_in_click_to_call_campaign_refuses_start_stop_and_delete()
    {
        await using var host = await CallsHost.StartAsync(timeScale: 100);
        using var client = host.Client();
        using var call = await client.PostAsJsonAsync("/api/calls", new { number = "4158137442", agent = Agent });
        await PollOutcomeAsync(client, (await call.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        var campaign = (await host.Services.Campaigns.GetByNameAsync("click-to-call"))!;

        foreach (var verb in new[] { "start", "stop", "pause" })
        {
            using var refused = await client.PostAsync($"/api/campaigns/{campaign.Id}/{verb}", null);
            var problem = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.Conflict, $"{verb}: {refused.StatusCode} {problem}");
            Assert.Contains("built in", problem, StringComparison.Ordinal);
        }

        using var delete = await client.DeleteAsync($"/api/campaigns/{campaign.Id}");
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains("cannot be deleted", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var after = (await host.Services.Campaigns.GetAsync(campaign.Id))!;
        Assert.Equal(CampaignState.Draft, after.State);
    }

    /// <summary>A browser-like client logged in through the login form (cookies kept).</summary>
    private static async Task<(HttpClient Client, HttpResponseMessage Login)> LoginAsync(CallsHost host)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true };
        var client = new HttpClient(handler) { BaseAddress = new Uri(host.App.Urls.First()), Timeout = TimeSpan.FromSeconds(15) };
        var login = await WebTestHost.LoginAsync(client, WebTestHost.Password);
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        return (client, login);
    }

    // Generous: a loaded machine runs the scaled simulator's calls late.
    private static async Task<JsonElement> PollOutcomeAsync(HttpClient client, long id, int seconds = 60)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var call = await client.GetFromJsonAsync<JsonElement>($"/api/calls/{id}");
            if (call.GetProperty("outcome").ValueKind == JsonValueKind.String)
            {
                return call;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"call {id} did not end");
    }

    /// <summary>The real host as <c>serve</c> builds it (engine started, simulator time scaled), API key auth.</summary>
    private sealed class CallsHost : IAsyncDisposable
    {
        private readonly string _dir;

        private CallsHost(AppServices services, WebApplication app, string dir)
        {
            Services = services;
            App = app;
            _dir = dir;
        }

        public AppServices Services { get; }

        private ErrorLog Log { get; init; } = new();

        /// <summary>Errors the host logged, for failure messages.</summary>
        public string Errors => string.Join("\n", Log.Lines);

        public WebApplication App { get; }

        public static async Task<CallsHost> StartAsync(double timeScale)
        {
            var dir = Path.Combine(Path.GetTempPath(), "amidialer-calls-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            var settings = new AmiDialerSettings();
            settings.Database.Path = Path.Combine(dir, "amidialer.db");
            settings.Web.ApiKeys = [WebTestHost.ApiKey];
            settings.Web.AdminPasswordHash = AdminPassword.Hash(WebTestHost.Password, iterations: 1000);
            settings.Dialing.AllowedContexts = ["agents", "ivr", "outbound"];
            settings.Dialing.ClickToCall.AllowedAgents = ["Local/1??@agentphone"];
            settings.Dialing.ClickToCall.RespectCallingHours = false;
            var log = new ErrorLog();
            var services = await AppServices.CreateAsync(settings, simulate: true, new AppServicesOptions
            {
                LoggerFactory = new LoggerFactory([log]),
                SimulatorTimeScale = timeScale,
                Engine = o => new Engine.DialerEngineOptions
                {
                    DatabasePath = o.DatabasePath,
                    Servers = o.Servers,
                    Simulated = o.Simulated,
                    CallControl = o.CallControl,
                    SettleTime = TimeSpan.FromMilliseconds(100),
                    PollInterval = TimeSpan.FromMilliseconds(20),
                },
            }, CancellationToken.None);
            var engine = await services.StartEngineAsync(useScheduler: false, CancellationToken.None);
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                await engine.WaitForServersAsync(timeout.Token);
            }

            var app = WebServer.Build(services, "http://127.0.0.1:0");
            await app.StartAsync();
            return new CallsHost(services, app, dir) { Log = log };
        }

        public HttpClient Anonymous() => new() { BaseAddress = new Uri(App.Urls.First()), Timeout = TimeSpan.FromSeconds(15) };

        public HttpClient Client()
        {
            var client = Anonymous();
            client.DefaultRequestHeaders.Add("X-Api-Key", WebTestHost.ApiKey);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
            await Services.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
                // A file still open on a slow shutdown; the temp folder is cleaned by the OS.
            }
        }
    }

    private sealed class ErrorLog : ILoggerProvider, ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Enqueue(formatter(state, exception) + " " + exception);
            }
        }

        public void Dispose()
        {
        }
    }
}
