namespace AmiDialer.Engine.Servers;

/// <summary>An async Originate as the dialer builds it; every value was validated by Core before it gets here.</summary>
internal sealed record OriginateRequest(
    long AttemptId,
    string ChannelId,
    string Channel,
    string Context,
    string Extension,
    int Priority,
    string? CallerId,
    TimeSpan RingTimeout,
    IReadOnlyList<KeyValuePair<string, string>> Variables)
{
    /// <summary>Whose outcome the call's ledger key holds: the callee's (campaign) or the customer's (click-to-call).</summary>
    public AmiDialer.Core.Outcomes.CallKind Kind { get; init; } = AmiDialer.Core.Outcomes.CallKind.Campaign;
}

/// <summary>What became of sending an Originate.</summary>
internal enum OriginateSendResult
{
    /// <summary>"Originate successfully queued": the call's events will follow.</summary>
    Queued,
    /// <summary>Asterisk answered Response: Error: no call exists (the attempt is already ended).</summary>
    Refused,
    /// <summary>Never written: not connected. No call exists.</summary>
    NotSent,
    /// <summary>Written, but the answer was lost (connection dropped, timeout): the call may exist. Reconcile.</summary>
    Uncertain,
}
