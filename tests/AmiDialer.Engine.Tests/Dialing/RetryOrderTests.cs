using AmiDialer.Core.Model;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// A due retry among many fresh leads (due since their import) through the real engine and simulator: with
/// retries-first it is dialed about when it is due, not after every fresh lead.
/// </summary>
public sealed class RetryOrderTests
{
    [Fact]
    public async Task A_busy_retry_is_dialed_when_due_while_fresh_leads_still_wait()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 100);
        // 5 calls a second over 2,000 fresh leads: they would take over 6 minutes, the retry is due after 2 seconds.
        var campaign = await h.CreateCampaignAsync("retry-order", c => c with { RetryPolicy = "busy=2s:1", MaxAttempts = 2, CallsPerSecond = 5, MaxConcurrentCalls = 50 });
        var busy = EngineHarness.Numbers(10).Single(n => n[^1] == '2'); // the simulator answers a number ending in 2 busy
        var fresh = EngineHarness.Numbers(4000, start: 10).Where(n => n[^1] == '0').Take(2000).ToList();
        await h.ImportAsync(campaign.Id, [busy, .. fresh]);
        var engine = await h.StartEngineAsync(h.Options("order"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var run = engine.RunCampaignAsync(campaign.Id, cts.Token);
        await PacingTests.WaitUntil(() => h.Originates().Count(o => busy.EndsWith(o.Number, StringComparison.Ordinal)) >= 2, seconds: 100);
        await cts.CancelAsync();
        await run;

        var lead = (await h.Leads.GetByPhoneAsync(campaign.Id, busy))!;
        var attempts = await h.Attempts.ListByLeadAsync(lead.Id);
        Assert.Equal(2, attempts.Count);
        var due = attempts[0].EndedAt!.Value.AddSeconds(2);
        Assert.True(attempts[1].CreatedAt >= due, "the retry came before its time");
        // Placed within a batch interval of its due time, give or take a pacing slot and a loaded machine: far less
        // than the 400 s the fresh leads take, which is what fresh-first (or due time alone) would have cost.
        Assert.True(attempts[1].CreatedAt - due < TimeSpan.FromSeconds(20), $"the retry came {(attempts[1].CreatedAt - due).TotalSeconds:0.0} s after its time");
        var originates = h.Originates();
        var retryIndex = originates.Select((o, i) => (o, i)).Where(x => busy.EndsWith(x.o.Number, StringComparison.Ordinal)).Select(x => x.i).ElementAt(1);
        Assert.True(retryIndex < 500, $"{retryIndex} fresh leads were dialed before the retry");
    }
}
