using System.Globalization;
using AmiDialer.Cli;
using AmiDialer.Tests.Cli;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// Serve's scheduler follows the store whoever writes it: a campaign scheduled by the executable's <c>campaign</c>
/// command in another process starts on time under a running serve, and one stopped there never starts.
/// </summary>
public sealed class ScheduleFromCliTests : IDisposable
{
    private static readonly TimeSpan Supervisor = TimeSpan.FromSeconds(2);

    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public async Task A_campaign_scheduled_by_another_process_starts_at_its_start_time_under_serve()
    {
        var env = new Dictionary<string, string> { ["AMIDIALER_Engine__SupervisorInterval"] = Supervisor.ToString() };
        var (serve, _) = await ChildServe.StartServeAsync(cli.Folder, cli.DatabasePath, env, "--time-scale", "50");
        await using (serve)
        {
            var store = new ChildServe.Store(cli.DatabasePath);
            // Far enough ahead that the second process has written it before it comes, even on a loaded machine; the
            // assertions hold either way (a start time already past fires at once, never before).
            var startAt = DateTimeOffset.UtcNow.AddSeconds(40);
            var start = startAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            startAt = DateTimeOffset.Parse(start, CultureInfo.InvariantCulture);
            foreach (var name in new[] { "later", "never" })
            {
                var created = await cli.Db("campaign", "create", name, "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00", "--cps", "20", "--start", start);
                Assert.True(created.Code == 0, created.ToString());
                Assert.Equal(0, (await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", name)).Code);
            }

            // Drafts until another process starts them: only the store says they are due, and serve must notice.
            // Forced: this process has no PBX settings of its own (serve dials the simulator), so the pre-flight would refuse.
            var started = await CampaignCommandAsync("start", "later", "--force");
            Assert.True(started.Contains("Dialing begins at", StringComparison.Ordinal) || DateTimeOffset.UtcNow >= startAt, started);
            await CampaignCommandAsync("start", "never", "--force");
            // Changed again by another process before its time: serve must not start it.
            await CampaignCommandAsync("stop", "never");
            var written = DateTimeOffset.UtcNow;

            // On time: dialing begins at the start time, or within two supervisor ticks of the write when that came
            // later; generous slack on top for a loaded machine.
            var bound = (startAt > written ? startAt : written) + 2 * Supervisor + TimeSpan.FromSeconds(30);
            await ChildServe.WaitUntilAsync(async () => await store.AttemptsAsync("later") > 0, bound - DateTimeOffset.UtcNow, () => "no attempt:\n" + serve);
            var first = await store.FirstAttemptAtAsync("later");
            Assert.True(first >= startAt, $"dialed at {first:O}, before its start time {startAt:O}");
            await ChildServe.WaitUntilAsync(async () => await store.StateAsync("later") == "completed", TimeSpan.FromSeconds(120), () => "never completed:\n" + serve);
            Assert.Equal(20, await store.AttemptsAsync("later"));

            Assert.Equal("stopped", await store.StateAsync("never"));
            if (written < startAt)
            {
                // Stopped before its time (the usual case): its trigger went with it. A machine so slow that the
                // stop came after the start time may have dialed it, rightly.
                Assert.Equal(0, await store.AttemptsAsync("never"));
            }

            serve.Signal(AmiDialerProcess.SigTerm);
            Assert.Equal(AmiDialerCli.Success, await serve.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }
    }

    /// <summary>The real executable's <c>campaign</c> command, in a process of its own, on the database serve uses.</summary>
    private async Task<string> CampaignCommandAsync(params string[] args)
    {
        var (code, output, error) = await AmiDialerProcess.RunAsync(cli.Folder, TimeSpan.FromSeconds(90), ["campaign", .. args, "--db", cli.DatabasePath]);
        Assert.True(code == 0, $"campaign {string.Join(' ', args)}: exit {code}\n{output}\n{error}");
        return output;
    }
}
