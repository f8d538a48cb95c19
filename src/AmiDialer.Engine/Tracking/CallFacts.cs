namespace AmiDialer.Engine.Tracking;

/// <summary>One channel of a call, as its events described it.</summary>
public sealed record ChannelFacts(string Uniqueid, string? Name, int? Cause, string? CauseText, DateTimeOffset? HungUpAt);

/// <summary>One DialEnd of a call: <c>Channel</c> is null when the Originate itself dialed.</summary>
public sealed record DialEndFacts(string? Channel, string? DestChannel, string DialStatus);

/// <summary>Why the tracker declared a call final.</summary>
public enum Finality
{
    /// <summary>OriginateResponse in, every channel hung up, then quiet for the settle time.</summary>
    Completed,
    /// <summary>Asterisk refused the Originate in its Response: no call was placed.</summary>
    Rejected,
    /// <summary>No OriginateResponse by ring timeout plus grace.</summary>
    OriginateTimeout,
    /// <summary>
    /// The call's ending was not seen: Asterisk restarted or shut down, reconciliation found its channels gone, or its
    /// Originate was never written. Not an outcome by itself: the flags of <see cref="CallFacts"/> and the ledger say what it was.
    /// </summary>
    Lost,
}

/// <summary>Everything the events said about one attempt's call, handed over once it is final.</summary>
public sealed record CallFacts
{
    public required long AttemptId { get; init; }
    public required string ActionId { get; init; }
    public required string ChannelId { get; init; }
    public required Finality Finality { get; init; }

    /// <summary>OriginateResponse's Response (Success/Failure), or null when none arrived.</summary>
    public string? OriginateResult { get; init; }
    public string? Reason { get; init; }

    /// <summary>The Response message of a refused Originate, or the reason a call was declared lost.</summary>
    public string? ErrorMessage { get; init; }

    public IReadOnlyList<ChannelFacts> Channels { get; init; } = [];
    public IReadOnlyList<DialEndFacts> DialEnds { get; init; } = [];
    public DateTimeOffset? AnsweredAt { get; init; }

    /// <summary>When a DialEnd with a calling channel (a dialplan Dial()) said ANSWER: a click-to-call's customer answering.</summary>
    public DateTimeOffset? DialAnsweredAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>A SoftHangupRequest with cause 4 (system shutdown) hit the call: Asterisk is going down.</summary>
    public bool ShutdownSeen { get; init; }

    /// <summary>The AMI link dropped while the call was live, so some of its events may be missing.</summary>
    public bool Disturbed { get; init; }

    /// <summary>How the call was started or taken over (kind, claim time); null only for facts built by hand.</summary>
    public TrackedCallStart? Start { get; init; }

    /// <summary>Taken over from the store or after a reconnect: its OriginateResponse may have gone by unseen.</summary>
    public bool Adopted { get; init; }

    /// <summary>The callee's (click-to-call: the customer's) answer was seen or already stored, and committed.</summary>
    public bool AnswerSeen { get; init; }

    /// <summary>A Shutdown event came while the call was live.</summary>
    public bool Interrupted { get; init; }

    /// <summary>Asterisk booted after the call was claimed (FullyBooted's Uptime): whatever was not answered was cut.</summary>
    public bool RestartSeen { get; init; }

    /// <summary>The call's channels were found gone with its ending unseen (no OriginateResponse was seen here).</summary>
    public bool EndedUnseen { get; init; }

    /// <summary>The Originate never reached Asterisk: never written, or (ledger) no key, no channel, no restart, claim old enough.</summary>
    public bool NotSent { get; init; }

    /// <summary>The outcome ledger's value for the call, read with DBGet when its ending was not seen.</summary>
    public string? LedgerValue { get; init; }

    /// <summary>DialStatus of the last DialEnd, the one that matters for the called party.</summary>
    public string? DialStatus => DialEnds.Count == 0 ? null : DialEnds[^1].DialStatus;

    /// <summary>
    /// The channel whose cause speaks for the far end: the last with a non-zero cause, else the last
    /// (the <c>;1</c> half of busy/congestion calls says 0 "Unknown").
    /// </summary>
    public ChannelFacts? DecisiveChannel =>
        Channels.LastOrDefault(c => c.Cause is > 0) ?? (Channels.Count == 0 ? null : Channels[^1]);
}
