namespace AmiDialer.Ami;

/// <summary>Typed access to the headers the dialer reads (see tests/captures/README.md for where each comes from).</summary>
public sealed partial class AmiMessage
{
    public string? Privilege => Get("Privilege");

    public string? Channel => Get("Channel");

    public string? Uniqueid => Get("Uniqueid");

    /// <summary>Groups both Local halves of one call: the <c>;2</c> half's Linkedid is the <c>;1</c> half's Uniqueid.</summary>
    public string? Linkedid => Get("Linkedid");

    public string? DestChannel => Get("DestChannel");

    public string? DestUniqueid => Get("DestUniqueid");

    public string? DestLinkedid => Get("DestLinkedid");

    public int? ChannelState => GetInt32("ChannelState");

    public string? ChannelStateDesc => Get("ChannelStateDesc");

    public string? Context => Get("Context");

    public string? Exten => Get("Exten");

    /// <summary>Hangup / HangupRequest: a Q.850 cause. SoftHangupRequest's Cause is an internal flag, not Q.850.</summary>
    public int? Cause => GetInt32("Cause");

    public string? CauseText => Get("Cause-txt");

    /// <summary>OriginateResponse: an AST_CONTROL_* code (4 answered, 5 busy, 8 congestion, 3 no answer, 0 failed).</summary>
    public int? Reason => GetInt32("Reason");

    /// <summary>DialEnd: ANSWER, BUSY, CONGESTION, NOANSWER, ...</summary>
    public string? DialStatus => Get("DialStatus");

    /// <summary>VarSet: the variable's name; Getvar's response also uses <c>Variable</c>.</summary>
    public string? Variable => Get("Variable");

    /// <summary>VarSet / Getvar: the variable's value.</summary>
    public string? Value => Get("Value");

    /// <summary>FullyBooted: seconds since Asterisk started; a small value after a reconnect means it restarted.</summary>
    public long? Uptime => GetInt64("Uptime");

    /// <summary>Shutdown: <c>Cleanly</c> or <c>Uncleanly</c>.</summary>
    public string? ShutdownKind => Get("Shutdown");

    /// <summary>Shutdown: true for a restart, false for a stop.</summary>
    public bool? Restart => GetBoolean("Restart");

    /// <summary>The list-complete event's item count.</summary>
    public int? ListItems => GetInt32("ListItems");

    /// <summary>Challenge's response: the challenge to hash with the secret.</summary>
    public string? Challenge => Get("Challenge");

    /// <summary>Command's output, one entry per <c>Output:</c> line.</summary>
    public IReadOnlyList<string> Output => GetAll("Output");

    public bool IsEventNamed(string name) => string.Equals(EventName, name, StringComparison.OrdinalIgnoreCase);
}
