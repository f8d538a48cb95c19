using AmiDialer.Core.Model;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// A dialer killed while its calls are up, the calls ending while no dialer watches, and a new process taking the
/// attempts over (issue #22): what was seen is kept, what is not known is never re-dialed.
/// </summary>
public sealed class TakeoverTests
{
    [Fact]
    public async Task Without_the_ledger_calls_that_ended_unseen_are_unknown_answered_ones_answered_and_nobody_is_dialed_twice()
    {
        // Time scale 5: digit 7 answers at once and talks 9.5 s (1.9 s here), digit 3 rings to the 15 s timeout (3 s).
        await using var h = await EngineHarness.StartAsync(timeScale: 5);
        var campaign = await h.CreateCampaignAsync("takeover", c => c with { MaxAttempts = 3, RetryPolicy = "no-answer=1s:2" });
        var numbers = EngineHarness.Numbers(100).Where(n => n.EndsWith('7') || n.EndsWith('3')).Take(12).ToList();
        await h.ImportAsync(campaign.Id, numbers);
        var lease = TimeSpan.FromSeconds(2);
        var first = await h.StartEngineAsync(h.Options("doomed", lease));
        _ = first.RunCampaignAsync(campaign.Id, CancellationToken.None);

        // Every call placed and every answer seen (and committed) before the kill.
        await PacingTests.WaitUntil(() => h.Originates().Count == numbers.Count);
        await PacingTests.WaitUntil(async () => (await AttemptsAsync(h, campaign.Id)).Count(a => a.AnsweredAt is not null) == 6);
        await first.CrashAsync();
        await PacingTests.WaitUntil(() => h.Simulator.LiveCalls == 0);

        var second = await h.StartEngineAsync(h.Options("heir", lease));
        var result = await RunWhenLeaseFreeAsync(second, campaign.Id);

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        Assert.Equal(numbers.Count, h.Originates().Count); // nobody dialed twice
        var attempts = await AttemptsAsync(h, campaign.Id);
        Assert.Equal(numbers.Count, attempts.Count);
        foreach (var attempt in attempts)
        {
            var digit = h.Originates().Single(o => o.ChannelId == attempt.ChannelId).Number[^1];
            Assert.Equal(digit == '7' ? CallOutcome.Answered : CallOutcome.Unknown, attempt.Outcome);
        }

        var summary = await h.Reports.GetSummaryAsync(campaign.Id);
        Assert.Equal(6, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Answered));
        Assert.Equal(6, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Unknown));
        Assert.Empty(await h.Attempts.ListOpenAsync(campaignId: campaign.Id));
    }

    internal static async Task<CampaignRunResult> RunWhenLeaseFreeAsync(DialerEngine engine, long campaignId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (true)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                return await engine.RunCampaignAsync(campaignId, cts.Token);
            }
            catch (CampaignLeaseException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    internal static async Task<List<Attempt>> AttemptsAsync(EngineHarness h, long campaignId)
    {
        var all = new List<Attempt>();
        foreach (var number in h.Originates().Select(o => o.Number).Distinct())
        {
            var lead = await h.Leads.GetByPhoneAsync(campaignId, "+" + number);
            all.AddRange(await h.Attempts.ListByLeadAsync(lead!.Id));
        }

        return all;
    }
}
