namespace AmiDialer.Core.Outcomes;

public enum CallKind
{
    /// <summary>The originated channel IS the callee (a campaign call).</summary>
    Campaign,

    /// <summary>The originated channel is the agent's phone; the customer is dialed from the dialplan once it answers.</summary>
    ClickToCall,
}

/// <summary>
/// What the engine saw of one call, as plain values copied from the AMI events (no AMI types). Events of the call are
/// those with its ActionID (OriginateResponse) or its Linkedid (DialEnd, Hangup), in arrival order.
/// </summary>
public sealed record CallFacts
{
    public CallKind Kind { get; init; } = CallKind.Campaign;

    /// <summary>Asterisk answered the Originate action itself with <c>Response: Error</c> (d11, g6): no call exists.</summary>
    public bool OriginateRefused { get; init; }

    /// <summary>The OriginateResponse event's <c>Response</c> (<c>Success</c>/<c>Failure</c>); null when none arrived.</summary>
    public string? OriginateResponse { get; init; }

    /// <summary>The OriginateResponse event's <c>Reason</c> (an AST_CONTROL code: 4 answered, 5 busy, 8 congestion, 3 no answer, 0 other).</summary>
    public int? OriginateReason { get; init; }

    public IReadOnlyList<DialEndFact> DialEnds { get; init; } = [];

    public IReadOnlyList<HangupFact> Hangups { get; init; } = [];

    /// <summary>The engine gave up waiting: no OriginateResponse by the ring timeout plus a grace period.</summary>
    public bool TimedOut { get; init; }

    /// <summary>The call was lost to a crash or an Asterisk restart (its channels are gone, nobody saw it end).</summary>
    public bool Interrupted { get; init; }
}

/// <summary>
/// A DialEnd event. <see cref="Channel"/> is empty for the Originate's own dial of its channel (Asterisk sends no
/// caller channel then); it is set for a <c>Dial()</c> run by the dialplan.
/// </summary>
public sealed record DialEndFact(string? Channel, string? DestChannel, string? DialStatus);

/// <summary>A Hangup event: the channel's name and its Q.850 <c>Cause</c> / <c>Cause-txt</c>.</summary>
public sealed record HangupFact(string Channel, int Cause, string? CauseText);
