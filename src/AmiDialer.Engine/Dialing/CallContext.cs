namespace AmiDialer.Engine.Dialing;

/// <summary>What the engine remembers about a call it placed, until the call ends.</summary>
internal sealed record CallContext(
    long AttemptId,
    long CampaignId,
    AmiDialer.Core.Model.Lead Lead,
    string Server,
    string ChannelId,
    DateTimeOffset StartedAt,
    CampaignDialer? Dialer,
    AmiDialer.Core.Outcomes.CallKind Kind = AmiDialer.Core.Outcomes.CallKind.Campaign,
    int? PriorAttempts = null);
