using AmiDialer.Core.Model;
using AmiDialer.Core.Retries;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary>An attempt ended not-sent (its Originate never reached Asterisk) through the writer, on a real SQLite file.</summary>
public sealed class NotSentEndingTests
{
    [Fact]
    public async Task The_lead_is_due_again_at_once_its_count_goes_back_down_and_the_attempt_stays_in_the_history()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignWithLeadsAsync(1);
        var now = db.Time.GetUtcNow();
        var lead = (await db.Leads.GetDueAsync(c.Id, now, 1))[0];
        await using var writer = new AttemptWriter(db.Database);

        async Task<DialClaimResult> ClaimAsync(Lead read) =>
            (await writer.ClaimAsync([new DialClaim(new AttemptClaim(read.Id, "a-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "pbx1", false), c.Id, read.PhoneE164)
            {
                LeadState = read.State,
                AttemptCount = read.AttemptCount,
            }], now))[0];

        var first = await ClaimAsync(lead);
        Assert.Equal(1, (await db.Leads.GetAsync(lead.Id))!.AttemptCount);
        var decision = RetryRules.AfterAttempt([], CallOutcome.NotSent, now, RetryPolicy.None, 1);
        var ending = new AttemptEnding
        {
            AttemptId = first.Attempt!.Id, Outcome = CallOutcome.NotSent, EndedAt = now,
            LeadState = decision.State, LeadFinalOutcome = decision.FinalOutcome, LeadNextEligibleAt = decision.RetryAt,
        };
        Assert.True(await writer.EndAsync(ending));
        Assert.False(await writer.EndAsync(ending)); // a second ending changes nothing, the count included

        var after = (await db.Leads.GetAsync(lead.Id))!;
        Assert.Equal((LeadState.WaitingRetry, (CallOutcome?)null, 0, (DateTimeOffset?)now), (after.State, after.FinalOutcome, after.AttemptCount, after.NextEligibleAt));
        Assert.Equal([CallOutcome.NotSent], (await db.Attempts.ListByLeadAsync(lead.Id)).Select(a => a.Outcome!.Value));
        Assert.Equal(1, (await db.Attempts.CountOutcomesAsync(lead.Id))[CallOutcome.NotSent]);
        Assert.Contains(await db.Leads.GetDueAsync(c.Id, now, 10), l => l.Id == lead.Id);

        // Claimed again at once, as a lead never dialed: with a maximum of 1 this is still its one attempt.
        var second = await ClaimAsync(after);
        Assert.Equal((DialClaimStatus.Claimed, 0), (second.Status, second.PriorAttempts));
        Assert.Equal(LeadState.Exhausted, RetryRules.AfterAttempt([CallOutcome.NotSent], CallOutcome.Busy, now, RetryPolicy.Parse("busy=1m:3"), 1).State);
        Assert.Equal(LeadState.WaitingRetry, RetryRules.AfterAttempt([CallOutcome.NotSent], CallOutcome.Busy, now, RetryPolicy.Parse("busy=1m:3"), 2).State);

        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.Equal(2, summary.Attempts); // both rows are attempts in the history
        Assert.Equal(1, summary.AttemptsByOutcome[CallOutcome.NotSent]);
        var recount = await db.Reports.RebuildCountersAsync(c.Id);
        Assert.Equal(summary.LeadsByState, recount.LeadsByState);
        Assert.Equal(summary.AttemptsByOutcome, recount.AttemptsByOutcome);
        Assert.Equal(summary.Attempts, recount.Attempts);
    }
}
