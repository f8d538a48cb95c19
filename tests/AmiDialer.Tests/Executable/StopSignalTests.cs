using System.Diagnostics;
using AmiDialer.Cli;
using AmiDialer.Tests.Cli;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// SIGTERM and SIGINT sent to the real executable, as systemd, docker and a terminal send them: serve stops gracefully
/// and exits 0, run exits 143 on SIGTERM (campaign left running) and 130 on Ctrl-C (campaign paused); leases go.
/// </summary>
public sealed class StopSignalTests : IDisposable
{
    /// <summary>Short, so calls of the time-scale-1 simulator (up to 40 s) outlive it and the deadline is what ends the wait.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(4);

    /// <summary>The promise: exit within the grace period plus five seconds.</summary>
    private static readonly TimeSpan ExitBound = Grace + TimeSpan.FromSeconds(5);

    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    private Dictionary<string, string> Environment => new() { ["AMIDIALER_Engine__ShutdownGrace"] = Grace.ToString() };

    private ChildServe.Store Store => new(cli.DatabasePath);

    [Theory]
    [InlineData(AmiDialerProcess.SigTerm)]
    [InlineData(AmiDialerProcess.SigInt)]
    public async Task Serve_stops_gracefully_exits_0_within_the_grace_and_leaves_the_campaign_running(int signal)
    {
        await CreateCampaignAsync("served", cps: 5, concurrent: 5);
        Assert.Equal(0, (await cli.Db("campaign", "start", "served", "--force")).Code);

        var (serve, _) = await ChildServe.StartServeAsync(cli.Folder, cli.DatabasePath, Environment, "--time-scale", "1");
        await using (serve)
        {
            // Mid-run: calls are up when the signal comes.
            await ChildServe.WaitUntilAsync(async () => await Store.OpenAttemptsAsync("served") > 0, ChildServe.StartTimeout, () => "no call started:\n" + serve);
            var clock = Stopwatch.StartNew();
            serve.Signal(signal);
            var code = await serve.WaitForExitAsync(TimeSpan.FromSeconds(60));
            var took = clock.Elapsed;

            Assert.True(code == AmiDialerCli.Success, $"exit {code}\n{serve}");
            Assert.True(took <= ExitBound, $"took {took.TotalSeconds:0.0} s, more than the grace ({Grace.TotalSeconds} s) + 5 s\n{serve}");
            Assert.Contains("Stopped.", serve.Output, StringComparison.Ordinal);
        }

        Assert.Equal("running", await Store.StateAsync("served"));
        Assert.Equal(0, await Store.LeasesAsync());
    }

    [Fact]
    public async Task Run_on_sigterm_exits_143_leaves_the_campaign_running_and_releases_its_lease()
    {
        await CreateCampaignAsync("held", cps: 1, concurrent: 1);
        await using var run = AmiDialerProcess.Start(cli.Folder, Environment, "run", "--campaign", "held", "--simulate", "--time-scale", "5", "--db", cli.DatabasePath);
        await WaitForProgressAsync(run);

        var clock = Stopwatch.StartNew();
        run.Signal(AmiDialerProcess.SigTerm);
        var code = await run.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var took = clock.Elapsed;

        Assert.True(code == AmiDialerCli.Terminated, $"exit {code}\n{run}");
        Assert.True(took <= ExitBound, $"took {took.TotalSeconds:0.0} s, more than the grace ({Grace.TotalSeconds} s) + 5 s\n{run}");
        Assert.Contains("left running", run.Output, StringComparison.Ordinal);
        Assert.Equal("running", await Store.StateAsync("held"));
        Assert.Equal(0, await Store.LeasesAsync());
    }

    [Fact]
    public async Task Run_on_ctrl_c_still_pauses_the_campaign_and_exits_130()
    {
        await CreateCampaignAsync("held", cps: 1, concurrent: 1);
        await using var run = AmiDialerProcess.Start(cli.Folder, Environment, "run", "--campaign", "held", "--simulate", "--time-scale", "5", "--db", cli.DatabasePath);
        await WaitForProgressAsync(run);

        run.Signal(AmiDialerProcess.SigInt);
        var code = await run.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == AmiDialerCli.Interrupted, $"exit {code}\n{run}");
        Assert.Equal("paused", await Store.StateAsync("held"));
        Assert.Equal(0, await Store.LeasesAsync());
    }

    [Fact]
    public async Task A_shutdown_grace_out_of_range_is_refused_at_start_up()
    {
        var env = new Dictionary<string, string> { ["AMIDIALER_Engine__ShutdownGrace"] = "-00:00:05" };
        await using var serve = AmiDialerProcess.Start(cli.Folder, env, "serve", "--simulate", "--urls", $"http://127.0.0.1:{ChildServe.FreePort()}", "--db", cli.DatabasePath);
        var code = await serve.WaitForExitAsync(ChildServe.StartTimeout);
        Assert.True(code == AmiDialerCli.Failure, $"exit {code}\n{serve}");
        Assert.Contains("Engine:ShutdownGrace", serve.Error, StringComparison.Ordinal);
    }

    private async Task CreateCampaignAsync(string name, int cps, int concurrent)
    {
        var created = await cli.Db("campaign", "create", name, "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00",
            "--cps", cps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--max-concurrent", concurrent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(created.Code == 0, created.ToString());
        var imported = await cli.Db("import", RepoPaths.Campaign("sample.csv"), "--campaign", name);
        Assert.True(imported.Code == 0, imported.ToString());
    }

    private static async Task WaitForProgressAsync(AmiDialerProcess run)
    {
        await ChildServe.WaitUntilAsync(() => Task.FromResult(run.Error.Contains("leads done", StringComparison.Ordinal) || run.HasExited), ChildServe.StartTimeout, () => "run never showed progress:\n" + run);
        Assert.False(run.HasExited, "run ended before the signal:\n" + run);
    }
}
