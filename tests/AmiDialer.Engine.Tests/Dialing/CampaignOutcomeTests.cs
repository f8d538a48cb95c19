using AmiDialer.Core.Model;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>Whole campaigns dialed through the simulator over real sockets, counted in the real store.</summary>
public sealed class CampaignOutcomeTests
{
    [Fact]
    public async Task A_thousand_leads_end_with_exactly_the_outcomes_their_numbers_give()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 200);
        var campaign = await h.CreateCampaignAsync("thousand", c => c with { MaxConcurrentCalls = 150, CallsPerSecond = 400 });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(1000));
        var engine = await h.StartEngineAsync(h.Options("e1"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = await engine.RunCampaignAsync(campaign.Id, cts.Token);

        Assert.Equal(CampaignRunEnd.Finished, result.End);
        var summary = await h.Reports.GetSummaryAsync(campaign.Id);
        Assert.Equal(1000, summary.Leads);
        Assert.Equal(1000, summary.Attempts);
        Assert.Equal(500, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Answered));
        Assert.Equal(100, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Busy));
        Assert.Equal(100, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.NoAnswer));
        Assert.Equal(100, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Congestion));
        Assert.Equal(100, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.InvalidNumber));
        Assert.Equal(100, summary.LeadsByOutcome.GetValueOrDefault(CallOutcome.Rejected));
        Assert.Equal(1000, summary.LeadsByState.GetValueOrDefault(LeadState.Done));
        Assert.Equal(CampaignState.Completed, (await h.Campaigns.GetAsync(campaign.Id))!.State);

        // Each number was sent exactly once, and every attempt is marked simulated.
        var originates = h.Originates();
        Assert.Equal(1000, originates.Count);
        Assert.Equal(1000, originates.Select(o => o.Number).Distinct().Count());
        var attempts = await h.Attempts.ListByLeadAsync((await h.Leads.GetByPhoneAsync(campaign.Id, "+14152000000"))!.Id);
        var first = Assert.Single(attempts);
        Assert.True(first.IsSimulated);
        Assert.Equal(CallOutcome.Answered, first.Outcome);
        Assert.NotNull(first.AnsweredAt);
        Assert.True(first.TalkSeconds > 0);

        // The ActionID written with the attempt before the send is the one Asterisk received.
        var wire = h.Simulator.ActionsNamed("Originate").Single(a => a.Message["ChannelId"] == first.ChannelId);
        Assert.Equal(first.ActionId, wire.Message.ActionId);
    }
}
