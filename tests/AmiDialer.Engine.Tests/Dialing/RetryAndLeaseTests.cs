using AmiDialer.Core.Model;

namespace AmiDialer.Engine.Tests.Dialing;

public sealed class RetryAndLeaseTests
{
    [Fact]
    public async Task Retries_follow_the_policy_and_the_maximum_of_attempts()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 100);
        var campaign = await h.CreateCampaignAsync("retries", c => c with { RetryPolicy = "busy=1s:2,no-answer=1s:1,congestion=1s:5", MaxAttempts = 3 });
        // Digits: 0 answered, 2 busy, 3 no-answer, 4 congestion, 5 unallocated (not in the policy).
        var numbers = EngineHarness.Numbers(10).Where(n => "02345".Contains(n[^1], StringComparison.Ordinal)).ToList();
        await h.ImportAsync(campaign.Id, numbers);
        var engine = await h.StartEngineAsync(h.Options("retrier"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = await engine.RunCampaignAsync(campaign.Id, cts.Token);

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        async Task<(Lead Lead, IReadOnlyList<Attempt> Attempts)> Of(char digit)
        {
            var lead = (await h.Leads.GetByPhoneAsync(campaign.Id, numbers.Single(n => n[^1] == digit)))!;
            return (lead, await h.Attempts.ListByLeadAsync(lead.Id));
        }

        var answered = await Of('0');
        Assert.Equal((LeadState.Done, CallOutcome.Answered, 1), (answered.Lead.State, answered.Lead.FinalOutcome!.Value, answered.Attempts.Count));
        var busy = await Of('2');
        Assert.Equal((LeadState.Exhausted, 3), (busy.Lead.State, busy.Attempts.Count)); // 1 + 2 retries
        var noAnswer = await Of('3');
        Assert.Equal((LeadState.Exhausted, 2), (noAnswer.Lead.State, noAnswer.Attempts.Count)); // 1 + 1 retry
        var congestion = await Of('4');
        Assert.Equal((LeadState.Exhausted, 3), (congestion.Lead.State, congestion.Attempts.Count)); // capped by MaxAttempts
        var unallocated = await Of('5');
        Assert.Equal((LeadState.Done, CallOutcome.InvalidNumber, 1), (unallocated.Lead.State, unallocated.Lead.FinalOutcome!.Value, unallocated.Attempts.Count));

        // Each retry waited its delay after the attempt before it ended.
        foreach (var attempts in new[] { busy.Attempts, noAnswer.Attempts, congestion.Attempts })
        {
            for (var i = 1; i < attempts.Count; i++)
            {
                Assert.True(attempts[i].CreatedAt >= attempts[i - 1].EndedAt!.Value.AddSeconds(1), $"retry {i} came too early");
            }
        }
    }

    [Fact]
    public async Task A_second_engine_is_refused_while_the_first_holds_the_lease_and_takes_over_once_it_expires()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 20);
        var campaign = await h.CreateCampaignAsync("leased", c => c with { MaxConcurrentCalls = 2, CallsPerSecond = 2 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(40));
        var first = await h.StartEngineAsync(h.Options("first-engine"));
        var second = await h.StartEngineAsync(h.Options("second-engine"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = first.RunCampaignAsync(campaign.Id, cts.Token);
        await PacingTests.WaitUntil(() => h.Originates().Count >= 1);

        var refused = await Assert.ThrowsAsync<CampaignLeaseException>(() => second.RunCampaignAsync(campaign.Id, CancellationToken.None));
        Assert.Contains("first-engine", refused.Message, StringComparison.Ordinal);
        Assert.Contains("leased", refused.Message, StringComparison.Ordinal);
        Assert.Equal("first-engine", refused.Holder);

        // Ctrl-C on the first: it pauses, lets its calls finish, and gives the lease back.
        await cts.CancelAsync();
        var paused = await run;
        Assert.Equal(CampaignRunEnd.Paused, paused.End);
        Assert.Equal(CampaignState.Paused, (await h.Campaigns.GetAsync(campaign.Id))!.State);

        using var cts2 = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var resumed = await second.RunCampaignAsync(campaign.Id, cts2.Token);
        Assert.Equal(CampaignRunEnd.Finished, resumed.End);
        var originates = h.Originates();
        Assert.Equal(40, originates.Count);
        Assert.Equal(40, originates.Select(o => o.Number).Distinct().Count());
    }
}
