using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Testing;
using AmiDialer.Tests.Cli;
using Microsoft.Extensions.Time.Testing;

namespace AmiDialer.Tests.Web;

/// <summary>A campaign's pre-flight (#24) through the real host (API and page, on a fake clock) and through <c>campaign show</c>.</summary>
public sealed class PreflightTests
{
    [Fact]
    public async Task The_api_and_the_page_count_leads_by_what_starting_now_would_do_and_follow_the_clock()
    {
        // 06:30 in New York, 03:30 in Los Angeles: every callee's hours (08:00-21:00) are closed.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 10, 10, 30, 0, TimeSpan.Zero));
        await using var host = await WebTestHost.StartAsync(time: time);
        using var api = host.WithApiKey();
        using var created = await api.PostAsJsonAsync("/api/campaigns", new
        {
            name = "June recalls", timeZone = "America/New_York", callingHours = "08:00-21:00", maxConcurrentCalls = 5, callsPerSecond = 2.0,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var csv = "phone\n(212) 736-1001\n(212) 736-1002\n(212) 736-1003\n(212) 736-1004\n(212) 736-1005\n(212) 736-1006\n"
            + "(213) 555-0101\n(213) 555-0102\n(213) 555-0103\n(213) 555-0104\n";
        Assert.Equal(10, (await ImportsApiTests.UploadAsync(api, id, System.Text.Encoding.UTF8.GetBytes(csv), "june.csv", HttpStatusCode.OK)).GetProperty("imported").GetInt64());
        // One number on the global list, one on this campaign's only: both blocked before the dialer reaches them.
        (await api.PostAsJsonAsync("/api/dnc", new { number = "(212) 736-1001" })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/dnc", new { number = "(213) 555-0101", campaignId = id })).EnsureSuccessStatusCode();

        var dawn = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/preflight");
        Assert.Equal(10, dawn.GetProperty("leads").GetInt64());
        Assert.Equal(0, dawn.GetProperty("dialableNow").GetInt64());
        Assert.Equal(2, dawn.GetProperty("blockedByDoNotCall").GetInt64());
        Assert.Equal(8, dawn.GetProperty("outsideCallingHours").GetInt64());
        Assert.Equal("2026-06-10T12:00:00Z", dawn.GetProperty("callingHoursOpenAt").GetString()); // 08:00 in New York
        Assert.Equal(8, dawn.GetProperty("toCall").GetInt64());
        Assert.Equal(1, dawn.GetProperty("maxAttemptsPerLead").GetInt32());
        // 8 leads × 1 call ÷ (5 lines ÷ (30 s ring + 30 s talk)) = 96 s.
        Assert.Equal(96, dawn.GetProperty("durationSeconds").GetDouble(), 1);
        Assert.True(dawn.GetProperty("capacityCovers").GetBoolean(), dawn.ToString());
        Assert.EndsWith("(as configured; not connected from here)", dawn.GetProperty("capacityVerdict").GetString(), StringComparison.Ordinal);

        // 09:30 in New York (open), 06:30 in Los Angeles (closed until 08:00 there, 15:00Z).
        time.Advance(TimeSpan.FromHours(3));
        var morning = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/preflight");
        Assert.Equal(5, morning.GetProperty("dialableNow").GetInt64());
        Assert.Equal(3, morning.GetProperty("outsideCallingHours").GetInt64());
        Assert.Equal("2026-06-10T15:00:00Z", morning.GetProperty("callingHoursOpenAt").GetString());

        var (browser, _) = await host.LoggedInAsync();
        using (browser)
        {
            var html = WebUtility.HtmlDecode(await browser.GetStringAsync($"/campaigns/{id}"));
            var section = html[html.IndexOf("id=\"preflight\"", StringComparison.Ordinal)..];
            Assert.Contains("<td data-preflight=\"dialable now\">5</td>", section, StringComparison.Ordinal);
            Assert.Contains("<td data-preflight=\"outside calling hours now\">3; the first from 2026-06-10 11:00 America/New_York</td>", section, StringComparison.Ordinal);
            Assert.Contains("<td data-preflight=\"blocked by do-not-call\">2</td>", section, StringComparison.Ordinal);
        }

        using var missing = await api.GetAsync("/api/campaigns/999999/preflight");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Campaign_show_prints_the_preflight_in_text_and_json()
    {
        using var cli = new CliRunner();
        Assert.Equal(AmiDialerCli.Success, (await cli.Db("campaign", "create", "flight", "--hours", "00:00-24:00", "--max-concurrent", "5", "--cps", "2", "--retry", "busy=5m:2", "--max-attempts", "3")).Code);
        Assert.Equal(AmiDialerCli.Success, (await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "flight")).Code);

        var text = await cli.Db("campaign", "show", "flight");
        Assert.True(text.Code == AmiDialerCli.Success, text.ToString());
        Assert.Contains("pre-flight (if dialed now)", text.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^dialable now\s+20\s*$", text.Output);
        Assert.Matches(@"(?m)^calls per lead\s+1 \(no finished leads yet: from 1 to 3 calls per number, estimated at 1\)", text.Output);
        Assert.Matches(@"(?m)^time needed\s+4 min \(at most 12 min if every lead takes 3 calls\) for 20 leads", text.Output);

        var json = await cli.Db("campaign", "show", "flight", "--format", "json");
        using var doc = JsonDocument.Parse(json.Output);
        var preflight = doc.RootElement.GetProperty("preflight");
        Assert.Equal(20, preflight.GetProperty("leads").GetInt64());
        Assert.Equal(20, preflight.GetProperty("dialableNow").GetInt64());
        Assert.Equal(3, preflight.GetProperty("maxAttemptsPerLead").GetInt32());
        Assert.Equal(20, doc.RootElement.GetProperty("report").GetProperty("leads").GetInt64());
    }
}
