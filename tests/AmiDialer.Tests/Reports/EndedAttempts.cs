using AmiDialer.Core.Model;
using AmiDialer.Core.Queues;
using AmiDialer.Core.Retries;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Tests.Reports;

/// <summary>
/// Ends calls in a real database as the engine does (claim through the writer, the lead's next state from Core's
/// <see cref="RetryRules"/>, the ending through the writer): for outcomes the simulator cannot make yet, such as
/// <see cref="CallOutcome.Unknown"/> (a call that ended while no dialer was connected).
/// </summary>
internal static class EndedAttempts
{
    /// <summary>Claims the campaign's first due leads, one per outcome in order, and ends each with its outcome; returns their ids.</summary>
    public static async Task<IReadOnlyList<long>> EndAsync(AmiDialerDatabase database, long campaignId, DateTimeOffset now, params CallOutcome[] outcomes)
    {
        var campaign = (await new CampaignRepository(database, TimeProvider.System).GetAsync(campaignId))!;
        var policy = RetryPolicy.Parse(campaign.RetryPolicy);
        var leads = await new LeadRepository(database).GetDueAsync(campaignId, now, outcomes.Length);
        Assert.Equal(outcomes.Length, leads.Count);
        await using var writer = new AttemptWriter(database);
        for (var i = 0; i < outcomes.Length; i++)
        {
            var lead = leads[i];
            var claim = new AttemptClaim(lead.Id, "test-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "pbx1", false);
            var claimed = (await writer.ClaimAsync([new DialClaim(claim, campaignId, lead.PhoneE164)], now))[0];
            Assert.Equal(DialClaimStatus.Claimed, claimed.Status);
            var decision = RetryRules.AfterAttempt([], outcomes[i], now, policy, campaign.MaxAttempts);
            Assert.True(await writer.EndAsync(new AttemptEnding
            {
                AttemptId = claimed.Attempt!.Id,
                Outcome = outcomes[i],
                EndedAt = now,
                AnsweredAt = outcomes[i] == CallOutcome.Answered ? now : null,
                TalkSeconds = outcomes[i] == CallOutcome.Answered ? 30 : null,
                LeadState = decision.State,
                LeadFinalOutcome = decision.FinalOutcome,
                LeadNextEligibleAt = decision.RetryAt,
            }));
        }

        return [.. leads.Select(l => l.Id)];
    }

    /// <summary>
    /// The campaign's first due lead answered at <paramref name="answeredAt"/> on queue sales with nobody taking it
    /// (late: abandoned), then called again a minute later, that call ending while the dialer was down (unknown, final);
    /// returns the lead's id.
    /// </summary>
    public static async Task<long> AbandonedThenUnknownAsync(AmiDialerDatabase database, long campaignId, DateTimeOffset answeredAt)
    {
        var lead = (await new LeadRepository(database).GetDueAsync(campaignId, answeredAt, 1))[0];
        await using var writer = new AttemptWriter(database);
        foreach (var (outcome, at) in new[] { (CallOutcome.Answered, answeredAt), (CallOutcome.Unknown, answeredAt + TimeSpan.FromMinutes(1)) })
        {
            var current = (await new LeadRepository(database).GetAsync(lead.Id))!;
            var claim = new AttemptClaim(lead.Id, "test-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "pbx1", false);
            var claimed = (await writer.ClaimAsync([new DialClaim(claim, campaignId, lead.PhoneE164) { LeadState = current.State, AttemptCount = current.AttemptCount }], at))[0];
            Assert.Equal(DialClaimStatus.Claimed, claimed.Status);
            var answered = outcome == CallOutcome.Answered;
            Assert.True(await writer.EndAsync(new AttemptEnding
            {
                AttemptId = claimed.Attempt!.Id,
                Outcome = outcome,
                EndedAt = at + TimeSpan.FromSeconds(20),
                AnsweredAt = answered ? at : null,
                LeadState = answered ? LeadState.WaitingRetry : LeadState.Done,
                LeadFinalOutcome = answered ? null : CallOutcome.Unknown,
                LeadNextEligibleAt = answered ? at : null,
            }));
            if (answered)
            {
                await new QueueRepository(database).RecordFateAsync(claimed.Attempt.Id, "sales", QueueCallFate.Late, null, null);
            }
        }

        return lead.Id;
    }
}
