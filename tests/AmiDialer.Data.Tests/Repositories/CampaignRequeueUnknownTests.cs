using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary><see cref="CampaignRequeue.UnknownAsync"/> on a real SQLite file, the attempts written through the engine's writer.</summary>
public sealed class CampaignRequeueUnknownTests
{
    private static async Task<Attempt> ClaimAsync(TempDatabase db, IAttemptWriter writer, long leadId, DateTimeOffset now)
    {
        var lead = (await db.Leads.GetAsync(leadId))!;
        var claim = new AttemptClaim(leadId, "act-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "pbx1", false);
        var result = (await writer.ClaimAsync([new DialClaim(claim, lead.CampaignId, lead.PhoneE164)], now))[0];
        Assert.Equal(DialClaimStatus.Claimed, result.Status);
        return result.Attempt!;
    }

    private static Task<bool> EndAsync(IAttemptWriter writer, Attempt attempt, CallOutcome outcome, LeadState leadState, CallOutcome? final, DateTimeOffset now) =>
        writer.EndAsync(new AttemptEnding
        {
            AttemptId = attempt.Id, Outcome = outcome, EndedAt = now, LeadState = leadState, LeadFinalOutcome = final,
            LeadNextEligibleAt = leadState == LeadState.WaitingRetry ? now : null,
        });

    [Fact]
    public async Task Unknown_leads_go_back_to_pending_with_their_history_while_the_rest_stay_and_the_counters_follow()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignWithLeadsAsync(5);
        var now = db.Time.GetUtcNow();
        var leads = await db.Leads.GetDueAsync(c.Id, now, 10);
        await using (var writer = new AttemptWriter(db.Database))
        {
            // Two unknown (one after an earlier busy), one answered, one not-sent (due again), one never dialed.
            var busy = await ClaimAsync(db, writer, leads[0].Id, now);
            Assert.True(await EndAsync(writer, busy, CallOutcome.Busy, LeadState.WaitingRetry, null, now));
            Assert.True(await EndAsync(writer, await ClaimAsync(db, writer, leads[0].Id, now), CallOutcome.Unknown, LeadState.Done, CallOutcome.Unknown, now));
            Assert.True(await EndAsync(writer, await ClaimAsync(db, writer, leads[1].Id, now), CallOutcome.Unknown, LeadState.Done, CallOutcome.Unknown, now));
            Assert.True(await EndAsync(writer, await ClaimAsync(db, writer, leads[2].Id, now), CallOutcome.Answered, LeadState.Done, CallOutcome.Answered, now));
            Assert.True(await EndAsync(writer, await ClaimAsync(db, writer, leads[3].Id, now), CallOutcome.NotSent, LeadState.WaitingRetry, null, now));
        }

        Assert.True(await db.Campaigns.TransitionAsync(c.Id, [CampaignState.Draft], CampaignState.Completed, "tester"));
        // Another process holds the campaign's lease: an unknown requeue touches only final leads, so it goes ahead.
        Assert.True((await db.Leases.TryAcquireAsync(LeaseKeys.Campaign(c.Id), "serve@elsewhere", TimeSpan.FromMinutes(5))).Acquired);
        Assert.Equal(2, (await db.Reports.GetSummaryAsync(c.Id)).LeadsByOutcome[CallOutcome.Unknown]);

        db.Time.Advance(TimeSpan.FromMinutes(10));
        var later = db.Time.GetUtcNow();
        var result = await new CampaignRequeue(db.Database, db.Time).UnknownAsync(c.Id, "operator");
        Assert.Equal(new RequeueResult(2, CampaignState.Paused), result);

        foreach (var (lead, attempts) in new[] { (leads[0], 2), (leads[1], 1) })
        {
            var now2 = (await db.Leads.GetAsync(lead.Id))!;
            Assert.Equal((LeadState.Pending, (CallOutcome?)null, attempts, (DateTimeOffset?)later), (now2.State, now2.FinalOutcome, now2.AttemptCount, now2.NextEligibleAt));
        }

        Assert.Equal([CallOutcome.Busy, CallOutcome.Unknown], (await db.Attempts.ListByLeadAsync(leads[0].Id)).Select(a => a.Outcome!.Value));
        Assert.Equal((LeadState.Done, (CallOutcome?)CallOutcome.Answered), ((await db.Leads.GetAsync(leads[2].Id))!.State, (await db.Leads.GetAsync(leads[2].Id))!.FinalOutcome));
        Assert.Equal(LeadState.WaitingRetry, (await db.Leads.GetAsync(leads[3].Id))!.State);
        Assert.Equal(LeadState.Pending, (await db.Leads.GetAsync(leads[4].Id))!.State);
        Assert.Equal(CampaignState.Paused, (await db.Campaigns.GetAsync(c.Id))!.State);

        var summary = await db.Reports.GetSummaryAsync(c.Id);
        Assert.False(summary.LeadsByOutcome.ContainsKey(CallOutcome.Unknown));
        Assert.Equal(2, summary.AttemptsByOutcome[CallOutcome.Unknown]); // the attempts happened: they stay counted
        Assert.Equal(3, summary.LeadsByState[LeadState.Pending]);
        Assert.Equal(1, summary.LeadsByState[LeadState.Done]);
        var recount = await db.Reports.RebuildCountersAsync(c.Id);
        Assert.Equal(summary.LeadsByState, recount.LeadsByState);
        Assert.Equal(summary.LeadsByOutcome, recount.LeadsByOutcome);
        Assert.Equal(summary.AttemptsByOutcome, recount.AttemptsByOutcome);

        var audit = Assert.Single(await new AuditLog(db.Database).ListAsync(subject: $"campaign:{c.Id}"), a => a.Action == "campaign.requeue");
        Assert.Equal("operator", audit.Actor);
        Assert.Equal("outcome unknown: 2 lead(s) back to pending; completed -> paused", audit.Details);

        // The dialer can claim them at once; the unknown attempt is in the count it reads.
        await using (var writer = new AttemptWriter(db.Database))
        {
            var lead = (await db.Leads.GetAsync(leads[1].Id))!;
            var claim = new AttemptClaim(lead.Id, "again", Guid.NewGuid().ToString(), "pbx1", false);
            var again = (await writer.ClaimAsync([new DialClaim(claim, c.Id, lead.PhoneE164) { LeadState = lead.State, AttemptCount = lead.AttemptCount }], later))[0];
            Assert.Equal((DialClaimStatus.Claimed, 1), (again.Status, again.PriorAttempts));
        }

        // Nothing is left to requeue; the paused campaign stays paused.
        Assert.Equal(new RequeueResult(0, CampaignState.Paused), await new CampaignRequeue(db.Database, db.Time).UnknownAsync(c.Id, "operator"));
    }

    [Fact]
    public async Task A_stopped_campaign_is_refused_and_left_as_it_was()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignWithLeadsAsync(1);
        var now = db.Time.GetUtcNow();
        var lead = (await db.Leads.GetDueAsync(c.Id, now, 1))[0];
        await using (var writer = new AttemptWriter(db.Database))
        {
            Assert.True(await EndAsync(writer, await ClaimAsync(db, writer, lead.Id, now), CallOutcome.Unknown, LeadState.Done, CallOutcome.Unknown, now));
        }

        Assert.True(await db.Campaigns.TransitionAsync(c.Id, [CampaignState.Draft], CampaignState.Stopped, "tester"));
        var refused = await Assert.ThrowsAsync<CampaignRequeueException>(() => new CampaignRequeue(db.Database, db.Time).UnknownAsync(c.Id, "operator"));
        Assert.Contains("is stopped", refused.Message, StringComparison.Ordinal);
        Assert.Equal((LeadState.Done, (CallOutcome?)CallOutcome.Unknown), ((await db.Leads.GetAsync(lead.Id))!.State, (await db.Leads.GetAsync(lead.Id))!.FinalOutcome));
        Assert.DoesNotContain(await new AuditLog(db.Database).ListAsync(subject: $"campaign:{c.Id}"), a => a.Action == "campaign.requeue");
        await Assert.ThrowsAsync<ArgumentException>(() => new CampaignRequeue(db.Database, db.Time).UnknownAsync(c.Id + 100, "operator"));
    }

    [Fact]
    public async Task A_campaign_that_completed_with_pending_leads_is_paused_by_asking_again()
    {
        // An engine that saw no due lead completed the campaign just as a requeue committed: asking again mends it.
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignWithLeadsAsync(2);
        Assert.True(await db.Campaigns.TransitionAsync(c.Id, [CampaignState.Draft], CampaignState.Completed, "tester"));
        Assert.Equal(new RequeueResult(0, CampaignState.Paused), await new CampaignRequeue(db.Database, db.Time).UnknownAsync(c.Id, "operator"));
    }
}
