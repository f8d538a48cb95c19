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

    /// <summary>The engine knows the call was cut by Asterisk going down (a Shutdown event while it was live).</summary>
    public bool Interrupted { get; init; }

    /// <summary>A channel of the call got <c>SoftHangupRequest</c> with <c>Cause: 4</c>: Asterisk shutting down (i1, i3, i4).</summary>
    public bool ShutdownSeen { get; init; }

    /// <summary>The call was lost and Asterisk has booted since it was claimed (a FullyBooted Uptime lower than at the claim).</summary>
    public bool RestartSeen { get; init; }

    /// <summary>
    /// The outcome ledger's value for the call (<c>DIALSTATUS|HANGUPCAUSE|ANSWEREDTIME|EPOCH</c>, read with DBGet),
    /// when it was read; for click-to-call, the customer's (<c>-customer</c>) key.
    /// </summary>
    public string? LedgerValue { get; init; }

    /// <summary>
    /// The callee's answer was seen and committed before this ending: the attempt's stored <c>answered_at</c>
    /// (written when an OriginateResponse Success or, for click-to-call, the customer's DialEnd ANSWER was seen), or a
    /// channel of a campaign call listed Up when it was taken over. Answered, ledger or not.
    /// </summary>
    public bool AnswerSeen { get; init; }

    /// <summary>The call ended while no dialer was connected to see it, and no ledger holds its outcome.</summary>
    public bool EndedUnseen { get; init; }

    /// <summary>Proven never to have reached Asterisk (the ledger has no key, no channel lives, no restart, the claim is old enough).</summary>
    public bool NotSent { get; init; }
}

/// <summary>
/// A DialEnd event. <see cref="Channel"/> is empty for the Originate's own dial of its channel (Asterisk sends no
/// caller channel then); it is set for a <c>Dial()</c> run by the dialplan.
/// </summary>
public sealed record DialEndFact(string? Channel, string? DestChannel, string? DialStatus);

/// <summary>A Hangup event: the channel's name and its Q.850 <c>Cause</c> / <c>Cause-txt</c>.</summary>
public sealed record HangupFact(string Channel, int Cause, string? CauseText);
