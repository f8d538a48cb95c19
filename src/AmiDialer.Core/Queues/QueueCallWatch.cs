namespace AmiDialer.Core.Queues;

/// <summary>
/// One answered call on its way to an agent: measures the wait from the answer event to AgentConnect (not AgentConnect's
/// HoldTime, which is whole seconds from the queue join) and decides its <see cref="QueueCallFate"/> as soon as it is
/// known: at AgentConnect, when the caller leaves without one, or once <see cref="ConnectWithin"/> has passed without
/// one (<see cref="Check"/>). A later AgentConnect still records the agent and the wait; the fate stays
/// <see cref="QueueCallFate.Late"/>. Pure: every call says when it happened.
/// </summary>
public sealed class QueueCallWatch(DateTimeOffset answeredAt)
{
    /// <summary>The regulators' rule: an answered call not connected to an agent within this counts as abandoned.</summary>
    public static readonly TimeSpan ConnectWithin = TimeSpan.FromSeconds(2);

    public DateTimeOffset AnsweredAt { get; } = answeredAt;

    /// <summary>The agent who took the call (MemberName, else Interface); null while none has.</summary>
    public string? Agent { get; private set; }

    /// <summary>From the answer to AgentConnect; null while no agent took the call.</summary>
    public TimeSpan? Wait { get; private set; }

    /// <summary>Null until decided; never changes once set.</summary>
    public QueueCallFate? Fate { get; private set; }

    /// <summary>AgentConnect for this call at <paramref name="at"/>. Returns true when this decided the fate.</summary>
    public bool AgentConnected(string agent, DateTimeOffset at)
    {
        if (Agent is not null)
        {
            return false;
        }

        Agent = agent;
        // An AgentConnect read before the answer (events of one call can cross) is a zero wait, not a negative one.
        Wait = at > AnsweredAt ? at - AnsweredAt : TimeSpan.Zero;
        return Decide(Wait <= ConnectWithin ? QueueCallFate.Connected : QueueCallFate.Late);
    }

    /// <summary>QueueCallerAbandon, or the call ended, with no agent yet. Returns true when this decided the fate.</summary>
    public bool CallerLeft()
    {
        if (Agent is not null)
        {
            return false;
        }

        return Decide(QueueCallFate.CallerLeft);
    }

    /// <summary>The dialer lost sight of the call (down, the link lost) before its fate was known.</summary>
    public bool Lost() => Decide(QueueCallFate.Unknown);

    /// <summary>At <paramref name="now"/>: past the 2 s with no agent, the call is abandoned whatever comes next.</summary>
    public bool Check(DateTimeOffset now) => Agent is null && now - AnsweredAt > ConnectWithin && Decide(QueueCallFate.Late);

    private bool Decide(QueueCallFate fate)
    {
        if (Fate is not null)
        {
            return false;
        }

        Fate = fate;
        return true;
    }
}
