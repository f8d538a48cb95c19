using System.Text.Json;
using AmiDialer.Cli;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Cli;

/// <summary><c>run</c> end to end against the built-in simulator, time-scaled.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task The_demo_dials_the_sample_and_prints_every_outcome()
    {
        var result = await cli.Run("run", "--simulate", "--time-scale", "50");
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        Assert.Contains("Run ended", result.Output, StringComparison.Ordinal);
        Assert.Contains("SIMULATED", result.Output, StringComparison.Ordinal);
        // The simulator decides by the last digit; the sample's 20 numbers end in 0-9 twice.
        Assert.Matches(@"(?m)^answered\s+10\s+10$", result.Output);
        foreach (var outcome in new[] { "busy", "no-answer", "congestion", "rejected", "invalid-number" })
        {
            Assert.Matches($@"(?m)^{outcome}\s+2\s+2$", result.Output);
        }

        Assert.Matches(@"(?m)^done\s+20$", result.Output);
        Assert.Contains("leads done", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_keeps_its_database_when_db_is_given()
    {
        var result = await cli.Db("run", "--simulate", "--time-scale", "50");
        Assert.True(result.Code == AmiDialerCli.Success, result.ToString());
        using var doc = JsonDocument.Parse((await cli.Db("report", "--campaign", "demo", "--format", "json")).Output);
        Assert.Equal(20, doc.RootElement.GetProperty("attempts").GetInt64());
        Assert.True(doc.RootElement.GetProperty("simulated").GetBoolean());

        // A second demo in the same database gets a campaign of its own.
        var again = await cli.Db("run", "--simulate", "--time-scale", "50");
        Assert.True(again.Code == AmiDialerCli.Success, again.ToString());
        Assert.Contains("'demo-2'", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_import_run_report_gives_the_known_outcome_counts()
    {
        Assert.Equal(0, (await cli.Db("campaign", "create", "cycle", "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00", "--cps", "20", "--max-concurrent", "20")).Code);
        Assert.Equal(0, (await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "cycle")).Code);
        Assert.Equal(0, (await cli.Db("dnc", "add", "+13125550104", "--campaign", "cycle")).Code);

        var run = await cli.Db("run", "--campaign", "cycle", "--simulate", "--time-scale", "50");
        Assert.True(run.Code == AmiDialerCli.Success, run.ToString());

        var report = await cli.Db("report", "--campaign", "cycle", "--format", "json");
        using var doc = JsonDocument.Parse(report.Output);
        var root = doc.RootElement;
        Assert.Equal(20, root.GetProperty("leads").GetInt64());
        // Put on the do-not-call list after the import: caught again at dial time, never dialed.
        Assert.Equal(1, root.GetProperty("blocked").GetInt64());
        Assert.Equal(19, root.GetProperty("dialable").GetInt64());
        Assert.Equal(19, root.GetProperty("attempts").GetInt64());
        Assert.True(root.GetProperty("simulated").GetBoolean());
        var outcomes = root.GetProperty("outcomes");
        Assert.Equal(10, outcomes.GetProperty("answered").GetInt64());
        Assert.Equal(2, outcomes.GetProperty("busy").GetInt64());
        Assert.Equal(2, outcomes.GetProperty("no-answer").GetInt64());
        Assert.Equal(1, outcomes.GetProperty("congestion").GetInt64()); // the other number ending in 4 is the blocked one
        Assert.Equal(2, outcomes.GetProperty("rejected").GetInt64());
        Assert.Equal(2, outcomes.GetProperty("invalid-number").GetInt64());
        Assert.Equal(0, root.GetProperty("pending").GetInt64());
        Assert.Equal(Math.Round(10.0 / 19, 4), root.GetProperty("answerRate").GetDouble());

        var leads = await cli.Db("report", "--campaign", "cycle", "--leads", "--format", "csv");
        Assert.Matches(@"(?m)^\+12125550100,Ada Lovelace,2026-12-01 09:30,done,answered,1,\d{4}-", leads.Output);
        Assert.Contains(",yes,\r\n", leads.Output, StringComparison.Ordinal); // simulated, then an empty outcome_note
        Assert.Matches(@"(?m)^\+13125550104,Edsger Dijkstra,[^,]*,blocked,,0,", leads.Output);
    }

    [Fact]
    public async Task A_second_run_is_refused_while_one_holds_the_campaign_and_cancel_pauses()
    {
        Assert.Equal(0, (await cli.Db("campaign", "create", "held", "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00", "--cps", "1", "--max-concurrent", "1")).Code);
        Assert.Equal(0, (await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "held")).Code);

        using var interrupt = new CancellationTokenSource();
        using var firstOut = new StringWriter();
        using var firstErr = new StringWriter();
        var first = AmiDialerCli.RunAsync(
            ["run", "--campaign", "held", "--simulate", "--time-scale", "5", "--db", cli.DatabasePath],
            new CliContext(TextWriter.Synchronized(firstOut), TextWriter.Synchronized(firstErr)),
            interrupt.Token);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!firstErr.ToString().Contains("leads done", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !first.IsCompleted, "the first run never showed progress: " + firstOut + firstErr);
            await Task.Delay(50);
        }

        var second = await cli.Db("run", "--campaign", "held", "--simulate", "--time-scale", "5");
        Assert.True(second.Code == AmiDialerCli.Failure, second.ToString());
        Assert.Contains("another process", second.Error, StringComparison.Ordinal);

        await interrupt.CancelAsync();
        Assert.Equal(AmiDialerCli.Interrupted, await first.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("paused", firstOut.ToString(), StringComparison.Ordinal);
        using var doc = JsonDocument.Parse((await cli.Db("campaign", "show", "held", "--format", "json")).Output);
        Assert.Equal("paused", doc.RootElement.GetProperty("state").GetString());
        Assert.True(doc.RootElement.GetProperty("report").GetProperty("pending").GetInt64() > 0);
    }

    [Fact]
    public async Task A_run_with_nothing_due_before_the_end_says_why_and_when()
    {
        // Dialing only on a day three days from now, but the campaign ends tomorrow: no lead can ever become due.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DayOfWeek;
        var day = ((DayOfWeek)(((int)today + 3) % 7)).ToString()[..3];
        var end = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, (await cli.Db("campaign", "create", "never", "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00", "--days", day, "--end", end)).Code);
        Assert.Equal(0, (await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", "never")).Code);

        var run = await cli.Db("run", "--campaign", "never", "--simulate", "--time-scale", "50");
        Assert.True(run.Code == AmiDialerCli.Success, run.ToString());
        Assert.Contains("Run ended: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("Attempts: 0", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_simulate_the_ami_settings_are_required()
    {
        await cli.Db("campaign", "create", "real");
        var result = await cli.Db("run", "--campaign", "real");
        Assert.Equal(AmiDialerCli.Failure, result.Code);
        Assert.Contains("Ami:Servers:0:Secret", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stopped_campaign_has_nothing_to_run()
    {
        await cli.Db("campaign", "create", "done");
        await cli.Db("campaign", "stop", "done");
        var result = await cli.Db("run", "--campaign", "done", "--simulate");
        Assert.Equal(AmiDialerCli.Failure, result.Code);
        Assert.Contains("stopped", result.Error, StringComparison.Ordinal);
    }
}
