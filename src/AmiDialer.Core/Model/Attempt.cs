namespace AmiDialer.Core.Model;

/// <summary>One Originate for one lead. Rows are never overwritten with another call's data.</summary>
public sealed record Attempt
{
    public long Id { get; init; }
    public long LeadId { get; init; }
    public long CampaignId { get; init; }
    public AttemptState State { get; init; } = AttemptState.Dialing;

    public required string ActionId { get; init; }

    /// <summary>The ChannelId we assign, so events can be tied to the call by Uniqueid/Linkedid.</summary>
    public required string ChannelId { get; init; }

    /// <summary>The configured name of the AMI server the Originate went to.</summary>
    public required string Server { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? AnsweredAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    public CallOutcome? Outcome { get; init; }

    /// <summary>Sub-reason of a failure: channel-unavailable, timeout, ami-error, ...</summary>
    public string? FailureReason { get; init; }

    // Raw values kept as Asterisk reported them, for audits and for mapping changes later.
    public string? Reason { get; init; }
    public string? DialStatus { get; init; }
    public int? HangupCause { get; init; }
    public string? HangupCauseText { get; init; }

    public double? TalkSeconds { get; init; }
    public bool IsSimulated { get; init; }
}
