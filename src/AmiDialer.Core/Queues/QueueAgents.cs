namespace AmiDialer.Core.Queues;

/// <summary>
/// One queue's agents as the AMI reports them (tests/captures/QUEUES.md), fed in arrival order: a QueueStatus list
/// (<see cref="Reset"/>) at start, after every login and every 30 s, and the member and agent events between. Pure: every
/// call says when it happened; no clock, no I/O. Not thread-safe (one follower feeds it).
/// </summary>
/// <remarks>
/// Talking comes from AgentConnect/AgentComplete, not from QueueMemberStatus InCall, which is racy (set at connect with
/// no event of its own). A ringing Local member reports <c>Status 2 InCall 0</c>, the same as a member whose device is
/// in use for anything else: AgentCalled says which it is. No event marks wrap-up, so a member is free only once the
/// wrap-up time (its own override, else the queue's) has passed since its LastCall.
/// </remarks>
/// <param name="wrapUp">The queue's <c>wrapuptime</c> (queues.conf); members' nonzero <c>Wrapuptime</c> overrides it.</param>
public sealed class QueueAgents(string queue, TimeSpan wrapUp = default)
{
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);

    public string Queue { get; } = queue;

    public TimeSpan WrapUp { get; set; } = wrapUp;

    /// <summary>Whether a QueueStatus list has been read since this was made: until then nothing is known.</summary>
    public bool Known { get; private set; }

    /// <summary>
    /// A QueueStatus list replaces what is known: its members (whoever is not in it has left), their facts, and the
    /// callers waiting (its QueueEntry items). What events said stays only where the list cannot tell it: a member
    /// the list shows with a free device is neither ringing nor talking (its AgentComplete was missed); any other keeps
    /// the call its events gave it.
    /// </summary>
    public void Reset(IEnumerable<QueueMemberReport> members, IEnumerable<string> waitingCallers)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(waitingCallers);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var report in members)
        {
            seen.Add(report.Interface);
            var member = Upsert(report);
            if (report.Status == QueueMemberReport.DeviceNotInUse && !report.InCall)
            {
                member.RingingFor = null;
                member.TalkingWith = null;
            }
        }

        foreach (var gone in _members.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _members.Remove(gone);
        }

        _waiting.Clear();
        _waiting.UnionWith(waitingCallers);
        Known = true;
    }

    /// <summary>QueueMemberStatus, QueueMemberPause or QueueMemberAdded: the member's facts as they are now.</summary>
    public void MemberChanged(QueueMemberReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var member = Upsert(report);
        if (report.Status == QueueMemberReport.DeviceNotInUse)
        {
            // The device is idle again: whatever ring or talk we thought it was in is over (the agent leg hung up).
            member.RingingFor = null;
            if (!report.InCall)
            {
                member.TalkingWith = null;
            }
        }
    }

    /// <summary>QueueMemberRemoved.</summary>
    public void MemberRemoved(string memberInterface) => _members.Remove(memberInterface);

    /// <summary>QueueCallerJoin: a caller (the originated <c>;1</c> Uniqueid) waits for an agent.</summary>
    public void CallerJoined(string caller) => _waiting.Add(caller);

    /// <summary>QueueCallerLeave or QueueCallerAbandon: the caller left the queue (to an agent, or hung up).</summary>
    public void CallerLeft(string caller)
    {
        _waiting.Remove(caller);
        foreach (var member in _members.Values)
        {
            // q5: a caller who hangs up while an agent rings gives no AgentRingNoAnswer, only the caller's leaving.
            if (member.RingingFor == caller)
            {
                member.RingingFor = null;
            }
        }
    }

    /// <summary>AgentCalled: the member is rung for <paramref name="caller"/>.</summary>
    public void AgentCalled(string memberInterface, string caller)
    {
        if (_members.TryGetValue(memberInterface, out var member))
        {
            member.RingingFor = caller;
        }
    }

    /// <summary>AgentRingNoAnswer: the member let it ring out (the queue rings again, maybe someone else).</summary>
    public void AgentRingNoAnswer(string memberInterface)
    {
        if (_members.TryGetValue(memberInterface, out var member))
        {
            member.RingingFor = null;
        }
    }

    /// <summary>AgentConnect: the member talks with <paramref name="caller"/>.</summary>
    public void AgentConnected(string memberInterface, string caller)
    {
        _waiting.Remove(caller);
        if (_members.TryGetValue(memberInterface, out var member))
        {
            member.RingingFor = null;
            member.TalkingWith = caller;
        }
    }

    /// <summary>AgentComplete at <paramref name="at"/>: the call ended; the member's wrap-up starts now.</summary>
    public void AgentCompleted(string memberInterface, DateTimeOffset at)
    {
        if (_members.TryGetValue(memberInterface, out var member))
        {
            member.TalkingWith = null;
            member.RingingFor = null;
            member.CompletedAt = at;
            // The device state it last reported (in use, from the ring) is stale now; its QueueMemberStatus follows.
            member.Report = member.Report with { Status = QueueMemberReport.DeviceNotInUse, InCall = false };
        }
    }

    /// <summary>What the member is doing at <paramref name="now"/>; null for a member not in the queue.</summary>
    public QueueAgentState? StateOf(string memberInterface, DateTimeOffset now) =>
        _members.TryGetValue(memberInterface, out var member) ? StateOf(member, now) : null;

    /// <summary>The caller the member talks with (the originated <c>;1</c> Uniqueid), if any.</summary>
    public string? TalkingWith(string memberInterface) => _members.TryGetValue(memberInterface, out var member) ? member.TalkingWith : null;

    /// <summary>Every member with its state at <paramref name="now"/>, by interface.</summary>
    public IReadOnlyList<(QueueMemberReport Member, QueueAgentState State, string? Caller)> Members(DateTimeOffset now) =>
        [.. _members.Values.OrderBy(m => m.Report.Interface, StringComparer.Ordinal).Select(m => (m.Report, StateOf(m, now), m.TalkingWith ?? m.RingingFor))];

    public QueueAgentCounts Counts(DateTimeOffset now)
    {
        int paused = 0, talking = 0, ringing = 0, wrapping = 0, free = 0;
        foreach (var member in _members.Values)
        {
            if (member.Report.Paused)
            {
                paused++;
            }

            switch (StateOf(member, now))
            {
                case QueueAgentState.Talking:
                    talking++;
                    break;
                case QueueAgentState.Ringing:
                    ringing++;
                    break;
                case QueueAgentState.WrappingUp:
                    wrapping++;
                    break;
                case QueueAgentState.Free:
                    free++;
                    break;
            }
        }

        return new(_members.Count, paused, talking, ringing, wrapping, free, _waiting.Count);
    }

    private QueueAgentState StateOf(Member member, DateTimeOffset now)
    {
        var report = member.Report;
        if (member.TalkingWith is not null || (report.InCall && report.Status != QueueMemberReport.DeviceNotInUse))
        {
            return QueueAgentState.Talking;
        }

        if (member.RingingFor is not null)
        {
            return QueueAgentState.Ringing;
        }

        if (report.Paused)
        {
            return QueueAgentState.Paused;
        }

        if (report.Status is not (QueueMemberReport.DeviceNotInUse or QueueMemberReport.DeviceUnknown))
        {
            return QueueAgentState.Unavailable;
        }

        var lastCall = Max(report.LastCall, member.CompletedAt);
        var wrapUp = report.WrapUp ?? WrapUp;
        return lastCall is { } last && now < last + wrapUp ? QueueAgentState.WrappingUp : QueueAgentState.Free;
    }

    private Member Upsert(QueueMemberReport report)
    {
        if (_members.TryGetValue(report.Interface, out var member))
        {
            member.Report = report;
        }
        else
        {
            _members[report.Interface] = member = new Member(report);
        }

        return member;
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;

    private sealed class Member(QueueMemberReport report)
    {
        public QueueMemberReport Report { get; set; } = report;

        public string? RingingFor { get; set; }

        public string? TalkingWith { get; set; }

        // AgentComplete's arrival: LastCall is whole seconds and comes a moment later with QueueMemberStatus.
        public DateTimeOffset? CompletedAt { get; set; }
    }
}
