using System.Globalization;
using AmiDialer.Tests.Cli;
using Xunit.Abstractions;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// Issue #24 part 3 end to end, through the real executables: a PBX (<c>amidialer simulate</c> in its own process)
/// without the ledger; <c>amidialer pbx install-ledger --apply</c> installs it through AMI as an admin user (secret from
/// AMIDIALER_ADMIN_SECRET); then a dialer is SIGKILLed with calls up, every call ends while no dialer is there, and the
/// next run records each of them with the outcome the PBX had, which only the ledger written by install-ledger can say.
/// </summary>
public sealed class InstallLedgerThenKillTests(ITestOutputHelper output) : IDisposable
{
    private const string AdminSecret = "adm1n-Secret-for-the-test";

    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    /// <summary>
    /// Calls of one to three seconds at this scale, every outcome the dialer tells apart; the users of the test PBX plus an
    /// admin for setup; extensions.conf already has <c>#include amidialer.conf</c> (the administrator added it once).
    /// </summary>
    private static string Scenario(int seed) => string.Create(CultureInfo.InvariantCulture, $$"""
        {
          "timeScale": 5,
          "seed": {{seed}},
          "users": [
            { "username": "dialer", "secret": "dialerpass" },
            { "username": "admin", "secret": "{{AdminSecret}}", "read": "system", "write": "config,command" }
          ],
          "includes": [ "amidialer.conf" ],
          "mix": [
            { "outcome": "answered", "weight": 45, "ringSeconds": [2, 6], "talkSeconds": [4, 10] },
            { "outcome": "noAnswer", "weight": 15, "ringSeconds": [4, 10] },
            { "outcome": "busy", "weight": 15, "ringSeconds": [0, 2] },
            { "outcome": "rejected", "weight": 10, "ringSeconds": [2, 8] },
            { "outcome": "congestion", "weight": 10, "ringSeconds": [0, 1] },
            { "outcome": "unallocated", "weight": 5, "ringSeconds": [0, 1] }
          ]
        }
        """);

    [Fact]
    public async Task A_ledger_installed_through_AMI_gives_the_true_outcome_of_every_call_that_ended_while_the_dialer_was_dead()
    {
        await using var simulator = await SimulatorProcess.StartAsync(cli.Folder, Scenario(seed: 24), ledger: true, preinstalled: false);
        var environment = simulator.DialerEnvironment();

        // Before: the PBX has no ledger.
        var before = await AmiDialerProcess.RunAsync(cli.Folder, environment, AmiDialerProcess.CommandLimit, "pbx", "install-ledger");
        Assert.True(before.Code == 0, before.ToString());

        var install = await AmiDialerProcess.RunAsync(cli.Folder, new Dictionary<string, string>(environment) { ["AMIDIALER_ADMIN_SECRET"] = AdminSecret },
            AmiDialerProcess.CommandLimit, "pbx", "install-ledger", "--server", "pbx1", "--apply", "--admin-user", "admin", "--yes");
        output.WriteLine(install.ToString());
        Assert.True(install.Code == 0, install.ToString());
        Assert.Contains("Ledger check: ledger dialplan version 1 installed", install.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminSecret, install.Output + install.Error, StringComparison.Ordinal);

        var campaign = new KillCampaign(cli, simulator, output);
        await campaign.CreateAsync(leads: 40, callsPerSecond: 20, maxConcurrent: 12);

        // A dialer dials, and is SIGKILLed with its first calls up.
        var killed = AmiDialerProcess.Start(cli.Folder, environment, "run", "--campaign", KillCampaign.Name, "--db", cli.DatabasePath);
        await using (killed)
        {
            await ChildServe.WaitUntilAsync(() => Task.FromResult(simulator.Read().Dials.Count >= 8 || killed.HasExited), TimeSpan.FromSeconds(60), () => "no dials:\n" + killed);
            killed.Kill();
            await killed.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        // Every call it started ends while no dialer is connected (calls outlive their dialer, k2).
        var dialedByTheDead = simulator.Read().Dials.Select(d => d.ChannelId).ToList();
        await ChildServe.WaitUntilAsync(() => Task.FromResult(simulator.Read().DialsWithoutCall == 0), TimeSpan.FromSeconds(60), () => "calls still up");
        var truth = simulator.Read();
        Assert.NotEmpty(dialedByTheDead);
        Assert.All(dialedByTheDead, id => Assert.True(truth.Calls[id].Ledger, $"{id} was not dialed through the ledger"));
        Assert.Contains(dialedByTheDead, id => truth.Calls[id].Outcome != "answered");

        // The next runs take the dead one's calls over and finish the campaign: every outcome is the PBX's, none unknown.
        await campaign.RunAsync([], TimeSpan.FromSeconds(120));
        await campaign.VerifyAsync("install-ledger then a killed dialer", unknownAllowed: false);
    }
}
