using AmiDialer.Core.Model;
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
}
