using AmiDialer.Ami;
using AmiDialer.Core.Model;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// Dialing through the outcome ledger (issue #22) against the simulator with the ledger dialplan installed: the
/// Originate's shape, outcomes read back from AstDB for calls that ended while no dialer watched, never-sent
/// Originates told apart, and every key deleted once its ending is stored.
/// </summary>
public sealed class LedgerTakeoverTests
{
    [Fact]
    public async Task A_killed_dialers_calls_end_with_the_outcomes_asterisk_recorded_and_their_keys_are_deleted()
    {
        // Time scale 5: digit 7 answers at once and talks 9.5 s (1.9 s here), digit 3 rings out its 15 s (3 s), 2 is busy at once.
        await using var h = await EngineHarness.StartAsync(timeScale: 5, ledger: true);
        var campaign = await h.CreateCampaignAsync("ledger", c => c with { MaxAttempts = 3, RetryPolicy = "no-answer=1s:2,busy=1s:2" });
        var numbers = EngineHarness.Numbers(100).Where(n => n[^1] is '7' or '3' or '2').Take(12).ToList();
        await h.ImportAsync(campaign.Id, numbers);
        var lease = TimeSpan.FromSeconds(2);
        var first = await h.StartEngineAsync(h.Options("doomed", lease, ledger: true));
        _ = first.RunCampaignAsync(campaign.Id, CancellationToken.None);
        await PacingTests.WaitUntil(() => h.Originates().Count == numbers.Count);

        // The Originate rings the wrapper; the campaign's own dial string, the attempt's key and the ring are variables.
        foreach (var originate in h.Simulator.ActionsNamed("Originate"))
        {
            var digits = (originate["Channel"] ?? "").Split('/', '@')[1];
            Assert.Equal($"Local/{digits}@amidialer-dial/n", originate["Channel"]);
            var variables = originate.Message.GetAll("Variable").ToList();
            Assert.Contains($"AMIDIALER_ATTEMPT={originate["ChannelId"]}", variables);
            Assert.Contains($"AMIDIALER_DIALSTRING=Local/{digits}@pstn", variables);
            Assert.Contains("AMIDIALER_RING=15", variables);
            Assert.Equal("20000", originate["Timeout"]);
        }

        await first.CrashAsync();
        var openAtCrash = (await h.Attempts.ListOpenAsync(campaignId: campaign.Id)).Select(a => a.ChannelId).ToHashSet();
        await PacingTests.WaitUntil(() => h.Simulator.LiveCalls == 0);
        var second = await h.StartEngineAsync(h.Options("heir", lease, ledger: true));
        var firstWave = h.Originates().Select(o => o.ChannelId).ToHashSet();
        var result = await TakeoverTests.RunWhenLeaseFreeAsync(second, campaign.Id);

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        var attempts = await TakeoverTests.AttemptsAsync(h, campaign.Id);
        foreach (var attempt in attempts.Where(a => firstWave.Contains(a.ChannelId)))
        {
            var digit = h.Originates().Single(o => o.ChannelId == attempt.ChannelId).Number[^1];
            Assert.Equal(digit switch { '7' => CallOutcome.Answered, '3' => CallOutcome.NoAnswer, _ => CallOutcome.Busy }, attempt.Outcome);
        }

        // Answered callees are never dialed again; the others only as their retry policy says.
        var answeredNumbers = attempts.Where(a => a.Outcome == CallOutcome.Answered).Select(a => h.Originates().Single(o => o.ChannelId == a.ChannelId).Number).ToList();
        Assert.All(answeredNumbers, n => Assert.Single(h.Originates(), o => o.Number == n));
        Assert.Empty(await h.Attempts.ListOpenAsync(campaignId: campaign.Id));

        // Every key the heir ended is deleted once its ending was stored (one DBDel each), never the family whole. (The
        // killed dialer's deletes after its last commits may never have been sent: those keys stay, their attempts ended.)
        var endedByHeir = attempts.Where(a => openAtCrash.Contains(a.ChannelId) || !firstWave.Contains(a.ChannelId)).ToList();
        Assert.NotEmpty(endedByHeir);
        await PacingTests.WaitUntil(() => endedByHeir.All(a => h.Simulator.ActionsNamed("DBDel").Any(d => d["Key"] == a.ChannelId)));
        Assert.Empty(h.Simulator.ActionsNamed("DBDelTree"));
        foreach (var attempt in endedByHeir)
        {
            var e = await Assert.ThrowsAsync<AmiActionException>(() => second.SendActionAsync("sim", new AmiAction("DBGet").Add("Family", "amidialer").Add("Key", attempt.ChannelId)));
            Assert.Equal("Database entry not found", e.Message);
        }
    }

    [Theory]
    [InlineData(true, CallOutcome.NotSent)]
    [InlineData(false, CallOutcome.Unknown)]
    public async Task An_originate_lost_with_the_connection_is_not_sent_with_the_ledger_and_unknown_without(bool ledger, CallOutcome expected)
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 20, ledger: ledger);
        var campaign = await h.CreateCampaignAsync("lost-originate", c => c with { MaxAttempts = 3 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(1, start: 7));
        var engine = await h.StartEngineAsync(h.Options("sender", ledger: ledger));
        // The connection closes as the Originate arrives (the next action after the login's reconcile): Asterisk never
        // runs it, and the dialer never hears back.
        await PacingTests.WaitUntil(() => h.Simulator.ActionsNamed("CoreShowChannels").Count >= 1);
        h.Simulator.CloseAfterActions(1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var result = await engine.RunCampaignAsync(campaign.Id, cts.Token);
        Assert.Equal("Originate", h.Simulator.Actions.First(a => a.Sequence == h.Simulator.ActionsNamed("CoreShowChannels")[0].Sequence + 1).Name);

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        var attempts = await TakeoverTests.AttemptsAsync(h, campaign.Id);
        Assert.Equal(expected, attempts[0].Outcome);
        Assert.Equal(ledger, h.Simulator.ActionsNamed("DBGet").Any(a => a["Key"] == attempts[0].ChannelId));
    }
}
