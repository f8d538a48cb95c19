using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Web.E2E.Tests;

/// <summary>One campaign the busy day built: its id, name, the state it was left in and how many leads were uploaded.</summary>
public sealed record BusyCampaign(long Id, string Name, string State, int Uploaded);

/// <summary>
/// A contact centre's day, built through the product as an operator builds it: campaigns created, CSVs uploaded and
/// started, paused and stopped through the API, dialed by the engine against the time-scaled simulator; click-to-calls
/// placed through <c>POST /api/calls</c>; a do-not-call list added and imported. Only the outcome-unknown endings are
/// written straight to the store (as <see cref="UnknownOutcomeTests"/> does): producing them for real takes a dialer
/// killed mid-call.
/// </summary>
public sealed class BusyDay
{
    private const string Zone = "America/New_York";

    private BusyDay(ProductHost host) => Host = host;

    public ProductHost Host { get; }

    /// <summary>Draft (never started), scheduled, running, paused, stopped (with unknown outcomes), completed: in that order.</summary>
    public List<BusyCampaign> Campaigns { get; } = [];

    public BusyCampaign Completed => Campaigns.Single(c => c.State == "completed");

    public BusyCampaign Running => Campaigns.Single(c => c.State == "running");

    public BusyCampaign Draft => Campaigns.Single(c => c.State == "draft");

    public List<long> ClickToCalls { get; } = [];

    public List<string> DoNotCall { get; } = [];

    /// <summary>The 5,000-lead file the completed campaign was built from (kept for the upload page's preview).</summary>
    public string BigCsvPath { get; private set; } = "";

    /// <summary>How long building the day took.</summary>
    public TimeSpan BuildTime { get; private set; }

    public static async Task<BusyDay> BuildAsync(ProductHost host)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var day = new BusyDay(host);
        await day.BuildAsync();
        day.BuildTime = clock.Elapsed;
        return day;
    }

    private async Task BuildAsync()
    {
        // Do-not-call first, so the big campaign's blocked numbers are refused when it dials.
        for (var i = 0; i < 20; i++)
        {
            DoNotCall.Add(await AddDncAsync(Number(4158130000 + (i * 97)), null, "asked not to be called"));
        }

        var dncImport = new StringBuilder("phone\n");
        for (var i = 0; i < 30; i++)
        {
            dncImport.Append("(212) 736-").Append((1000 + i).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        dncImport.Append("not a number\n");
        using (var imported = await Host.Api.PostAsync("/api/dnc/import", new StringContent(dncImport.ToString(), Encoding.UTF8, "text/csv")))
        {
            await Ensure(imported);
        }

        var big = Csv(4158130000, 5000, badRows: true);
        BigCsvPath = Path.Combine(Host.DataDirectory, "spring-renewals.csv");
        await File.WriteAllTextAsync(BigCsvPath, big);

        var completed = await CreateAsync("Spring renewals", new { maxConcurrentCalls = 300, callsPerSecond = 300.0, maxAttempts = 1 });
        await UploadAsync(completed, big, "spring-renewals.csv");
        await CommandAsync(completed, "start");

        var running = await CreateAsync("Winback calls", new { maxConcurrentCalls = 2, callsPerSecond = 0.5, retryPolicy = "busy=2m:2,no-answer=10m:1", maxAttempts = 3 });
        await UploadAsync(running, Csv(4158135000, 1000), "winback.csv");
        for (var i = 0; i < 3; i++)
        {
            // Scoped to this campaign only: the numbers stay callable by the others.
            DoNotCall.Add(await AddDncAsync(Number(4158135000 + (i * 10)), running.Id, "not for win-back offers"));
        }


        var paused = await CreateAsync("Customer survey", new { maxConcurrentCalls = 20, callsPerSecond = 20.0 });
        await UploadAsync(paused, Csv(4158136000, 600), "survey.csv");

        var stopped = await CreateAsync("Payment reminders", new { maxConcurrentCalls = 20, callsPerSecond = 20.0 });
        await UploadAsync(stopped, Csv(4158137000, 600), "reminders.csv");

        var scheduled = await CreateAsync("Holiday promotion", new { startAt = DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-dd'T'HH:00:00'Z'", CultureInfo.InvariantCulture) });
        await UploadAsync(scheduled, Csv(4158138000, 400), "holiday.csv");

        var draft = await CreateAsync("Spring renewals, wave 2", new { });
        await UploadAsync(draft, Csv(4158138500, 300), "wave2.csv");

        await CommandAsync(scheduled, "start");
        await CommandAsync(paused, "start");
        await CommandAsync(stopped, "start");
        await WaitAsync(paused, s => s.GetProperty("attempts").GetInt64() >= 100, "100 attempts");
        await CommandAsync(paused, "pause");
        await WaitAsync(stopped, s => s.GetProperty("attempts").GetInt64() >= 100, "100 attempts");
        await CommandAsync(stopped, "stop");
        await WaitAsync(completed, s => s.GetProperty("state").GetString() == "completed", "completion", seconds: 150);
        await WaitAsync(paused, s => s.GetProperty("activeCalls").GetInt32() == 0, "its last calls to end");
        await WaitAsync(stopped, s => s.GetProperty("activeCalls").GetInt32() == 0, "its last calls to end");
        await EndUnknownAsync(stopped.Id, 4);
        await CommandAsync(running, "start");

        foreach (var (agent, number) in new[]
        {
            ("PJSIP/101", "(415) 555-0140"), ("PJSIP/101", "(415) 555-0152"), ("PJSIP/102", "(212) 555-0123"),
            ("PJSIP/102", "(212) 555-0164"), ("PJSIP/103", "(312) 555-0187"), ("PJSIP/103", "(312) 555-0118"),
        })
        {
            using var call = await Host.Api.PostAsJsonAsync("/api/calls", new { agent, number });
            await Ensure(call);
            ClickToCalls.Add((await call.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        foreach (var id in ClickToCalls)
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
            while ((await Host.Api.GetFromJsonAsync<JsonElement>($"/api/calls/{id}")).GetProperty("outcome").ValueKind != JsonValueKind.String)
            {
                if (DateTimeOffset.UtcNow > deadline)
                {
                    throw new TimeoutException($"click-to-call {id} did not end");
                }

                await Task.Delay(50);
            }
        }

        Campaigns.AddRange([draft with { State = "draft" }, scheduled with { State = "scheduled" }, running with { State = "running" },
            paused with { State = "paused" }, stopped with { State = "stopped" }, completed with { State = "completed" }]);
        foreach (var c in Campaigns)
        {
            var state = (await StatusAsync(c.Id)).GetProperty("state").GetString();
            if (state != c.State)
            {
                throw new InvalidOperationException($"campaign {c.Name} is {state}, not {c.State}");
            }
        }
    }

    public async Task<JsonElement> StatusAsync(long id) => await Host.Api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/status");

    /// <summary>
    /// A lead file as a CRM exports it: number as typed, name, account; with <paramref name="badRows"/> a few rows the
    /// import refuses (not a number, too short) and a duplicate.
    /// </summary>
    private static string Csv(long first, int count, bool badRows = false)
    {
        string[] names = ["Maria Garcia", "James Smith", "Li Wei", "Fatima Khan", "Olga Petrova", "John O'Neil", "Ana Souza", "Kwame Mensah"];
        var sb = new StringBuilder("phone,name,account\n");
        for (var i = 0; i < count; i++)
        {
            var n = (first + i).ToString(CultureInfo.InvariantCulture);
            // The forms numbers arrive in: national with punctuation, E.164, bare digits.
            var typed = (i % 3) switch
            {
                0 => $"({n[..3]}) {n[3..6]}-{n[6..]}",
                1 => "+1" + n,
                _ => n,
            };
            sb.Append(typed).Append(',').Append(names[i % names.Length]).Append(',').Append("AC").Append((100000 + i).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (badRows)
        {
            sb.Append("not a number,Bad Row,AC999990\n").Append("12345,Too Short,AC999991\n").Append("(415) 813-0001,Duplicate,AC999992\n");
        }

        return sb.ToString();
    }

    private static string Number(long national) => "+1" + national.ToString(CultureInfo.InvariantCulture);

    private async Task<string> AddDncAsync(string number, long? campaignId, string note)
    {
        using var response = await Host.Api.PostAsJsonAsync("/api/dnc", new { number, campaignId, note });
        await Ensure(response);
        return number;
    }

    private async Task<BusyCampaign> CreateAsync(string name, object settings)
    {
        var body = JsonSerializer.SerializeToNode(settings)!.AsObject();
        body["name"] = name;
        body["timeZone"] = Zone;
        body["callingHours"] = "00:00-24:00";
        body["dialTemplate"] = "Local/{national}@pstn";
        using var response = await Host.Api.PostAsJsonAsync("/api/campaigns", body);
        await Ensure(response);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        return new BusyCampaign(id, name, "draft", 0);
    }

    private async Task UploadAsync(BusyCampaign campaign, string csv, string fileName)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        using var response = await Host.Api.PostAsync($"/api/campaigns/{campaign.Id}/imports", form);
        await Ensure(response);
    }

    private async Task CommandAsync(BusyCampaign campaign, string command)
    {
        using var response = await Host.Api.PostAsync($"/api/campaigns/{campaign.Id}/{command}", null);
        await Ensure(response);
    }

    private async Task WaitAsync(BusyCampaign campaign, Func<JsonElement, bool> done, string what, int seconds = 60)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var status = await StatusAsync(campaign.Id);
            if (done(status))
            {
                return;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"campaign {campaign.Name} did not reach {what} in {seconds} s: {status}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Ends some due leads as unknown, as the engine does for calls that ended while no dialer was connected.</summary>
    private async Task EndUnknownAsync(long campaignId, int count)
    {
        var database = Host.Services.Database;
        var now = DateTimeOffset.UtcNow;
        await using var writer = new AttemptWriter(database);
        foreach (var lead in await new LeadRepository(database).GetDueAsync(campaignId, now, count))
        {
            var claim = new AttemptClaim(lead.Id, "busy-day-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "simulator", true);
            var claimed = (await writer.ClaimAsync([new DialClaim(claim, campaignId, lead.PhoneE164)], now))[0];
            var decision = RetryRules.AfterAttempt([], CallOutcome.Unknown, now, RetryPolicy.None, 3);
            await writer.EndAsync(new AttemptEnding
            {
                AttemptId = claimed.Attempt!.Id, Outcome = CallOutcome.Unknown, EndedAt = now,
                LeadState = decision.State, LeadFinalOutcome = decision.FinalOutcome,
            });
        }
    }

    private static async Task Ensure(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} for {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
