namespace AmiDialer.Engine.Dialing;

/// <summary>What the engine remembers about a call it placed, until the call ends.</summary>
/// <param name="AttemptCreatedAt">When the attempt was written (its claim's time, which files it in the hourly report), not when its Originate went.</param>
internal sealed record CallContext(
    long AttemptId,
    DateTimeOffset AttemptCreatedAt,
    long CampaignId,
    AmiDialer.Core.Model.Lead Lead,
    string Server,
    string ChannelId,
    DateTimeOffset StartedAt,
    CampaignDialer? Dialer,
    AmiDialer.Core.Outcomes.CallKind Kind = AmiDialer.Core.Outcomes.CallKind.Campaign,
    int? PriorAttempts = null);
