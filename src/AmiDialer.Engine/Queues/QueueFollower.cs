using AmiDialer.Ami;
using AmiDialer.Core.Queues;

namespace AmiDialer.Engine.Queues;

/// <summary>
/// The queues one Asterisk's campaigns follow: each queue's agents (<see cref="QueueAgents"/>) from the QueueStatus list
/// (<see cref="ApplyStatus"/>: at start, after every login, every 30 s) and the events between, and every answered call
/// of ours that joins a followed queue, watched until its fate is known (<see cref="QueueCallWatch"/>). Calls are tied
/// to their attempts by the originated <c>;1</c> Uniqueid (the channel id the engine gave the Originate), which the
/// queue events carry as <c>Uniqueid</c>. Fed by the server's event loop; thread-safe (the pacer reads the counts).
/// </summary>
internal sealed class QueueFollower(TimeSpan wrapUp, IReadOnlyDictionary<string, TimeSpan>? wrapUps = null)
{
    // How long an answer time is kept for a call that has not joined a queue (most calls never do).
    private static readonly TimeSpan AnswerMemory = TimeSpan.FromMinutes(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, QueueAgents> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueueWrapUp> _wrapUps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _answers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Queue, QueueCallWatch Watch)> _calls = new(StringComparer.Ordinal);
    // Calls whose watch is over (an agent took them, or their caller left), kept a while for the call's ending to ask.
    private readonly Dictionary<string, (QueueCallWatch Watch, DateTimeOffset At)> _settled = new(StringComparer.Ordinal);

    /// <summary>Starts following <paramref name="queue"/>; true when it was not followed yet (its QueueStatus is due).</summary>
    public bool Follow(string queue)
    {
        lock (_gate)
        {
            if (_queues.ContainsKey(queue))
            {
                return false;
            }

            var known = OptionFor(queue);
            _wrapUps[queue] = known;
            _queues[queue] = new QueueAgents(queue, known.Time);
            return true;
        }
    }

    /// <summary>The queue's wrap-up as known now, and where from.</summary>
    public QueueWrapUp WrapUpOf(string queue)
    {
        lock (_gate)
        {
            return _wrapUps.TryGetValue(queue, out var known) ? known : OptionFor(queue);
        }
    }

    /// <summary>
    /// What queues.conf says (read with GetConfig); null when it could not be read (the login may not, or the file or
    /// the queue's category is not there): the operator's option, else the default, stands.
    /// </summary>
    public void SetWrapUpFromConfig(string queue, TimeSpan? fromConfig)
    {
        lock (_gate)
        {
            if (!_queues.TryGetValue(queue, out var agents))
            {
                return;
            }

            var known = fromConfig is { } time ? new QueueWrapUp(time, QueueWrapUpSource.QueuesConf) : OptionFor(queue);
            _wrapUps[queue] = known;
            agents.WrapUp = known.Time;
        }
    }

    private QueueWrapUp OptionFor(string queue) =>
        wrapUps is not null && wrapUps.TryGetValue(queue, out var configured) ? new QueueWrapUp(configured, QueueWrapUpSource.Option)
        : wrapUp > TimeSpan.Zero ? new QueueWrapUp(wrapUp, QueueWrapUpSource.Option)
        : QueueWrapUp.Unknown;

    public IReadOnlyList<string> Queues
    {
        get
        {
            lock (_gate)
            {
                return [.. _queues.Keys];
            }
        }
    }

    /// <summary>The queue's agents now; null when it is not followed or no QueueStatus list has been read yet.</summary>
    public QueueAgentCounts? Counts(string queue, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _queues.TryGetValue(queue, out var agents) && agents.Known ? agents.Counts(now) : null;
        }
    }

    /// <summary>The queue's members with their states now (for the agents view); empty when not known.</summary>
    public IReadOnlyList<(QueueMemberReport Member, QueueAgentState State, string? Caller)> Members(string queue, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _queues.TryGetValue(queue, out var agents) && agents.Known ? agents.Members(now) : [];
        }
    }

    /// <summary>A QueueStatus list's items (QueueParams, QueueMember, QueueEntry) for the queues it names.</summary>
    public void ApplyStatus(IReadOnlyList<AmiMessage> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        lock (_gate)
        {
            foreach (var group in items.GroupBy(m => m.Get("Queue") ?? "", StringComparer.Ordinal))
            {
                if (!_queues.TryGetValue(group.Key, out var agents))
                {
                    continue;
                }

                var members = group.Where(m => m.IsEventNamed(AmiEventNames.QueueMember)).Select(QueueMessages.Member).OfType<QueueMemberReport>();
                var waiting = group.Where(m => m.IsEventNamed(AmiEventNames.QueueEntry)).Select(m => m.Uniqueid).OfType<string>();
                agents.Reset(members, waiting);
            }
        }
    }

    /// <summary>One event, at <paramref name="now"/>; returns what it decided about our calls (usually nothing).</summary>
    public IReadOnlyList<QueueCallNews> Observe(AmiMessage message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        var name = message.EventName;
        lock (_gate)
        {
            // The answer event: the Originate's own DialEnd ANSWER (its DestUniqueid is the ;1 half), else its
            // OriginateResponse Success, else (at the latest) the queue join; whichever is read first. Order varies.
            if (message.IsEventNamed(AmiEventNames.DialEnd) && message.DialStatus == "ANSWER" && message.DestUniqueid is { } dest && message.Uniqueid is null)
            {
                _answers.TryAdd(dest, now);
                return [];
            }

            if (message.IsEventNamed(AmiEventNames.OriginateResponse) && message.Reason == 4 && message.Uniqueid is { } answered)
            {
                _answers.TryAdd(answered, now);
                return [];
            }

            var queue = message.Get("Queue");
            if (queue is null || !_queues.TryGetValue(queue, out var agents))
            {
                return [];
            }

            var caller = message.Uniqueid;
            var member = message.Get("Interface");
            switch (name)
            {
                case AmiEventNames.QueueMemberStatus or AmiEventNames.QueueMemberPause or AmiEventNames.QueueMemberAdded:
                    if (QueueMessages.Member(message) is { } report)
                    {
                        agents.MemberChanged(report);
                    }

                    return [];
                case AmiEventNames.QueueMemberRemoved when member is not null:
                    agents.MemberRemoved(member);
                    return [];
                case AmiEventNames.QueueCallerJoin when caller is not null:
                    agents.CallerJoined(caller);
                    if (!_calls.ContainsKey(caller))
                    {
                        var answeredAt = _answers.Remove(caller, out var at) ? at : now;
                        _calls[caller] = (queue, new QueueCallWatch(answeredAt));
                    }

                    return [];
                case AmiEventNames.QueueCallerLeave when caller is not null:
                    agents.CallerLeft(caller);
                    return [];
                case AmiEventNames.QueueCallerAbandon when caller is not null:
                    agents.CallerLeft(caller);
                    return Decided(caller, w => w.CallerLeft(), remove: true);
                case AmiEventNames.AgentCalled when caller is not null && member is not null:
                    agents.AgentCalled(member, caller);
                    return [];
                case AmiEventNames.AgentRingNoAnswer when member is not null:
                    agents.AgentRingNoAnswer(member);
                    return [];
                case AmiEventNames.AgentConnect when caller is not null && member is not null:
                    agents.AgentConnected(member, caller);
                    var agent = QueueMessages.AgentName(message);
                    return Decided(caller, w => w.AgentConnected(agent, now), remove: true, alsoWhenLate: true);
                case AmiEventNames.AgentComplete when member is not null:
                    agents.AgentCompleted(member, now);
                    return [];
                default:
                    return [];
            }
        }
    }

    /// <summary>The 2 s rule at <paramref name="now"/>: answered calls still without an agent are abandoned (late).</summary>
    public IReadOnlyList<QueueCallNews> Check(DateTimeOffset now)
    {
        lock (_gate)
        {
            foreach (var old in _answers.Where(a => now - a.Value > AnswerMemory).Select(a => a.Key).ToList())
            {
                _answers.Remove(old);
            }

            List<QueueCallNews>? news = null;
            foreach (var (caller, (queue, watch)) in _calls)
            {
                if (watch.Check(now))
                {
                    (news ??= []).Add(News(caller, queue, watch));
                }
            }

            // A late call is kept until its agent comes or its caller leaves; one forgotten after that long is dropped.
            foreach (var stale in _calls.Where(c => now - c.Value.Watch.AnsweredAt > AnswerMemory).Select(c => c.Key).ToList())
            {
                _calls.Remove(stale);
            }

            foreach (var old in _settled.Where(c => now - c.Value.At > AnswerMemory).Select(c => c.Key).ToList())
            {
                _settled.Remove(old);
            }

            return (IReadOnlyList<QueueCallNews>?)news ?? [];
        }
    }

    /// <summary>
    /// The link is gone: what becomes of the calls waiting for an agent cannot be seen, so each undecided one counts as
    /// abandoned (unknown), as the rule wants for a dialer that was not there.
    /// </summary>
    public IReadOnlyList<QueueCallNews> LinkLost()
    {
        lock (_gate)
        {
            var news = new List<QueueCallNews>();
            foreach (var (caller, (queue, watch)) in _calls)
            {
                if (watch.Lost())
                {
                    news.Add(News(caller, queue, watch));
                }
            }

            _calls.Clear();
            _answers.Clear();
            _settled.Clear();
            return news;
        }
    }

    /// <summary>
    /// Whether an answered call of ours, now ending, went without an agent in a followed queue: its fate (late, or the
    /// caller left; one still undecided is ending with no agent, so its caller left) when no agent ever took it; null
    /// when an agent took it (even late: that callee talked to someone) or it never joined a followed queue. Events are
    /// read in order, so by the call's hangup any AgentConnect of it has been seen.
    /// </summary>
    public QueueCallFate? WentWithoutAgent(string caller)
    {
        lock (_gate)
        {
            var watch = _calls.TryGetValue(caller, out var call) ? call.Watch : _settled.TryGetValue(caller, out var done) ? done.Watch : null;
            return watch is null || watch.Agent is not null ? null : watch.Fate ?? QueueCallFate.CallerLeft;
        }
    }

    private List<QueueCallNews> Decided(string caller, Func<QueueCallWatch, bool> step, bool remove, bool alsoWhenLate = false)
    {
        if (!_calls.TryGetValue(caller, out var call))
        {
            return [];
        }

        var agentBefore = call.Watch.Agent;
        var decided = step(call.Watch);
        if (remove)
        {
            _calls.Remove(caller);
            _settled[caller] = (call.Watch, call.Watch.AnsweredAt);
        }

        return decided || (alsoWhenLate && agentBefore is null && call.Watch.Agent is not null)
            ? [News(caller, call.Queue, call.Watch)]
            : [];
    }

    private static QueueCallNews News(string caller, string queue, QueueCallWatch watch) =>
        new(caller, queue, watch.AnsweredAt, watch.Fate ?? QueueCallFate.Unknown, watch.Agent, watch.Wait);
}
