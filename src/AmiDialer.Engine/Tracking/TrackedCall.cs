namespace AmiDialer.Engine.Tracking;

/// <summary>What the dialer tells the tracker about an attempt before its Originate is sent.</summary>
public sealed record TrackedCallStart(
    long AttemptId,
    string ActionId,
    string ChannelId,
    DateTimeOffset SentAt,
    TimeSpan RingTimeout)
{
    /// <summary>Campaign (the originated channel is the callee) or click-to-call (the customer is dialed by the dialplan).</summary>
    public AmiDialer.Core.Outcomes.CallKind Kind { get; init; } = AmiDialer.Core.Outcomes.CallKind.Campaign;

    /// <summary>The answer already committed for the attempt (its stored <c>answered_at</c>) when it is taken over.</summary>
    public DateTimeOffset? AnsweredAt { get; init; }

    /// <summary>
    /// An open attempt taken over from the store (start-up, another process's lease): <see cref="SentAt"/> is its claim's
    /// time, and an answer it already had counts. A ring timeout of a minute: its Originate's answer may never come.
    /// </summary>
    public static TrackedCallStart Adopting(AmiDialer.Core.Model.Attempt attempt, AmiDialer.Core.Outcomes.CallKind kind)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return new(attempt.Id, attempt.ActionId, attempt.ChannelId, attempt.CreatedAt, TimeSpan.FromMinutes(1))
        {
            Kind = kind,
            AnsweredAt = attempt.AnsweredAt,
        };
    }
}

/// <summary>The tracker's running state for one attempt. Only the tracker mutates it, under its lock.</summary>
internal sealed class TrackedCall(TrackedCallStart start)
{
    public TrackedCallStart Start { get; } = start;
    public string? ClientActionId { get; set; }
    public string? OriginateResult { get; set; }
    public string? Reason { get; set; }
    private readonly Dictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);

    /// <summary>The call's channels by Uniqueid; add with <see cref="AddChannel"/>, end with <see cref="HangUp"/>.</summary>
    public IReadOnlyDictionary<string, ChannelState> Channels => _channels;
    public List<DialEndFacts> DialEnds { get; } = [];
    public DateTimeOffset? AnsweredAt { get; set; } = start.AnsweredAt;

    /// <summary>When a Dial() run by the dialplan was answered: the customer of a click-to-call (j0), not the agent.</summary>
    public DateTimeOffset? DialAnsweredAt { get; set; } = start.AnsweredAt;
    public DateTimeOffset LastActivityAt { get; set; } = start.SentAt;
    public bool ShutdownSeen { get; set; }

    /// <summary>An answer was seen (or was already stored) and handed on to be committed.</summary>
    public bool AnswerSeen { get; set; } = start.AnsweredAt is not null;

    /// <summary>A Shutdown event came while the call was live: Asterisk cut it.</summary>
    public bool CutByShutdown { get; set; }
    public bool Disturbed { get; set; }
    public bool HangupRequested { get; set; }

    /// <summary>Adopted after a restart of our process or a reconnect: its OriginateResponse may never come.</summary>
    public bool Adopted { get; set; }

    // Channels seen and not hung up, kept as they change: every poll asks every live call, and a count answers
    // without walking its channels.
    private int _openChannels;

    public bool AllChannelsDown => _openChannels == 0;

    public void AddChannel(ChannelState channel)
    {
        _channels.Add(channel.Uniqueid, channel);
        if (channel.HungUpAt is null)
        {
            _openChannels++;
        }
    }

    /// <summary>Marks the channel hung up; a second Hangup for it moves only its time.</summary>
    public void HangUp(ChannelState channel, DateTimeOffset at)
    {
        if (channel.HungUpAt is null)
        {
            _openChannels--;
        }

        channel.HungUpAt = at;
    }

    public sealed class ChannelState(string uniqueid)
    {
        public string Uniqueid { get; } = uniqueid;
        public string? Name { get; set; }
        public int? Cause { get; set; }
        public string? CauseText { get; set; }
        /// <summary>Set through <see cref="HangUp"/>, which keeps the call's count of open channels.</summary>
        public DateTimeOffset? HungUpAt { get; set; }
        public int Order { get; set; }
    }

    public CallFacts ToFacts(Finality finality, string? error = null) => new()
    {
        AttemptId = Start.AttemptId,
        ActionId = Start.ActionId,
        ChannelId = Start.ChannelId,
        Finality = finality,
        OriginateResult = OriginateResult,
        Reason = Reason,
        ErrorMessage = error,
        Channels = Channels.Values
            .OrderBy(c => c.HungUpAt ?? DateTimeOffset.MaxValue).ThenBy(c => c.Order)
            .Select(c => new ChannelFacts(c.Uniqueid, c.Name, c.Cause, c.CauseText, c.HungUpAt))
            .ToList(),
        DialEnds = DialEnds.ToList(),
        AnsweredAt = AnsweredAt,
        DialAnsweredAt = DialAnsweredAt,
        EndedAt = Channels.Values.Max(c => c.HungUpAt),
        ShutdownSeen = ShutdownSeen,
        Disturbed = Disturbed,
        Start = Start,
        Adopted = Adopted,
        AnswerSeen = AnswerSeen,
        Interrupted = CutByShutdown,
    };
}
