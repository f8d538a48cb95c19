namespace AmiDialer.Core.Queues;

/// <summary>
/// What became of an answered call on a queue campaign, as the regulators measure it (issue #26): connected to an
/// agent within <see cref="QueueCallWatch.ConnectWithin"/> of the answer, or abandoned for one of three reasons.
/// Stored as <c>attempts.queue_fate</c> (<see cref="QueueCallFates.ToWireName"/>); the outcome stays answered.
/// </summary>
public enum QueueCallFate
{
    /// <summary>AgentConnect within 2 s of the answer.</summary>
    Connected,

    /// <summary>No AgentConnect within 2 s of the answer (an agent may have taken it later): abandoned.</summary>
    Late,

    /// <summary>The callee hung up (QueueCallerAbandon, or the call ended) before any agent took it: abandoned.</summary>
    CallerLeft,

    /// <summary>The dialer was not there to see it (down, or the link was lost across the 2 s): counts as abandoned.</summary>
    Unknown,
}

public static class QueueCallFates
{
    public static bool IsAbandoned(this QueueCallFate fate) => fate != QueueCallFate.Connected;

    public static string ToWireName(this QueueCallFate fate) => fate switch
    {
        QueueCallFate.Connected => "connected",
        QueueCallFate.Late => "late",
        QueueCallFate.CallerLeft => "caller-left",
        _ => "unknown",
    };

    public static QueueCallFate? FromWireName(string? name) => name switch
    {
        "connected" => QueueCallFate.Connected,
        "late" => QueueCallFate.Late,
        "caller-left" => QueueCallFate.CallerLeft,
        "unknown" => QueueCallFate.Unknown,
        _ => null,
    };
}
