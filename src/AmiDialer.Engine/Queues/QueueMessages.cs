using AmiDialer.Ami;
using AmiDialer.Core.Queues;

namespace AmiDialer.Engine.Queues;

/// <summary>Reads app_queue's AMI messages into Core's terms (tests/captures/QUEUES.md has each header's meaning).</summary>
public static class QueueMessages
{
    /// <summary>The queue events a follower reads; with the call events the tracker reads, what the server's reader keeps.</summary>
    public static IReadOnlyList<string> EventNames { get; } =
    [
        AmiEventNames.QueueMemberStatus, AmiEventNames.QueueMemberPause, AmiEventNames.QueueMemberAdded,
        AmiEventNames.QueueMemberRemoved, AmiEventNames.QueueCallerJoin, AmiEventNames.QueueCallerLeave,
        AmiEventNames.QueueCallerAbandon, AmiEventNames.AgentCalled, AmiEventNames.AgentRingNoAnswer,
        AmiEventNames.AgentConnect, AmiEventNames.AgentComplete,
    ];

    /// <summary>
    /// A member event (MemberName/Interface) or a QueueStatus list's QueueMember (Name/Location); null without an
    /// interface. LastCall and Wrapuptime of 0 mean none and the queue's value.
    /// </summary>
    public static QueueMemberReport? Member(AmiMessage message)
    {
        var location = message.Get("Interface") ?? message.Get("Location");
        if (string.IsNullOrEmpty(location))
        {
            return null;
        }

        var lastCall = message.GetInt64("LastCall") is > 0 and var epoch ? DateTimeOffset.FromUnixTimeSeconds(epoch) : (DateTimeOffset?)null;
        var wrapUp = message.GetInt32("Wrapuptime") is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        return new QueueMemberReport(
            location,
            message.Get("MemberName") ?? message.Get("Name"),
            message.GetInt32("Status") ?? QueueMemberReport.DeviceUnknown,
            Flag(message.Get("Paused")),
            NullIfEmpty(message.Get("PausedReason")),
            Flag(message.Get("InCall")),
            lastCall,
            wrapUp);
    }

    /// <summary>The agent's name for the attempt: MemberName, else its Interface.</summary>
    public static string AgentName(AmiMessage message) =>
        NullIfEmpty(message.Get("MemberName")) ?? message.Get("Interface") ?? "";

    private static bool Flag(string? value) =>
        value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
