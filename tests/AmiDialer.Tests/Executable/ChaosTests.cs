using System.Diagnostics;
using System.Globalization;
using AmiDialer.Core.Retries;
using AmiDialer.Data.TestHooks;
using AmiDialer.Testing.Postgres;
using Xunit.Abstractions;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// Issue #25, item 6: three <c>amidialer serve</c> nodes on one PostgreSQL, two simulated Asterisk servers in processes of
/// their own, one campaign of 3,000 leads at 100 calls a second; the node dialing it is SIGKILLed mid-campaign, the next
/// one stopped with SIGTERM, each started again as a service manager would; the campaign finishes by its end time. Then
/// the store and both PBXs' records must agree: every lead has exactly the attempts its outcomes call for, every
/// outcome is the PBX's, no number had two live calls, no answered callee was dialed again, no server carried more
/// than its MaxConcurrentCalls, and the end trigger fired once in the cluster.
/// </summary>
public sealed class ChaosTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>, IDisposable
{
    /// <summary>PBX seconds per real second: calls of one to four seconds.</summary>
    private const double TimeScale = 4;

    /// <summary>Below the ~130 calls each PBX carries unhindered at this rate: the cap binds, and the nodes must count it together (issue #25, C1).</summary>
    private const int PbxMaxConcurrentCalls = 100;
    private const int SigKillCode = 137;

    /// <summary>Generous: on two loaded cores the whole campaign takes a minute or two; this only bounds a hang.</summary>
    private static readonly TimeSpan CampaignLimit = TimeSpan.FromMinutes(10);

    private readonly string folder = Directory.CreateTempSubdirectory("amidialer-chaos-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A child still writing its record; the OS cleans temp folders.
        }
    }

    [PostgresFact]
    public async Task Three_nodes_two_pbxs_one_node_killed_one_stopped_the_campaign_finishes_with_every_lead_exactly_right()
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await ChaosCluster.CreateAsync(postgres, folder, "chaos");
        // One PBX with the outcome ledger (outcomes of calls that ended while no node followed them are read back), one
        // without (those end unknown): both ways a node that takes over learns how its predecessor's calls went.
        var pbx1 = await cluster.AddPbxAsync("pbx1", ChaosCampaign.Scenario(TimeScale, seed: 251), ledger: true, PbxMaxConcurrentCalls);
        var pbx2 = await cluster.AddPbxAsync("pbx2", ChaosCampaign.Scenario(TimeScale, seed: 252), ledger: false, PbxMaxConcurrentCalls);

        await cluster.CliAsync(ChaosCampaign.CreateArguments());
        var csv = Path.Combine(folder, "leads.csv");
        await File.WriteAllTextAsync(csv, ChaosCampaign.Csv());
        await cluster.CliAsync("import", csv, "--campaign", ChaosCampaign.Name);
        var campaignId = await cluster.ScalarAsync<long>("SELECT id FROM campaigns WHERE name = @p", ChaosCampaign.Name);
        var leaseKey = "campaign:" + campaignId.ToString(CultureInfo.InvariantCulture);

        await Task.WhenAll(cluster.StartNodeAsync("a"), cluster.StartNodeAsync("b"), cluster.StartNodeAsync("c"));
        await cluster.CliAsync("campaign", "start", ChaosCampaign.Name, "--force");
        var started = clock.Elapsed;
        var log = new List<string>();

        // SIGKILL the node dialing once a fifth of the leads went out; the next one picks the campaign up.
        var killed = await WaitForHolderAsync(cluster, leaseKey, campaignId, attempts: 600, except: null);
        var killedAt = await AttemptsAsync(cluster, campaignId);
        killed.Process.Kill();
        var killedCode = await killed.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SigKillCode, killedCode);
        var second = await WaitForHolderAsync(cluster, leaseKey, campaignId, attempts: killedAt + 300, except: killed);
        log.Add($"SIGKILL {killed} at {killedAt} attempts; {second} took over");
        await cluster.StartNodeAsync("a2");

        // SIGTERM the node dialing now: it stops gracefully (exit 0) and lets go; a third one takes over.
        await WaitForHolderAsync(cluster, leaseKey, campaignId, attempts: 1800, except: killed);
        var stopped = await cluster.HolderAsync(leaseKey) ?? second;
        var stoppedAt = await AttemptsAsync(cluster, campaignId);
        var stopClock = Stopwatch.StartNew();
        stopped.Process.Signal(AmiDialerProcess.SigTerm);
        var stoppedCode = await stopped.Process.WaitForExitAsync(ChaosCluster.ShutdownGrace + TimeSpan.FromSeconds(60));
        Assert.True(stoppedCode == 0, $"SIGTERM: {stopped} exited {stoppedCode}\n{cluster.Describe()}");
        var third = await WaitForHolderAsync(cluster, leaseKey, campaignId, attempts: stoppedAt + 100, except: stopped, notDone: true);
        log.Add($"SIGTERM {stopped} at {stoppedAt} attempts, exit 0 after {stopClock.Elapsed.TotalSeconds:0.0} s; {third} took over");
        await cluster.StartNodeAsync("b2");

        // Everything but the never-answering numbers final: the campaign then ends by its end time, paused first so
        // that the end trigger, not its dialer, completes it (a running dialer ends it too when the time comes).
        await ChildServe.WaitUntilAsync(
            async () => await cluster.ScalarAsync<long>(
                $"SELECT COUNT(*) FROM leads WHERE campaign_id = @p AND state IN ('pending', 'in_progress', 'waiting_retry') AND phone NOT LIKE '%{ChaosCampaign.NeverAnswers}'", campaignId) == 0,
            CampaignLimit, () => "the leads never became final:\n" + cluster.Describe());
        await cluster.CliAsync("campaign", "pause", ChaosCampaign.Name);
        await ChildServe.WaitUntilAsync(
            async () => await cluster.ScalarAsync<long>("SELECT COUNT(*) FROM attempts WHERE campaign_id = @p AND ended_at IS NULL", campaignId) == 0,
            TimeSpan.FromMinutes(2), () => "calls still open after the pause:\n" + cluster.Describe());
        var end = DateTimeOffset.UtcNow.AddSeconds(8);
        await cluster.CliAsync("campaign", "update", ChaosCampaign.Name, "--end", end.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        await ChildServe.WaitUntilAsync(
            async () => await cluster.ScalarAsync<string>("SELECT state FROM campaigns WHERE id = @p", campaignId) == "completed",
            TimeSpan.FromMinutes(2), () => "the end never completed the campaign:\n" + cluster.Describe());
        var took = clock.Elapsed - started;

        // Time for a second firing of the end anywhere to show up, were there one.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var violations = new List<string>();
        foreach (var node in cluster.Nodes.Where(n => n != killed && n != stopped && n.Process.HasExited))
        {
            violations.Add($"{node} exited on its own: {node.Process.Error}");
        }

        var truth = await CampaignChecks.SettledTruthAsync([pbx1, pbx2]);
        var all = GroundTruth.Merge(truth.Values);
        violations.AddRange(all.OverlappingCalls().Select(o => "two live calls at once: " + o));
        violations.AddRange(all.RedialsOfAnswered().Select(r => "answered callee dialed again: " + r));
        foreach (var (pbx, record) in truth)
        {
            if (record.MostLiveAtOnce() > PbxMaxConcurrentCalls)
            {
                violations.Add($"{pbx}: {record.MostLiveAtOnce()} calls live at once, more than its MaxConcurrentCalls {PbxMaxConcurrentCalls}");
            }
        }

        var attempts = await CampaignChecks.StoredAttemptsAsync(cluster, campaignId);
        violations.AddRange(LeadHistories.Check(attempts, ChaosCampaign.Retries, ChaosCampaign.MaxAttempts));
        var (right, unknown, noCall) = CampaignChecks.CompareOutcomes(attempts.Values.SelectMany(a => a), truth, violations);

        var fired = await cluster.QueryAsync("SELECT actor, details FROM audit_log WHERE action = 'campaign.end-due' AND subject = @p", leaseKey);
        if (fired.Count != 1 || !((string)fired[0][1]).Contains("completed the campaign", StringComparison.Ordinal))
        {
            violations.Add($"the end trigger fired {fired.Count} time(s) in the cluster: {string.Join("; ", fired.Select(f => f[1]))}");
        }

        var completions = await cluster.ScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'campaign.state' AND subject = @p AND details LIKE '% -> completed'", leaseKey);
        if (completions != 1)
        {
            violations.Add($"the campaign was completed {completions} times");
        }

        var attemptCount = attempts.Values.Sum(a => a.Count);
        var dialers = all.Dials.Select(d => d.ChannelId[..(d.ChannelId.LastIndexOf('-') + 1)]).Distinct().Count();
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"chaos: {attempts.Count} leads, {attemptCount} attempts ({right} outcomes as the PBXs recorded, {unknown} unknown, {noCall} refused), {all.Calls.Count} calls, most live at once {string.Join("/", truth.Select(t => $"{t.Key} {t.Value.MostLiveAtOnce()}"))}, {dialers} dialing processes, kills: 1 SIGKILL + 1 SIGTERM, 2 restarts, campaign {took.TotalSeconds:0} s, test {clock.Elapsed.TotalSeconds:0} s");
        output.WriteLine(summary);
        foreach (var line in log)
        {
            output.WriteLine("  " + line);
        }

        Assert.True(violations.Count == 0, $"{violations.Count} violation(s):\n{string.Join("\n", violations.Take(40))}\n\n{summary}\n{string.Join("\n", log)}\n{cluster.Describe()}");
    }

    [PostgresFact]
    public async Task Two_nodes_on_one_pbx_each_ignore_the_originate_responses_of_the_others_calls()
    {
        await using var cluster = await ChaosCluster.CreateAsync(postgres, folder, "isolation");
        // Asterisk sends every OriginateResponse to every session with the call class (so does the simulator): each
        // node reads the other's, and must take none of them for its own.
        var pbx = await cluster.AddPbxAsync("pbx1", KillCampaign.Scenario(3, seed: 253), ledger: false, maxConcurrentCalls: 100);
        string[] campaigns = ["left", "right"];
        for (var c = 0; c < campaigns.Length; c++)
        {
            await cluster.CliAsync("campaign", "create", campaigns[c], "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00", "--cps", "20", "--max-concurrent", "30", "--ring-timeout", "15", "--retry", "busy=1s:1", "--max-attempts", "4");
            string[] areas = c == 0 ? ["312", "773"] : ["617", "857"];
            var csv = Path.Combine(folder, campaigns[c] + ".csv");
            await File.WriteAllTextAsync(csv, "phone\n" + string.Concat(Enumerable.Range(0, 200).Select(i => string.Create(CultureInfo.InvariantCulture, $"+1 {areas[i / 100]} 555 {100 + (i % 100):0000}\n"))));
            await cluster.CliAsync("import", csv, "--campaign", campaigns[c]);
        }

        // Two dialer processes at once, each holding its own campaign: `run` in the foreground, as two nodes would.
        var environment = cluster.Environment();
        await using var left = AmiDialerProcess.Start(folder, environment, "run", "--campaign", "left");
        await using var right = AmiDialerProcess.Start(folder, environment, "run", "--campaign", "right");
        var leftCode = await left.WaitForExitAsync(CampaignLimit);
        var rightCode = await right.WaitForExitAsync(CampaignLimit);
        Assert.True(leftCode == 0 && rightCode == 0, $"left exited {leftCode}, right {rightCode}\n--- left\n{left}\n--- right\n{right}");

        var truth = await CampaignChecks.SettledTruthAsync([pbx]);
        var record = truth.Values.Single();
        var violations = new List<string>();
        var prefixes = new Dictionary<string, string>();
        var spans = new List<(DateTimeOffset First, DateTimeOffset Last)>();
        foreach (var name in campaigns)
        {
            var id = await cluster.ScalarAsync<long>("SELECT id FROM campaigns WHERE name = @p", name);
            Assert.Equal("completed", await cluster.ScalarAsync<string>("SELECT state FROM campaigns WHERE id = @p", id));
            var attempts = await CampaignChecks.StoredAttemptsAsync(cluster, id);
            violations.AddRange(LeadHistories.Check(attempts, RetryPolicy.Parse("busy=1s:1"), 4).Select(v => $"{name}: {v}"));
            var (_, unknown, _) = CampaignChecks.CompareOutcomes(attempts.Values.SelectMany(a => a), truth, violations);
            if (unknown > 0)
            {
                violations.Add($"{name}: {unknown} unknown outcome(s), though its node followed every call to its end");
            }

            // One process dialed each campaign: the ChannelIds carry its prefix (amd-<prefix>-n).
            var owned = attempts.Values.SelectMany(a => a).Select(a => a.ChannelId[..(a.ChannelId.LastIndexOf('-') + 1)]).Distinct().ToList();
            Assert.Single(owned);
            prefixes[name] = owned[0];
            var dials = record.Dials.Where(d => d.ChannelId.StartsWith(owned[0], StringComparison.Ordinal)).ToList();
            spans.Add((dials.Min(d => d.At), dials.Max(d => d.At)));
        }

        Assert.NotEqual(prefixes["left"], prefixes["right"]);
        // The two dialed at the same time, or the test proved nothing: each sent Originates while the other did.
        var overlap = (spans.Min(s => s.Last) - spans.Max(s => s.First)).TotalSeconds;
        Assert.True(overlap > 2, $"the two nodes dialed one after the other (overlap {overlap:0.0} s): nothing to ignore");
        violations.AddRange(record.OverlappingCalls().Select(o => "two live calls at once: " + o));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"isolation: two nodes dialed {record.Dials.Count} calls on one PBX together for {overlap:0.0} s; outcomes all as the PBX recorded"));
        Assert.True(violations.Count == 0, $"{violations.Count} violation(s):\n{string.Join("\n", violations.Take(40))}\n--- left\n{left}\n--- right\n{right}");
    }

    [PostgresFact]
    public async Task A_node_killed_by_sigkill_inside_a_campaigns_end_has_it_recovered_and_run_once_by_another_node()
    {
        await using var cluster = await ChaosCluster.CreateAsync(postgres, folder, "recovery");
        await cluster.AddPbxAsync("pbx1", KillCampaign.Scenario(3, seed: 254), ledger: false, maxConcurrentCalls: 20);
        await cluster.CliAsync("campaign", "create", "ending", "--dial", "Local/{number}@pstn", "--hours", "00:00-24:00");
        var csv = Path.Combine(folder, "ending.csv");
        await File.WriteAllTextAsync(csv, "phone\n+1 415 555 0100\n+1 415 555 0101\n+1 415 555 0102\n");
        await cluster.CliAsync("import", csv, "--campaign", "ending");
        // Paused before any node runs: nothing is dialed, and only the end trigger can complete it.
        await cluster.CliAsync("campaign", "start", "ending", "--force");
        await cluster.CliAsync("campaign", "pause", "ending");
        await cluster.CliAsync("campaign", "update", "ending", "--end", DateTimeOffset.UtcNow.AddSeconds(2).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        var id = await cluster.ScalarAsync<long>("SELECT id FROM campaigns WHERE name = @p", "ending");
        var subject = "campaign:" + id.ToString(CultureInfo.InvariantCulture);

        // Node A alone fires the end, and dies by SIGKILL inside the job, before it wrote anything.
        var a = await cluster.StartNodeAsync("a", new Dictionary<string, string> { [KillSwitch.Variable] = KillSwitch.EndDue + ":1" }, healthy: false);
        var code = await a.Process.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.True(code == SigKillCode && a.Process.Error.Contains($"killed at {KillSwitch.EndDue}:1", StringComparison.Ordinal), $"node A was not killed in the end job: exit {code}\n{a.Process}");
        Assert.Equal("paused", await cluster.ScalarAsync<string>("SELECT state FROM campaigns WHERE id = @p", id));
        Assert.Equal(1L, await cluster.ScalarAsync<long>("SELECT COUNT(*) FROM qrtz_fired_triggers WHERE trigger_name = @p", "end-" + id.ToString(CultureInfo.InvariantCulture)));

        // Node B sees A's check-in go stale and runs the end again (the job requests recovery): once.
        var b = await cluster.StartNodeAsync("b");
        await ChildServe.WaitUntilAsync(
            async () => await cluster.ScalarAsync<string>("SELECT state FROM campaigns WHERE id = @p", id) == "completed",
            TimeSpan.FromMinutes(2), () => "node B never recovered the end:\n" + cluster.Describe());
        await Task.Delay(TimeSpan.FromSeconds(5));

        var fired = await cluster.QueryAsync("SELECT details FROM audit_log WHERE action = 'campaign.end-due' AND subject = @p", subject);
        var details = (string)Assert.Single(fired)[0];
        Assert.Contains($":{b.Process.Id.ToString(CultureInfo.InvariantCulture)}:", details, StringComparison.Ordinal);
        Assert.Contains("recovering a node that died", details, StringComparison.Ordinal);
        Assert.Contains("completed the campaign", details, StringComparison.Ordinal);
        Assert.Equal(3L, await cluster.ScalarAsync<long>("SELECT COUNT(*) FROM leads WHERE campaign_id = @p AND state = 'expired'", id));
        Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT COUNT(*) FROM qrtz_fired_triggers"));
        Assert.False(b.Process.HasExited, "node B exited:\n" + b.Process);
    }

    /// <summary>The node holding the campaign's lease once the campaign has at least <paramref name="attempts"/> attempts, other than <paramref name="except"/>.</summary>
    private static async Task<ChaosCluster.Node> WaitForHolderAsync(ChaosCluster cluster, string leaseKey, long campaignId, long attempts, ChaosCluster.Node? except, bool notDone = false)
    {
        ChaosCluster.Node? holder = null;
        await ChildServe.WaitUntilAsync(
            async () =>
            {
                holder = await cluster.HolderAsync(leaseKey);
                if (holder is null || holder == except)
                {
                    return false;
                }

                // Near the end the count may not reach the mark: a holder that dials is enough then.
                var count = await AttemptsAsync(cluster, campaignId);
                return count >= attempts || (notDone && count > 0 && await cluster.ScalarAsync<long>(
                    "SELECT COUNT(*) FROM leads WHERE campaign_id = @p AND state IN ('pending', 'waiting_retry')", campaignId) < 50);
            },
            CampaignLimit,
            () => $"no node other than {except?.ToString() ?? "none"} dialed to {attempts} attempts:\n{cluster.Describe()}");
        return holder!;
    }

    private static Task<long> AttemptsAsync(ChaosCluster cluster, long campaignId) =>
        cluster.ScalarAsync<long>("SELECT COUNT(*) FROM attempts WHERE campaign_id = @p", campaignId);
}
