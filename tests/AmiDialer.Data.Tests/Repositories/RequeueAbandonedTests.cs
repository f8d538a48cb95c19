using AmiDialer.Core.Model;
using AmiDialer.Core.Queues;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary>
/// The abandoned-call rule against an operator's requeue (issue #26's doubt): a lead answered and abandoned less than
/// <c>Dialing:AbandonRetryDelay</c> ago, whose next call then ended unseen (unknown), is not requeued unless forced, and
/// the audit row says when it was; <see cref="AbandonedAnswers.LatestAsync"/> says when a lead may be called again.
/// </summary>
public sealed class RequeueAbandonedTests(PostgresFixture postgres) : StoreTests(postgres)
{
    private static readonly TimeSpan Delay = TimeSpan.FromHours(72);

    private static IAttemptWriter Writer(TempDatabase db) =>
        db.Database.DataSource is { } postgres ? new PostgresAttemptWriter(postgres, db.Time) : new AttemptWriter(db.Database, db.Time);

    /// <summary>One call of the lead, ended with <paramref name="outcome"/>; answered with <paramref name="fate"/> when given.</summary>
    private static async Task CallAsync(TempDatabase db, IAttemptWriter writer, long leadId, CallOutcome outcome, QueueCallFate? fate, LeadState leadState, CallOutcome? final)
    {
        var now = db.Time.GetUtcNow();
        var lead = (await db.Leads.GetAsync(leadId))!;
        var claim = new AttemptClaim(leadId, "act-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), "pbx1", false);
        var attempt = (await writer.ClaimAsync([new DialClaim(claim, lead.CampaignId, lead.PhoneE164) { LeadState = lead.State, AttemptCount = lead.AttemptCount }], now))[0].Attempt!;
        Assert.True(await writer.EndAsync(new AttemptEnding
        {
            AttemptId = attempt.Id, Outcome = outcome, EndedAt = now + TimeSpan.FromSeconds(30), AnsweredAt = fate is null ? null : now + TimeSpan.FromSeconds(5),
            LeadState = leadState, LeadFinalOutcome = final, LeadNextEligibleAt = leadState == LeadState.WaitingRetry ? now : null,
        }));
        if (fate is { } f)
        {
            await new QueueRepository(db.Database, db.Time).RecordFateAsync(attempt.Id, "sales", f, null, null);
        }
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_lead_abandoned_within_the_delay_is_requeued_only_when_forced_and_the_audit_row_says_so(StoreProvider provider)
    {
        await using var db = await OpenAsync(provider);
        var c = await db.CreateCampaignWithLeadsAsync(3);
        var leads = (await db.Leads.GetDueAsync(c.Id, db.Time.GetUtcNow(), 10)).OrderBy(l => l.Id).ToList();
        var answeredAt = db.Time.GetUtcNow() + TimeSpan.FromSeconds(5);
        await using (var writer = Writer(db))
        {
            // Lead 0: answered, nobody took it (late), called again, that call ended unseen (unknown): the case.
            await CallAsync(db, writer, leads[0].Id, CallOutcome.Answered, QueueCallFate.Late, LeadState.WaitingRetry, null);
            await CallAsync(db, writer, leads[0].Id, CallOutcome.Unknown, null, LeadState.Done, CallOutcome.Unknown);
            // Lead 1: unknown after a busy: nothing abandoned, requeued as ever. Lead 2: answered and connected: final, untouched.
            await CallAsync(db, writer, leads[1].Id, CallOutcome.Busy, null, LeadState.WaitingRetry, null);
            await CallAsync(db, writer, leads[1].Id, CallOutcome.Unknown, null, LeadState.Done, CallOutcome.Unknown);
            await CallAsync(db, writer, leads[2].Id, CallOutcome.Answered, QueueCallFate.Connected, LeadState.Done, CallOutcome.Answered);
        }

        var notBefore = answeredAt + Delay;
        Assert.Equal((answeredAt, "late", notBefore), await LatestAsync(db, leads[0].Id));
        Assert.Null(await AbandonedAnswers.LatestAsync(db.Database, leads[1].Id, Delay));
        Assert.Null(await AbandonedAnswers.LatestAsync(db.Database, leads[2].Id, Delay));

        // A day later: refused, naming the lead and the time, and nothing changed.
        db.Time.Advance(TimeSpan.FromDays(1));
        var requeue = new CampaignRequeue(db.Database, db.Time) { AbandonRetryDelay = Delay };
        var refused = await Assert.ThrowsAsync<CampaignRequeueException>(() => requeue.UnknownAsync(c.Id, "operator"));
        var early = Assert.Single(refused.InsideAbandonDelay);
        Assert.Equal((leads[0].Id, leads[0].PhoneE164, notBefore), (early.LeadId, early.Phone, early.NotBefore));
        Assert.Contains($"{leads[0].PhoneE164} not before {notBefore.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z", refused.Message, StringComparison.Ordinal);
        Assert.Contains("less than 72 h ago (Dialing:AbandonRetryDelay)", refused.Message, StringComparison.Ordinal);
        Assert.Equal(LeadState.Done, (await db.Leads.GetAsync(leads[0].Id))!.State);
        Assert.Equal(LeadState.Done, (await db.Leads.GetAsync(leads[1].Id))!.State);
        Assert.DoesNotContain(await new AuditLog(db.Database).ListAsync(subject: $"campaign:{c.Id}"), a => a.Action == "campaign.requeue");

        // Forced: both back to pending, and the audit row says it was forced and until when the lead was held.
        Assert.Equal(2, (await requeue.UnknownAsync(c.Id, "operator", force: true)).LeadsReturned);
        Assert.Equal(LeadState.Pending, (await db.Leads.GetAsync(leads[0].Id))!.State);
        var audit = Assert.Single(await new AuditLog(db.Database).ListAsync(subject: $"campaign:{c.Id}"), a => a.Action == "campaign.requeue");
        Assert.Equal($"outcome unknown: 2 lead(s) back to pending; draft -> draft; forced: 1 lead(s) inside the abandon retry delay (72 h), called before {notBefore.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z", audit.Details);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Once_the_delay_is_over_the_requeue_needs_no_force_and_a_simulated_abandon_never_holds_a_lead(StoreProvider provider)
    {
        await using var db = await OpenAsync(provider);
        var c = await db.CreateCampaignWithLeadsAsync(1);
        var lead = (await db.Leads.GetDueAsync(c.Id, db.Time.GetUtcNow(), 10)).Single();
        await using (var writer = Writer(db))
        {
            await CallAsync(db, writer, lead.Id, CallOutcome.Answered, QueueCallFate.CallerLeft, LeadState.WaitingRetry, null);
            await CallAsync(db, writer, lead.Id, CallOutcome.Unknown, null, LeadState.Done, CallOutcome.Unknown);
        }

        db.Time.Advance(Delay + TimeSpan.FromMinutes(1));
        var result = await new CampaignRequeue(db.Database, db.Time) { AbandonRetryDelay = Delay }.UnknownAsync(c.Id, "operator");
        Assert.Equal(1, result.LeadsReturned);
        Assert.Equal("caller-left", (await LatestAsync(db, lead.Id)).Fate);
    }

    private static async Task<(DateTimeOffset AnsweredAt, string? Fate, DateTimeOffset NotBefore)> LatestAsync(TempDatabase db, long leadId)
    {
        var latest = await AbandonedAnswers.LatestAsync(db.Database, leadId, Delay);
        Assert.NotNull(latest);
        return (latest.AnsweredAt, latest.Fate, latest.NotBefore);
    }
}
