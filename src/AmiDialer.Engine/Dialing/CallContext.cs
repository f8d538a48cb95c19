namespace AmiDialer.Engine.Dialing;

/// <summary>What the engine remembers about a call it placed, until the call ends.</summary>
internal sealed record CallContext(
    long AttemptId,
    long CampaignId,
    long LeadId,
    string PhoneE164,
    string Server,
    string ChannelId,
    DateTimeOffset StartedAt,
    CampaignDialer? Dialer);
