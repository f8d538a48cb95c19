using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Cli;

public sealed class CampaignCommandTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task The_built_in_click_to_call_campaign_cannot_be_started_or_stopped()
    {
        Assert.Equal(AmiDialerCli.Success, (await cli.Db("campaign", "create", "click-to-call")).Code);
        foreach (var verb in new[] { "start", "stop", "pause" })
        {
            var refused = await cli.Db("campaign", verb, "click-to-call");
            Assert.True(refused.Code == AmiDialerCli.Failure, refused.ToString());
            Assert.Contains("built in", refused.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", refused.Error, StringComparison.Ordinal);
        }

        var shown = await cli.Db("campaign", "show", "click-to-call", "--format", "json");
        Assert.Equal("draft", JsonDocument.Parse(shown.Output).RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Create_then_show_as_json_keeps_every_setting()
    {
        var created = await cli.Db(
            "campaign", "create", "reminders",
            "--dial", "PJSIP/{number}@trunk", "--destination", "ivr,s,1", "--caller-id", "\"Clinic\" <+12125550100>",
            "--max-concurrent", "4", "--cps", "1.5", "--ring-timeout", "25", "--hours", "09:00-20:00", "--days", "Mon-Fri",
            "--window", "09:00-12:00", "--window", "14:00-17:00", "--time-zone", "Europe/Paris",
            "--start", "2026-12-01T09:00:00+01:00", "--end", "2026-12-20T18:00:00+01:00",
            "--retry", "busy=5m:3,no-answer=1h:2", "--max-attempts", "4", "--var", "CLINIC=North", "--var-field", "APPT=appointment");
        Assert.True(created.Code == AmiDialerCli.Success, created.ToString());

        var shown = await cli.Db("campaign", "show", "reminders", "--format", "json");
        Assert.True(shown.Code == AmiDialerCli.Success, shown.ToString());
        using var doc = JsonDocument.Parse(shown.Output);
        var c = doc.RootElement;
        Assert.Equal("draft", c.GetProperty("state").GetString());
        Assert.Equal("PJSIP/{number}@trunk", c.GetProperty("dial").GetString());
        Assert.Equal("ivr,s,1", c.GetProperty("destination").GetString());
        Assert.Equal("\"Clinic\" <+12125550100>", c.GetProperty("callerId").GetString());
        Assert.Equal(4, c.GetProperty("maxConcurrent").GetInt32());
        Assert.Equal(1.5, c.GetProperty("cps").GetDouble());
        Assert.Equal(25, c.GetProperty("ringTimeoutSeconds").GetDouble());
        Assert.Equal("09:00-20:00", c.GetProperty("hours").GetString());
        Assert.Equal(["09:00-12:00", "14:00-17:00"], c.GetProperty("windows").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal("Europe/Paris", c.GetProperty("timeZone").GetString());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero), c.GetProperty("start").GetDateTimeOffset());
        Assert.Contains("busy=5m:3", c.GetProperty("retry").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, c.GetProperty("maxAttempts").GetInt32());
        var vars = c.GetProperty("variables").EnumerateArray().ToList();
        Assert.Equal("North", vars[0].GetProperty("value").GetString());
        Assert.Equal("appointment", vars[1].GetProperty("field").GetString());
        Assert.Equal(0, c.GetProperty("report").GetProperty("leads").GetInt64());
    }

    [Fact]
    public async Task Defaults_come_from_the_configuration()
    {
        Assert.Equal(0, (await cli.Db("campaign", "create", "plain")).Code);
        var shown = await cli.Db("campaign", "show", "plain");
        Assert.Matches(@"(?m)^calling hours\s+08:00-21:00", shown.Output);
        Assert.Matches(@"(?m)^time zone\s+America/New_York", shown.Output);
        Assert.Matches(@"(?m)^ring timeout\s+30 s", shown.Output);
    }

    [Fact]
    public async Task A_taken_name_and_an_unknown_campaign_fail_with_exit_one()
    {
        Assert.Equal(0, (await cli.Db("campaign", "create", "dup")).Code);
        var again = await cli.Db("campaign", "create", "dup");
        Assert.Equal(AmiDialerCli.Failure, again.Code);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);

        var missing = await cli.Db("campaign", "show", "ghost");
        Assert.Equal(AmiDialerCli.Failure, missing.Code);
        Assert.Contains("No campaign named 'ghost'", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_destination_outside_the_allowed_contexts_is_bad_usage_on_create_and_update()
    {
        var created = await cli.Db("campaign", "create", "d", "--destination", "from-internal,100,1");
        Assert.Equal(AmiDialerCli.Usage, created.Code);
        Assert.Contains("--destination", created.Error, StringComparison.Ordinal);
        Assert.Contains("context 'from-internal' is not in the allowed contexts (agents, ivr, outbound)", created.Error, StringComparison.Ordinal);
        Assert.Equal(AmiDialerCli.Failure, (await cli.Db("campaign", "show", "d")).Code);

        Assert.Equal(0, (await cli.Db("campaign", "create", "d", "--destination", "ivr,s,1")).Code);
        var updated = await cli.Db("campaign", "update", "d", "--destination", "from-internal,100,1");
        Assert.Equal(AmiDialerCli.Usage, updated.Code);
        Assert.Contains("from-internal", updated.Error, StringComparison.Ordinal);
        var shown = await cli.Db("campaign", "show", "d", "--format", "json");
        Assert.Equal("ivr,s,1", JsonDocument.Parse(shown.Output).RootElement.GetProperty("destination").GetString());
    }

    [Fact]
    public async Task End_before_start_is_bad_usage()
    {
        var result = await cli.Db("campaign", "create", "c", "--start", "2026-12-02T00:00:00Z", "--end", "2026-12-01T00:00:00Z");
        Assert.Equal(AmiDialerCli.Usage, result.Code);
        Assert.Contains("--end", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_changes_only_the_options_given()
    {
        Assert.Equal(0, (await cli.Db("campaign", "create", "u", "--cps", "3", "--max-concurrent", "7")).Code);
        var updated = await cli.Db("campaign", "update", "u", "--cps", "5");
        Assert.True(updated.Code == 0, updated.ToString());
        using var doc = JsonDocument.Parse((await cli.Db("campaign", "show", "u", "--format", "json")).Output);
        Assert.Equal(5, doc.RootElement.GetProperty("cps").GetDouble());
        Assert.Equal(7, doc.RootElement.GetProperty("maxConcurrent").GetInt32());

        var nothing = await cli.Db("campaign", "update", "u");
        Assert.Equal(AmiDialerCli.Usage, nothing.Code);
    }

    [Fact]
    public async Task State_changes_follow_the_lifecycle_and_refuse_the_impossible()
    {
        Assert.Equal(0, (await cli.Db("campaign", "create", "life")).Code);
        var resume = await cli.Db("campaign", "resume", "life");
        Assert.Equal(AmiDialerCli.Failure, resume.Code);
        Assert.Contains("it is draft", resume.Error, StringComparison.Ordinal);

        // No PBX here: the pre-flight would refuse (CampaignStartPreflightTests); the lifecycle is what is tested.
        Assert.Contains("now running", (await cli.Db("campaign", "start", "life", "--force")).Output, StringComparison.Ordinal);
        Assert.Contains("now paused", (await cli.Db("campaign", "pause", "life")).Output, StringComparison.Ordinal);
        var start = await cli.Db("campaign", "start", "life");
        Assert.Equal(AmiDialerCli.Failure, start.Code);
        Assert.Contains("campaign resume", start.Error, StringComparison.Ordinal);
        Assert.Contains("now running", (await cli.Db("campaign", "resume", "life")).Output, StringComparison.Ordinal);
        Assert.Contains("now stopped", (await cli.Db("campaign", "stop", "life")).Output, StringComparison.Ordinal);
        Assert.Equal(AmiDialerCli.Failure, (await cli.Db("campaign", "start", "life")).Code);
        Assert.Equal(AmiDialerCli.Failure, (await cli.Db("campaign", "update", "life", "--cps", "1")).Code);

        var list = await cli.Db("campaign", "list");
        Assert.Matches(@"(?m)^life\s+stopped\s+0", list.Output);
    }

    [Fact]
    public async Task A_future_start_makes_start_schedule_the_campaign()
    {
        Assert.Equal(0, (await cli.Db("campaign", "create", "later", "--start", "2999-01-01T00:00:00Z")).Code);
        var started = await cli.Db("campaign", "start", "later", "--force");
        Assert.Contains("now scheduled", started.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_is_empty_then_shows_campaigns_in_json()
    {
        Assert.Contains("No campaigns yet", (await cli.Db("campaign", "list")).Output, StringComparison.Ordinal);
        await cli.Db("campaign", "create", "a");
        await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "a");
        using var doc = JsonDocument.Parse((await cli.Db("campaign", "list", "--format", "json")).Output);
        var a = doc.RootElement[0];
        Assert.Equal("a", a.GetProperty("name").GetString());
        Assert.Equal(20, a.GetProperty("report").GetProperty("leads").GetInt64());
    }
}
