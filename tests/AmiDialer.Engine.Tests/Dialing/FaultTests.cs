using AmiDialer.Core.Model;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>Dropped AMI links, Asterisk restarts and a killed process: no lead lost, nobody dialed twice at once.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task A_dropped_AMI_connection_reconnects_adopts_live_calls_and_sends_no_originate_twice()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 20);
        var campaign = await h.CreateCampaignAsync("dropped", c => c with { MaxConcurrentCalls = 20, CallsPerSecond = 40, MaxAttempts = 3 });
        // Digit 7: a long call (about half a second here), so calls are live when the link drops.
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(300).Where(n => n.EndsWith('7') || n.EndsWith('0')).Take(60));
        var engine = await h.StartEngineAsync(h.Options("dropper"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var run = engine.RunCampaignAsync(campaign.Id, cts.Token);

        await PacingTests.WaitUntil(() => h.Simulator.LiveCalls >= 5);
        h.Simulator.CloseAllConnections();
        var result = await run;

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        await AssertNoLeadLostOrDialedTwiceAtOnceAsync(h, campaign.Id, 60);
        var originates = h.Originates();
        Assert.Equal(originates.Count, originates.Select(o => o.ChannelId).Distinct().Count());
        Assert.True(h.Simulator.ConnectionCount >= 1);
        Assert.Contains(h.Logs.Lines, l => l.Contains("reconciled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_asterisk_restart_interrupts_its_calls_and_they_are_retried_never_twice_at_once()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 20);
        var campaign = await h.CreateCampaignAsync("restarted", c => c with { MaxConcurrentCalls = 20, CallsPerSecond = 40, MaxAttempts = 3 });
        // Digit 3 rings until the 15 s timeout (0.75 s here): calls are ringing, not answered, when Asterisk goes down.
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(400).Where(n => n.EndsWith('3')).Take(30));
        var engine = await h.StartEngineAsync(h.Options("restarter"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var run = engine.RunCampaignAsync(campaign.Id, cts.Token);

        await PacingTests.WaitUntil(() => h.Simulator.LiveCalls >= 5);
        await h.Simulator.RestartAsync(TimeSpan.FromMilliseconds(300));
        var result = await run;

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        await AssertNoLeadLostOrDialedTwiceAtOnceAsync(h, campaign.Id, 30, asteriskRestarted: true);
        var summary = await h.Reports.GetSummaryAsync(campaign.Id);
        Assert.True(summary.AttemptsByOutcome.GetValueOrDefault(CallOutcome.Interrupted) >= 5, "calls live at the restart end as interrupted");
        Assert.Equal(30, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.NoAnswer));
        Assert.Equal(summary.Attempts, 30 + summary.AttemptsByOutcome.GetValueOrDefault(CallOutcome.Interrupted) + summary.AttemptsByOutcome.GetValueOrDefault(CallOutcome.NotSent));
    }

    [Fact]
    public async Task Nothing_is_sent_to_an_asterisk_that_announced_its_shutdown_and_what_was_sent_before_is_retried()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 20);
        var campaign = await h.CreateCampaignAsync("going-down", c => c with { MaxConcurrentCalls = 10, CallsPerSecond = 40, MaxAttempts = 3 });
        // Digit 3 rings until its timeout: the restart cuts ringing calls, whose retries and the leads still pending
        // would go out at once to any server that takes calls.
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(600).Where(n => n.EndsWith('3')).Take(40));
        var engine = await h.StartEngineAsync(h.Options("careful"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = engine.RunCampaignAsync(campaign.Id, cts.Token);

        await PacingTests.WaitUntil(() => h.Simulator.LiveCalls >= 5);
        // Asterisk reads its sockets for a while after saying Shutdown, as a loaded one does.
        h.Simulator.ShutdownLinger = TimeSpan.FromSeconds(1);
        await h.Simulator.RestartAsync(TimeSpan.FromMilliseconds(300));
        var result = await run;

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        var announced = h.Simulator.ShutdownAnnouncedAt!.Value;
        // An Originate already on the wire when Asterisk announced it (sent before the engine could read the event) is
        // not the engine's fault; a loaded machine can take a while to deliver it, so the first 250 ms are left out.
        var lingering = h.Originates().Where(o => o.At > announced + TimeSpan.FromMilliseconds(250) && o.At < announced + TimeSpan.FromSeconds(1)).ToList();
        Assert.Empty(lingering);
        await AssertNoLeadLostOrDialedTwiceAtOnceAsync(h, campaign.Id, 40, asteriskRestarted: true);
    }

    [Fact]
    public async Task A_plain_drop_after_a_restart_adopts_the_live_calls_rather_than_ending_them_as_cut()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 20);
        var campaign = await h.CreateCampaignAsync("twice-disturbed", c => c with { MaxConcurrentCalls = 10, CallsPerSecond = 20, MaxAttempts = 3 });
        // Digit 3 rings until its timeout: calls are ringing at each disturbance, and a ringing call cut ends interrupted.
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(900).Where(n => n.EndsWith('3')).Take(60));
        var engine = await h.StartEngineAsync(h.Options("twice"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = engine.RunCampaignAsync(campaign.Id, cts.Token);

        await PacingTests.WaitUntil(() => h.Simulator.LiveCalls >= 5);
        await h.Simulator.RestartAsync(TimeSpan.FromMilliseconds(300));
        // Back, dialing again: the restart's cut calls are ended by now (at the login, before any new call).
        await PacingTests.WaitUntil(() => h.Simulator.LiveCalls >= 5);
        var cutByRestart = (await h.Reports.GetSummaryAsync(campaign.Id)).AttemptsByOutcome.GetValueOrDefault(CallOutcome.Interrupted);
        Assert.True(cutByRestart >= 1);

        // Only the link drops now; Asterisk keeps its calls. The earlier Shutdown must not make them look cut.
        h.Simulator.CloseAllConnections();
        var result = await run;

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        Assert.Equal(cutByRestart, (await h.Reports.GetSummaryAsync(campaign.Id)).AttemptsByOutcome.GetValueOrDefault(CallOutcome.Interrupted));
        await AssertNoLeadLostOrDialedTwiceAtOnceAsync(h, campaign.Id, 60, asteriskRestarted: true);
    }

    [Fact]
    public async Task A_killed_process_restarted_on_the_same_file_loses_no_lead_and_dials_none_twice()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 20);
        var campaign = await h.CreateCampaignAsync("killed", c => c with { MaxConcurrentCalls = 10, CallsPerSecond = 20, MaxAttempts = 3 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(50));
        var lease = TimeSpan.FromSeconds(2);
        var first = await h.StartEngineAsync(h.Options("doomed", lease));
        var run = first.RunCampaignAsync(campaign.Id, CancellationToken.None);
        await PacingTests.WaitUntil(() => h.Originates().Count >= 15 && h.Simulator.LiveCalls >= 2);
        await first.CrashAsync();
        var sentBeforeCrash = h.Originates().Count;
        Assert.True(sentBeforeCrash < 50);

        // A new process on the same database: refused while the dead one's lease runs, then it takes over.
        var second = await h.StartEngineAsync(h.Options("phoenix", lease));
        CampaignRunResult? result = null;
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (result is null && DateTime.UtcNow < deadline)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                result = await second.RunCampaignAsync(campaign.Id, cts.Token);
            }
            catch (CampaignLeaseException e)
            {
                Assert.Contains("doomed", e.Message, StringComparison.Ordinal);
                await Task.Delay(200);
            }
        }

        Assert.NotNull(result);
        Assert.Equal(CampaignRunEnd.Finished, result.End);
        await AssertNoLeadLostOrDialedTwiceAtOnceAsync(h, campaign.Id, 50);
        _ = run;
    }

    /// <summary>Every lead final; no lead had two attempts open at once; each number re-dialed only after its previous attempt ended.</summary>
    internal static async Task AssertNoLeadLostOrDialedTwiceAtOnceAsync(EngineHarness h, long campaignId, int leads, bool asteriskRestarted = false)
    {
        var summary = await h.Reports.GetSummaryAsync(campaignId);
        Assert.Equal(leads, summary.Leads);
        Assert.Equal(0, summary.LeadsByState.GetValueOrDefault(LeadState.InProgress));
        Assert.Equal(0, summary.LeadsByState.GetValueOrDefault(LeadState.Pending));
        Assert.Equal(0, summary.LeadsByState.GetValueOrDefault(LeadState.WaitingRetry));
        Assert.Empty(await h.Attempts.ListOpenAsync(campaignId: campaignId));

        var sent = h.Originates();
        Assert.Equal(sent.Count, sent.Select(o => o.ChannelId).Distinct().Count()); // no Originate sent twice
        var sentIds = sent.Select(o => o.ChannelId).ToHashSet();
        foreach (var number in sent.Select(o => o.Number).Distinct())
        {
            var lead = (await h.Leads.GetByPhoneAsync(campaignId, "+" + number))!;
            var attempts = await h.Attempts.ListByLeadAsync(lead.Id);
            // An attempt whose Originate was never written (the link dropped between claim and send) is not-sent. One
            // written into the socket as Asterisk went down may never have been read by it: the dialer cannot tell, and
            // the restart since its claim makes it interrupted (retried, as the restart would have cut it anyway).
            Assert.All(attempts, a => Assert.True(sentIds.Contains(a.ChannelId) || a.Outcome == CallOutcome.NotSent || (asteriskRestarted && a.Outcome == CallOutcome.Interrupted), $"attempt {a.Id} was never sent yet ended {a.Outcome}"));
            for (var i = 1; i < attempts.Count; i++)
            {
                Assert.Contains(attempts[i - 1].Outcome, new CallOutcome?[] { CallOutcome.Interrupted, CallOutcome.NotSent });
                Assert.True(attempts[i].CreatedAt >= attempts[i - 1].EndedAt, $"lead {number} re-dialed while its attempt {attempts[i - 1].Id} was open");
            }
        }
    }
}
