using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>What click-to-call writes for one call: the number's lead (created if new) and its attempt.</summary>
public sealed record ClickToCallClaim(
    long CampaignId,
    string PhoneE164,
    IReadOnlyList<string> TimeZones,
    string ActionId,
    string ChannelId,
    string Server,
    bool IsSimulated)
{
    /// <summary>
    /// The click-to-call lease of the placing process (<see cref="LeaseKeys.ClickToCall"/>): the attempt is written as
    /// its own, and the claim commits only while that process still holds it. Null: unowned (tests of the store alone).
    /// </summary>
    public LeaseFence? Lease { get; init; }

    /// <summary>The agent endpoint rung first (e.g. <c>PJSIP/101</c>), kept with the attempt. Null: none recorded (tests of the store alone).</summary>
    public string? Agent { get; init; }

    /// <summary>Where the customer is dialed, <c>context,exten,priority</c>, kept with the attempt.</summary>
    public string? Destination { get; init; }

    /// <summary>The server's <c>MaxConcurrentCalls</c>, counted over every process (<see cref="ServerSlots"/>); null: not counted.</summary>
    public int? ServerCap { get; init; }
}

/// <summary>
/// The click-to-call side of leads and attempts. A click-to-call campaign holds one lead per number and adds an
/// attempt to it for every call: a number called again is never refused as a duplicate, but it is never in two live
/// calls either (the same rule, and the same unique index, as campaign leads).
/// </summary>
public sealed class ClickToCallLeadRepository(AmiDialerDatabase database)
{
    /// <summary>
    /// In one transaction: creates the number's lead if the campaign has none, moves it (whatever final or waiting
    /// state it is in) to in progress, and writes the attempt as dialing. Returns null, changing nothing, when the
    /// lead already has a call in progress; throws <see cref="ServerFullException"/>, changing nothing, when the server
    /// has <see cref="ClickToCallClaim.ServerCap"/> open calls.
    /// </summary>
    public async Task<(Attempt Attempt, Lead Lead)?> ClaimAsync(ClickToCallClaim claim, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        if (claim.Lease is { } lease && await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT 1 FROM leases WHERE key = @Key AND owner = @Owner", lease, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) is null)
        {
            throw new LeaseLostException($"This process no longer holds its click-to-call lease ({lease.Key}).");
        }

        if (claim.ServerCap is { } cap && await ServerSlots.LockAndCountAsync(connection, transaction, claim.Server, cap, cancellationToken).ConfigureAwait(false) is var open && open >= cap)
        {
            throw new ServerFullException($"Server {claim.Server} has {open} calls open, its MaxConcurrentCalls, counted over every process.") { Server = claim.Server, Open = open };
        }

        var zones = JsonSerializer.Serialize(claim.TimeZones.ToList(), DataJson.Default.ListString);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO leads (campaign_id, phone, fields, time_zones, state, next_eligible_at)
            VALUES (@CampaignId, @PhoneE164, '{}', @zones, 'pending', @now)
            ON CONFLICT (campaign_id, phone) DO NOTHING
            """, new { claim.CampaignId, claim.PhoneE164, zones, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted == 1)
        {
            await CampaignCounters.AddAsync(connection, transaction, claim.CampaignId, CampaignCounters.State(LeadState.Pending), 1, cancellationToken).ConfigureAwait(false);
        }

        var row = await connection.QuerySingleAsync<LeadRepository.LeadRow>(new CommandDefinition(
            LeadRepository.SelectColumns + " WHERE campaign_id = @CampaignId AND phone = @PhoneE164",
            new { claim.CampaignId, claim.PhoneE164 }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var lead = row.ToLead();
        if (lead.State == LeadState.InProgress)
        {
            return null;
        }

        var moved = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE leads SET state = 'in_progress', final_outcome = NULL, attempt_count = attempt_count + 1, next_eligible_at = NULL, time_zones = @zones WHERE id = @id AND state = @state",
            new { id = lead.Id, state = DbNames.Of(lead.State), zones }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (moved == 0)
        {
            return null;
        }

        if (lead.FinalOutcome is { } previous)
        {
            // Each call gives the number's lead its own outcome: the ending sets it again, and counts it again.
            await CampaignCounters.AddAsync(connection, transaction, claim.CampaignId, CampaignCounters.Outcome(previous), -1, cancellationToken).ConfigureAwait(false);
        }

        var attemptClaim = new AttemptClaim(lead.Id, claim.ActionId, claim.ChannelId, claim.Server, claim.IsSimulated) { LeaseKey = claim.Lease?.Key };
        var attemptId = await AttemptRepository.InsertDialingAsync(connection, transaction, lead.Id, claim.CampaignId, lead.State, attemptClaim, now, cancellationToken).ConfigureAwait(false);
        if (attemptId is not { } id)
        {
            return null;
        }

        if (claim.Agent is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO click_to_calls (attempt_id, agent, destination) VALUES (@id, @Agent, @destination)",
                new { id, claim.Agent, destination = claim.Destination ?? "" }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var attempt = attemptClaim.Dialing(id, claim.CampaignId, now);
        return (attempt, lead with { State = LeadState.InProgress, FinalOutcome = null, AttemptCount = lead.AttemptCount + 1, NextEligibleAt = null });
    }
}

/// <summary>A claim's lease fence failed: the lease it names is not the claimer's any more, and nothing was written.</summary>
public sealed class LeaseLostException : Exception
{
    public LeaseLostException()
    {
    }

    public LeaseLostException(string message)
        : base(message)
    {
    }

    public LeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
