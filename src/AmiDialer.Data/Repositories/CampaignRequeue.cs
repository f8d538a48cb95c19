using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>What a requeue did: leads returned to pending, and the campaign's state after it.</summary>
public sealed record RequeueResult(long LeadsReturned, CampaignState State);

/// <summary>
/// A requeue refused: the campaign is being dialed, a call of it is still open, or it is stopped; or (with
/// <see cref="InsideAbandonDelay"/>) some of its leads had a call abandoned within the abandon retry delay and the
/// requeue was not forced.
/// </summary>
public sealed class CampaignRequeueException(string message) : Exception(message)
{
    /// <summary>The leads a forced requeue would call inside their abandon retry delay; empty for the other refusals.</summary>
    public IReadOnlyList<AbandonedLead> InsideAbandonDelay { get; init; } = [];
}

/// <summary>
/// Gives leads back to the dialer after an operator decides their results do not count. The attempts stay as the
/// history of what happened; the leads, their counters and the campaign change in one audited transaction.
/// </summary>
public sealed class CampaignRequeue(AmiDialerDatabase database, TimeProvider time)
{
    /// <summary>
    /// <c>Dialing:AbandonRetryDelay</c>: a lead whose call was abandoned less than this ago is requeued only when forced
    /// (the dialer itself never calls it again sooner).
    /// </summary>
    public TimeSpan AbandonRetryDelay { get; init; } = TimeSpan.FromHours(72);

    /// <summary>
    /// Readies a campaign the simulator dialed for a real PBX: the leads whose last call was a simulated one (done,
    /// exhausted, or waiting for a retry) go back to pending with only their real attempts counted, and the
    /// campaign stops being marked simulated. A completed campaign becomes paused, to be resumed when wanted.
    /// Refused while an engine holds the campaign's lease or one of its calls is open.
    /// </summary>
    public async Task<RequeueResult> SimulatedAsync(long campaignId, string actor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var campaign = await ReadCampaignAsync(connection, transaction, campaignId, database.Dialect, cancellationToken).ConfigureAwait(false);

        // A lease row is a holder until it is released or taken over, whatever its wall-clock times say; one whose
        // process is gone from this host holds nothing.
        var lease = await connection.QuerySingleOrDefaultAsync<(string Owner, string Host, long Pid, long Start)>(new CommandDefinition(
            "SELECT owner, host, pid, process_start FROM leases WHERE key = @key", new { key = LeaseKeys.Campaign(campaignId) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (lease.Owner is { } holder && ProcessIdentity.IsRunning(lease.Host, (int)lease.Pid, lease.Start) != false)
        {
            throw new CampaignRequeueException($"Campaign '{campaign.Name}' is being dialed by {holder}: pause it and stop that process (or, if it is gone, let 'run' or 'serve' take its lease over) before requeueing it.");
        }

        var open = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM attempts WHERE campaign_id = @campaignId AND state <> 'ended'", new { campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (open > 0)
        {
            throw new CampaignRequeueException($"Campaign '{campaign.Name}' has {open} call(s) still open: let an engine reconcile them (start serve or run) before requeueing it.");
        }

        var leads = (await connection.QueryAsync<(long Id, string State, string? FinalOutcome, long RealAttempts)>(new CommandDefinition(
            """
            SELECT l.id, l.state, l.final_outcome,
                   (SELECT count(*) FROM attempts r WHERE r.lead_id = l.id AND NOT r.is_simulated AND r.outcome IS DISTINCT FROM 'not-sent') AS real_attempts
            FROM leads l
            WHERE l.campaign_id = @campaignId AND l.state IN ('done', 'exhausted', 'waiting_retry')
              AND (SELECT a.is_simulated FROM attempts a WHERE a.lead_id = l.id ORDER BY a.id DESC LIMIT 1) = TRUE
            """, new { campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        foreach (var lead in leads)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE leads SET state = 'pending', final_outcome = NULL, attempt_count = @RealAttempts, next_eligible_at = @now WHERE id = @Id",
                new { lead.Id, lead.RealAttempts, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        foreach (var group in leads.GroupBy(l => l.State))
        {
            await CampaignCounters.MoveLeadAsync(connection, transaction, campaignId, DbNames.LeadStateOf(group.Key), LeadState.Pending, group.Count(), cancellationToken).ConfigureAwait(false);
        }

        foreach (var group in leads.Where(l => l.FinalOutcome is not null).GroupBy(l => l.FinalOutcome!))
        {
            await CampaignCounters.AddAsync(connection, transaction, campaignId, CampaignCounters.Outcome(DbNames.OutcomeOf(group.Key)!.Value), -group.Count(), cancellationToken).ConfigureAwait(false);
        }

        var previous = DbNames.CampaignStateOf(campaign.State);
        var state = previous == CampaignState.Completed && leads.Count > 0 ? CampaignState.Paused : previous;
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE campaigns SET is_simulated = FALSE, state = @state, updated_at = @now WHERE id = @campaignId",
            new { campaignId, state = DbNames.Of(state), now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await AuditLog.WriteAsync(connection, transaction, now, actor, "campaign.requeue", $"campaign:{campaignId}",
            $"simulated: {leads.Count} lead(s) back to pending; {campaign.State} -> {DbNames.Of(state)}", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RequeueResult(leads.Count, state);
    }

    /// <summary>
    /// Gives the leads whose final outcome is <see cref="CallOutcome.Unknown"/> (their call ended while no dialer was
    /// connected, so nobody knows whether the callee answered) back to the dialer, because an operator decided to
    /// call them again: pending at once, attempt history and attempt count kept (those attempts still count toward
    /// the maximum), counters moved and the change audited in one transaction. A completed campaign becomes paused,
    /// to be resumed when wanted; a stopped one is refused (nothing more is dialed in it).
    /// </summary>
    /// <remarks>
    /// Unlike <see cref="SimulatedAsync"/> this runs while an engine dials the campaign: only leads that are final
    /// are touched, they have no open call, and the dialer claims a lead only through a conditional update of its
    /// stored state, so the engine finds them as it finds any pending lead. Asking again also pauses a campaign
    /// that completed with pending leads (an engine that finished just as the requeue committed).
    /// A lead whose call was abandoned within <see cref="AbandonRetryDelay"/> (an answer that met no agent, then the next
    /// call's end unseen) would be called again too soon: the requeue is refused, naming those leads and when each may be
    /// called, unless <paramref name="force"/> (the operator's decision, said in the audit row).
    /// </remarks>
    public async Task<RequeueResult> UnknownAsync(long campaignId, string actor, bool force = false, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var campaign = await ReadCampaignAsync(connection, transaction, campaignId, database.Dialect, cancellationToken).ConfigureAwait(false);

        var previous = DbNames.CampaignStateOf(campaign.State);
        if (previous == CampaignState.Stopped)
        {
            throw new CampaignRequeueException($"Campaign '{campaign.Name}' is stopped: nothing more will be dialed in it, so its leads cannot be requeued.");
        }

        var unknown = DbNames.Of(CallOutcome.Unknown);
        var early = await AbandonedAnswers.UnknownInsideDelayAsync(connection, transaction, campaignId, unknown, now, AbandonRetryDelay, cancellationToken).ConfigureAwait(false);
        if (early.Count > 0 && !force)
        {
            throw new CampaignRequeueException(InsideDelayMessage(campaign.Name, early, AbandonRetryDelay)) { InsideAbandonDelay = early };
        }

        var leads = (await connection.QueryAsync<(long Id, string State)>(new CommandDefinition(
            "SELECT id, state FROM leads WHERE campaign_id = @campaignId AND final_outcome = @unknown AND state IN ('done', 'exhausted', 'expired')",
            new { campaignId, unknown }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE leads SET state = 'pending', final_outcome = NULL, next_eligible_at = @now
            WHERE campaign_id = @campaignId AND final_outcome = @unknown AND state IN ('done', 'exhausted', 'expired')
            """, new { campaignId, unknown, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var group in leads.GroupBy(l => l.State))
        {
            await CampaignCounters.MoveLeadAsync(connection, transaction, campaignId, DbNames.LeadStateOf(group.Key), LeadState.Pending, group.Count(), cancellationToken).ConfigureAwait(false);
        }

        await CampaignCounters.AddAsync(connection, transaction, campaignId, CampaignCounters.Outcome(CallOutcome.Unknown), -leads.Count, cancellationToken).ConfigureAwait(false);

        var state = previous;
        if (previous == CampaignState.Completed)
        {
            var dialable = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM leads WHERE campaign_id = @campaignId AND state IN ('pending', 'waiting_retry')", new { campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (dialable > 0)
            {
                state = CampaignState.Paused;
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE campaigns SET state = @state, updated_at = @now WHERE id = @campaignId",
                    new { campaignId, state = DbNames.Of(state), now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
        }

        var forced = early.Count == 0 ? "" : $"; forced: {early.Count} lead(s) inside the abandon retry delay ({AbandonedAnswers.Describe(AbandonRetryDelay)}), called before {Utc(early.Max(e => e.NotBefore))}";
        await AuditLog.WriteAsync(connection, transaction, now, actor, "campaign.requeue", $"campaign:{campaignId}",
            $"outcome unknown: {leads.Count} lead(s) back to pending; {campaign.State} -> {DbNames.Of(state)}{forced}", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RequeueResult(leads.Count, state);
    }

    /// <summary>Which leads, and until when: the refusal's text (the CLI and the API add how to force it).</summary>
    private static string InsideDelayMessage(string campaign, IReadOnlyList<AbandonedLead> early, TimeSpan delay)
    {
        const int Named = 5;
        var named = string.Join(", ", early.Take(Named).Select(e => $"{e.Phone} not before {Utc(e.NotBefore)}"));
        var more = early.Count > Named ? $" and {early.Count - Named} more" : "";
        return $"Campaign '{campaign}': {early.Count} of the leads to requeue had a call abandoned (answered, no agent in time) less than "
            + $"{AbandonedAnswers.Describe(delay)} ago (Dialing:AbandonRetryDelay), so calling them now would break the abandoned-call rule: {named}{more}. "
            + $"Wait until {Utc(early.Max(e => e.NotBefore))}, or requeue anyway.";
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The campaign's name and stored state, read inside the requeue's transaction; throws when there is none.</summary>
    private static async Task<(string Name, string State)> ReadCampaignAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, long campaignId, SqlDialect dialect, CancellationToken cancellationToken)
    {
        var campaign = await connection.QuerySingleOrDefaultAsync<(string Name, string State)>(new CommandDefinition(
            "SELECT name, state FROM campaigns WHERE id = @campaignId" + dialect.ForUpdate, new { campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return campaign.Name is null ? throw new ArgumentException($"No campaign with id {campaignId}.", nameof(campaignId)) : campaign;
    }
}
