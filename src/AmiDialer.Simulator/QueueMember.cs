using System.Globalization;
using System.Text;

namespace AmiDialer.Simulator;

/// <summary>One member of a simulated queue: what app_queue reports about it, and which call it is ringing or talking to.</summary>
internal sealed class QueueMember
{
    public required string Interface { get; init; }

    public required string Name { get; init; }

    public bool Dynamic { get; init; }

    /// <summary>False: its phone rings and nobody picks up (q5's 299).</summary>
    public bool Answers { get; init; } = true;

    public int Penalty { get; init; }

    public int CallsTaken { get; set; }

    /// <summary>Epoch seconds of the end of its last call (0: none), as app_queue reports it.</summary>
    public long LastCall { get; set; }

    /// <summary>When its last call ended on the simulator's clock: the queue's wrap-up runs from here.</summary>
    public DateTimeOffset LastCallAt { get; set; } = DateTimeOffset.MinValue;

    public long LastPause { get; set; }

    public long LoginTime { get; init; }

    public bool Paused { get; set; }

    public string PausedReason { get; set; } = "";

    /// <summary>The call whose agent leg is ringing this member, or null.</summary>
    public SimulatedCall? Ringing { get; set; }

    /// <summary>The call this member is talking to, or null.</summary>
    public SimulatedCall? Talking { get; set; }

    /// <summary>Device state: a Local member reports only NOT_INUSE (1) and INUSE (2), ringing included (QUEUES.md).</summary>
    public int Status => Ringing is null && Talking is null ? 1 : 2;

    public bool InCall => Talking is not null;

    /// <summary>Can take a call as Queue:&lt;q&gt;_avail counts it: not paused, not ringing, not talking.</summary>
    public bool Available => !Paused && Status == 1;

    /// <summary>The member's extension (201 of Local/201@agentphone), what its agent pair's Exten reads.</summary>
    public string Extension
    {
        get
        {
            var slash = Interface.IndexOf('/', StringComparison.Ordinal);
            var at = Interface.IndexOf('@', StringComparison.Ordinal);
            return slash >= 0 && at > slash ? Interface[(slash + 1)..at] : Interface[(slash + 1)..];
        }
    }

    /// <summary>The header set every QueueMember* event shares (QUEUES.md), in Asterisk's order.</summary>
    public void AppendEvent(StringBuilder sb, string eventName, string queue)
    {
        sb.Append("Event: ").Append(eventName).Append("\r\nPrivilege: agent,all\r\n");
        sb.Append("Queue: ").Append(queue).Append("\r\nMemberName: ").Append(Name).Append("\r\nInterface: ").Append(Interface).Append("\r\n");
        AppendState(sb, withRinginuse: true);
        sb.Append("\r\n");
    }

    /// <summary>QueueStatus's list item: Name/Location instead of MemberName/Interface, no Ringinuse, the ActionID last.</summary>
    public void AppendListItem(StringBuilder sb, string queue, string? actionId)
    {
        sb.Append("Event: QueueMember\r\nQueue: ").Append(queue).Append("\r\nName: ").Append(Name).Append("\r\nLocation: ").Append(Interface).Append("\r\n");
        AppendState(sb, withRinginuse: false);
        if (actionId is not null)
        {
            sb.Append("ActionID: ").Append(actionId).Append("\r\n");
        }

        sb.Append("\r\n");
    }

    private void AppendState(StringBuilder sb, bool withRinginuse)
    {
        var c = CultureInfo.InvariantCulture;
        sb.Append("StateInterface: ").Append(Interface).Append("\r\n");
        sb.Append("Membership: ").Append(Dynamic ? "dynamic" : "static").Append("\r\n");
        sb.Append("Penalty: ").Append(Penalty.ToString(c)).Append("\r\n");
        sb.Append("CallsTaken: ").Append(CallsTaken.ToString(c)).Append("\r\n");
        sb.Append("LastCall: ").Append(LastCall.ToString(c)).Append("\r\n");
        sb.Append("LastPause: ").Append(LastPause.ToString(c)).Append("\r\n");
        sb.Append("LoginTime: ").Append(LoginTime.ToString(c)).Append("\r\n");
        sb.Append("InCall: ").Append(InCall ? "1" : "0").Append("\r\n");
        sb.Append("Status: ").Append(Status.ToString(c)).Append("\r\n");
        sb.Append("Paused: ").Append(Paused ? "1" : "0").Append("\r\n");
        sb.Append("PausedReason: ").Append(PausedReason).Append("\r\n");
        if (withRinginuse)
        {
            sb.Append("Ringinuse: 0\r\n");
        }

        // 0: the queue's own wrapuptime applies (no member override).
        sb.Append("Wrapuptime: 0\r\n");
    }
}
