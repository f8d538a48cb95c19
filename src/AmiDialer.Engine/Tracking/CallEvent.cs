namespace AmiDialer.Engine.Tracking;

/// <summary>The kinds of AMI event the tracker reads; everything else is <see cref="Other"/> and ignored.</summary>
public enum CallEventKind
{
    Other,
    OriginateResponse,
    Newchannel,
    Newstate,
    DialEnd,
    SoftHangupRequest,
    Hangup,
}

/// <summary>
/// The few headers of one AMI event that tie it to a call and carry its facts. Kept apart from the AMI
/// message type so the tracker can be driven from live traffic, captures and tests alike.
/// </summary>
public sealed record CallEvent
{
    public required CallEventKind Kind { get; init; }
    public string? ActionId { get; init; }
    public string? Channel { get; init; }
    public string? Uniqueid { get; init; }
    public string? Linkedid { get; init; }
    public string? DestChannel { get; init; }
    public string? DestUniqueid { get; init; }
    public string? DestLinkedid { get; init; }
    public string? ChannelState { get; init; }

    /// <summary>OriginateResponse's <c>Response</c> (Success/Failure).</summary>
    public string? Response { get; init; }

    /// <summary>OriginateResponse's <c>Reason</c>, an AST_CONTROL code.</summary>
    public string? Reason { get; init; }

    public string? DialStatus { get; init; }
    public string? Cause { get; init; }
    public string? CauseText { get; init; }

    /// <summary>The AMI event names behind the kinds the tracker reads (everything but <see cref="CallEventKind.Other"/>).</summary>
    public static IReadOnlyList<string> EventNames { get; } =
        ["OriginateResponse", "Newchannel", "Newstate", "DialEnd", "SoftHangupRequest", "Hangup"];

    public static CallEventKind KindOf(string? eventName) => eventName switch
    {
        "OriginateResponse" => CallEventKind.OriginateResponse,
        "Newchannel" => CallEventKind.Newchannel,
        "Newstate" => CallEventKind.Newstate,
        "DialEnd" => CallEventKind.DialEnd,
        "SoftHangupRequest" => CallEventKind.SoftHangupRequest,
        "Hangup" => CallEventKind.Hangup,
        _ => CallEventKind.Other,
    };
}
