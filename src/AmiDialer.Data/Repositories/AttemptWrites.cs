using AmiDialer.Core.Model;

namespace AmiDialer.Data.Repositories;

/// <summary>What the dialer writes for one Originate to be sent.</summary>
public sealed record AttemptClaim(long LeadId, string ActionId, string ChannelId, string Server, bool IsSimulated)
{
    /// <summary>The lease that owns the attempt while it is open (<see cref="LeaseKeys"/>); null: its campaign's.</summary>
    public string? LeaseKey { get; init; }

    /// <summary>The attempt this claim wrote, as dialing, once the store gave it <paramref name="id"/>.</summary>
    public Attempt Dialing(long id, long campaignId, DateTimeOffset createdAt) => new()
    {
        Id = id,
        LeadId = LeadId,
        CampaignId = campaignId,
        State = AttemptState.Dialing,
        ActionId = ActionId,
        ChannelId = ChannelId,
        Server = Server,
        CreatedAt = createdAt,
        IsSimulated = IsSimulated,
    };
}

/// <summary>A lead the dialer wants to dial now: its attempt, and the number checked against do-not-call in the claim.</summary>
public sealed record DialClaim(AttemptClaim Attempt, long CampaignId, string PhoneE164)
{
    /// <summary>
    /// The state the lead was read in, when the caller knows it: the claim then needs no read of the lead first, and
    /// is refused (not claimable) if the lead has changed since. Null: read in the claim.
    /// </summary>
    public LeadState? LeadState { get; init; }

    /// <summary>
    /// The lead's attempt count as read with <see cref="LeadState"/>: the claim is refused if it changed since, and
    /// the count needs no read after the claim. Used only together with <see cref="LeadState"/>.
    /// </summary>
    public int? AttemptCount { get; init; }

    /// <summary>
    /// The lease the claimer must still hold: the claim commits only while the lease row is this owner's, so a process
    /// that stalled (a GC or VM pause) and lost its lease meanwhile claims nothing when it wakes. Null: no check.
    /// </summary>
    public LeaseFence? Fence { get; init; }

    /// <summary>
    /// The claim's server's <c>MaxConcurrentCalls</c>: refused (<see cref="DialClaimStatus.ServerFull"/>) when that many
    /// attempts on the server are open in the store already, whichever process placed them (see <see cref="ServerSlots"/>).
    /// Null: not counted.
    /// </summary>
    public int? ServerCap { get; init; }
}

/// <summary>A lease key and the owner a claim requires to hold it (see <see cref="DialClaim.Fence"/>).</summary>
public sealed record LeaseFence(string Key, string Owner);

public enum DialClaimStatus
{
    /// <summary>The lead is in progress and its attempt is written as dialing: the Originate may go.</summary>
    Claimed,

    /// <summary>The number is on the do-not-call list: the lead is now blocked, nothing was written for a call.</summary>
    Blocked,

    /// <summary>Not due, not dialable any more, or already in an open attempt: nothing changed.</summary>
    NotClaimable,

    /// <summary>The claim's <see cref="DialClaim.Fence"/> failed: the lease is not the claimer's any more; nothing changed.</summary>
    LeaseLost,

    /// <summary>The server has <see cref="DialClaim.ServerCap"/> open attempts already, over every process: nothing changed, the lead stays due.</summary>
    ServerFull,
}

public sealed record DialClaimResult(DialClaimStatus Status, Attempt? Attempt = null)
{
    /// <summary>Attempts the lead had before this one (0: its retry decision needs no look at earlier outcomes).</summary>
    public int PriorAttempts { get; init; }

    /// <summary>Why a claim failed in the store (it was rolled back alone; the lead is as it was).</summary>
    public string? Error { get; init; }

    /// <summary>
    /// The open attempts on the claim's server as its transaction counted them (this claim's included when claimed, up
    /// to its cap), when it had a <see cref="DialClaim.ServerCap"/>: how a dialer learns what other processes use.
    /// </summary>
    public int? ServerOpen { get; init; }
}

/// <summary>How an attempt ended (the raw values as Asterisk gave them) and what becomes of its lead.</summary>
public sealed record AttemptEnding
{
    public required long AttemptId { get; init; }
    public required CallOutcome Outcome { get; init; }
    public required DateTimeOffset EndedAt { get; init; }
    public string? FailureReason { get; init; }
    public string? Reason { get; init; }
    public string? DialStatus { get; init; }
    public int? HangupCause { get; init; }
    public string? HangupCauseText { get; init; }

    /// <summary>When the call was answered; an answer time already stored on the attempt is kept.</summary>
    public DateTimeOffset? AnsweredAt { get; init; }
    public double? TalkSeconds { get; init; }

    /// <summary>The lead's new state, as Core's retry policy decided: waiting-retry, done or exhausted (or pending for an interrupted call).</summary>
    public required LeadState LeadState { get; init; }

    /// <summary>Set when the lead is final (done or exhausted).</summary>
    public CallOutcome? LeadFinalOutcome { get; init; }

    /// <summary>When a lead waiting to retry becomes due; null for a final lead.</summary>
    public DateTimeOffset? LeadNextEligibleAt { get; init; }

    /// <summary>
    /// The attempt as it was claimed, when the caller still holds it: the writer then ends it without reading it
    /// first. Null: read from the store.
    /// </summary>
    public ClaimedAttempt? Claimed { get; init; }
}

/// <summary>What an attempt's claim wrote and an ending needs: its lead, its campaign, and when it was created.</summary>
public readonly record struct ClaimedAttempt(long LeadId, long CampaignId, DateTimeOffset CreatedAt);

/// <summary>One ending of <see cref="IAttemptWriter.EndManyAsync"/>: whether it ended the attempt (false: already ended), or why it failed (rolled back alone).</summary>
public readonly record struct AttemptEndResult(bool Ended, Exception? Error);
