using System.Globalization;
using AmiDialer.Data.TestHooks;

namespace AmiDialer.Engine.Tracking;

/// <summary>A channel listed by CoreShowChannels.</summary>
public sealed record LiveChannel(string Name, string Uniqueid, string? Linkedid, string? ChannelState);

/// <summary>A channel the tracker wants hung up: its call got no OriginateResponse in time.</summary>
public sealed record HangupRequest(long AttemptId, string Channel);

/// <summary>What one <see cref="CallTracker.Poll"/> found: calls now final, and channels to hang up.</summary>
public sealed record TrackerPoll(IReadOnlyList<CallFacts> Finished, IReadOnlyList<HangupRequest> HangUp);

/// <summary>
/// Ties the events of one AMI server to attempts and decides when each call is over.
/// <para>
/// Correlation: OriginateResponse by ActionID; every channel event by Linkedid (we set ChannelId, so the
/// call's Linkedid is our ChannelId), falling back to Uniqueid and DialEnd's Dest* fields. Events arrive in
/// any order (an OriginateResponse can precede its own Newchannel), so a call is final only once its
/// OriginateResponse is in, every channel seen has hung up, and nothing about it arrived for the settle time.
/// A failed OriginateResponse with no channel (unknown technology) is final after the settle time too,
/// because under load a failure can come before the channel events that tell unallocated from rejected.
/// </para>
/// <para>Thread-safe: the event pump and the dialer call it from different tasks. Cheap under its lock.</para>
/// </summary>
public sealed class CallTracker(TimeSpan settleTime, TimeSpan originateGrace)
{
    /// <summary>
    /// How long after its claim a call may show no channel on CoreShowChannels before reconciliation believes it: an
    /// Originate Asterisk has received may not have made its channel yet. For every call, adopted ones too: with the
    /// ledger, a call found gone with no key is taken for never sent, so it must have had time to exist.
    /// </summary>
    public static readonly TimeSpan InFlightAllowance = TimeSpan.FromSeconds(5);

    /// <summary>How long a call must have been silent before a list without it is believed.</summary>
    private static readonly TimeSpan QuietBeforeLost = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TrackedCall> _byActionId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrackedCall> _byChannelId = new(StringComparer.Ordinal);
    private readonly Dictionary<long, TrackedCall> _byAttempt = [];
    private int _channelOrder;

    public TimeSpan SettleTime { get; } = settleTime;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byAttempt.Count;
            }
        }
    }

    /// <summary>Starts following an attempt; call it before the Originate is sent.</summary>
    public void Track(TrackedCallStart start, bool adopted = false)
    {
        lock (_gate)
        {
            var call = new TrackedCall(start) { Adopted = adopted };
            _byActionId[start.ActionId] = call;
            _byChannelId[start.ChannelId] = call;
            _byAttempt[start.AttemptId] = call;
        }
    }

    /// <summary>
    /// Ties the ActionID the AMI client gave the Originate to the attempt. Until it is known (the send has not
    /// returned yet), the OriginateResponse is still matched by its Uniqueid, which is our ChannelId.
    /// </summary>
    public void AliasActionId(long attemptId, string actionId)
    {
        lock (_gate)
        {
            if (_byAttempt.TryGetValue(attemptId, out var call))
            {
                call.ClientActionId = actionId;
                _byActionId[actionId] = call;
            }
        }
    }

    public bool IsTracking(long attemptId)
    {
        lock (_gate)
        {
            return _byAttempt.ContainsKey(attemptId);
        }
    }

    /// <summary>The attempt whose Originate was given <paramref name="channelId"/> (the <c>;1</c> Uniqueid queue events carry).</summary>
    public long? AttemptOfChannel(string channelId)
    {
        lock (_gate)
        {
            return _byChannelId.TryGetValue(channelId, out var call) ? call.Start.AttemptId : null;
        }
    }

    /// <summary>The name of the call's originated channel (for Redirect/Hangup), once an event has named it.</summary>
    public string? ChannelNameOf(long attemptId)
    {
        lock (_gate)
        {
            if (!_byAttempt.TryGetValue(attemptId, out var call))
            {
                return null;
            }

            return call.Channels.TryGetValue(call.Start.ChannelId, out var own) && own.HungUpAt is null ? own.Name : null;
        }
    }

    /// <summary>
    /// A click-to-call's customer leg while it is up: the channel that the originated (agent's) channel's own Dial
    /// reached with ANSWER (j0: A;1 → B;1; with the ledger, k5: the same A;1 dialing the Local pair that leads to the
    /// customer). A Redirect of this channel moves the customer; one of the originated channel would move the agent.
    /// Null while the customer has not answered, once that leg has hung up, or for a campaign call.
    /// </summary>
    public string? CustomerChannelOf(long attemptId)
    {
        lock (_gate)
        {
            if (!_byAttempt.TryGetValue(attemptId, out var call) || call.Start.Kind != AmiDialer.Core.Outcomes.CallKind.ClickToCall
                || !call.Channels.TryGetValue(call.Start.ChannelId, out var own) || own.Name is null)
            {
                return null;
            }

            var dial = call.DialEnds.LastOrDefault(d => d.DialStatus == "ANSWER" && string.Equals(d.Channel, own.Name, StringComparison.Ordinal));
            return dial?.DestChannel is { } customer && call.Channels.Values.Any(c => c.Name == customer && c.HungUpAt is null) ? customer : null;
        }
    }

    /// <summary>
    /// When the customer answered, if the call is tracked and was: for a click-to-call the customer's DialEnd ANSWER,
    /// not the agent's answer of the Originate (which comes first, often at once).
    /// </summary>
    public DateTimeOffset? CustomerAnsweredAtOf(long attemptId)
    {
        lock (_gate)
        {
            return !_byAttempt.TryGetValue(attemptId, out var call) ? null
                : call.Start.Kind == AmiDialer.Core.Outcomes.CallKind.ClickToCall ? call.DialAnsweredAt
                : call.AnsweredAt;
        }
    }

    /// <summary>
    /// Call-control hook (CallControl/): raised with the attempt and the originated channel's name when a successful
    /// OriginateResponse arrives. Runs on the event pump under the tracker's lock, so it must only hand the work on.
    /// </summary>
    public Action<long, string?>? OriginateAnswered { get; set; }

    /// <summary>
    /// Raised once per call with the attempt and the time when the callee's answer is first seen (campaign: OriginateResponse
    /// Success or a DialEnd ANSWER, or a channel listed Up when taken over; click-to-call: the customer's DialEnd ANSWER), so
    /// it is committed at once. Runs under the tracker's lock: it must only hand the work on.
    /// </summary>
    public Action<long, DateTimeOffset>? AnswerSeen { get; set; }

    /// <summary>Calls the last <see cref="Reconcile"/> found without a channel but left alone because they were claimed too recently.</summary>
    public int DeferredByLastReconcile { get; private set; }

    /// <summary>Applies one event; returns whether it belonged to a tracked call.</summary>
    public bool Observe(CallEvent e, DateTimeOffset now)
    {
        if (e.Kind == CallEventKind.Other)
        {
            return false;
        }

        lock (_gate)
        {
            var call = Find(e);
            if (call is null)
            {
                return false;
            }

            call.LastActivityAt = now;
            switch (e.Kind)
            {
                case CallEventKind.OriginateResponse:
                    call.OriginateResult = e.Response;
                    call.Reason = e.Reason;
                    if (IsSuccess(e.Response) && e.Reason == "4")
                    {
                        call.AnsweredAt ??= now;
                        KillSwitch.Pass(KillSwitch.AnswerSeen);
                        OriginateAnswered?.Invoke(call.Start.AttemptId, e.Channel);
                        if (call.Start.Kind == AmiDialer.Core.Outcomes.CallKind.Campaign)
                        {
                            Answered(call, now);
                        }
                    }

                    break;
                case CallEventKind.Newchannel:
                case CallEventKind.Newstate:
                    var channel = Channel(call, e.Uniqueid, e.Channel);
                    if (e.ChannelState == "6" && channel is not null)
                    {
                        call.AnsweredAt ??= now;
                    }

                    break;
                case CallEventKind.DialEnd:
                    Channel(call, e.Uniqueid, e.Channel);
                    Channel(call, e.DestUniqueid, e.DestChannel);
                    if (e.DialStatus is { Length: > 0 } status)
                    {
                        call.DialEnds.Add(new DialEndFacts(e.Channel, e.DestChannel, status));
                        if (status == "ANSWER")
                        {
                            call.AnsweredAt ??= now;
                            if (!string.IsNullOrEmpty(e.Channel))
                            {
                                call.DialAnsweredAt ??= now;
                            }

                            if (call.Start.Kind == AmiDialer.Core.Outcomes.CallKind.Campaign || !string.IsNullOrEmpty(e.Channel))
                            {
                                Answered(call, now);
                            }
                        }
                    }

                    break;
                case CallEventKind.SoftHangupRequest:
                    Channel(call, e.Uniqueid, e.Channel);
                    // Cause 4 here is Asterisk's internal "system shutdown" flag, not Q.850 4.
                    if (e.Cause == "4")
                    {
                        call.ShutdownSeen = true;
                    }

                    break;
                case CallEventKind.Hangup:
                    var hung = Channel(call, e.Uniqueid, e.Channel);
                    if (hung is not null)
                    {
                        call.HangUp(hung, now);
                        hung.Cause = int.TryParse(e.Cause, NumberStyles.Integer, CultureInfo.InvariantCulture, out var cause) ? cause : null;
                        hung.CauseText = e.CauseText;
                    }

                    break;
            }

            return true;
        }
    }

    /// <summary>Asterisk refused the Originate in its Response (d11): no call exists, the attempt is final now.</summary>
    public CallFacts? OriginateRefused(long attemptId, string? message)
    {
        lock (_gate)
        {
            return _byAttempt.TryGetValue(attemptId, out var call) ? Decide(call, Finality.Rejected, message) : null;
        }
    }

    /// <summary>Stops following an attempt whose Originate was never written; returns it as not sent.</summary>
    public CallFacts? Forget(long attemptId, string why)
    {
        lock (_gate)
        {
            return _byAttempt.TryGetValue(attemptId, out var call) ? Decide(call, Finality.Lost, why) with { NotSent = true } : null;
        }
    }

    /// <summary>Calls that became final, and channels to hang up because their Originate timed out.</summary>
    public TrackerPoll Poll(DateTimeOffset now)
    {
        lock (_gate)
        {
            var finished = new List<CallFacts>();
            List<HangupRequest>? hangups = null;
            List<TrackedCall>? done = null;
            foreach (var call in _byAttempt.Values)
            {
                var quiet = now - call.LastActivityAt >= SettleTime;
                var hasOutcome = call.OriginateResult is not null || call.Adopted;
                if (hasOutcome && quiet && call.AllChannelsDown && (call.Channels.Count > 0 || call.OriginateResult is not null && !IsSuccess(call.OriginateResult)))
                {
                    (done ??= []).Add(call);
                }
                // A call whose link dropped is left to reconciliation after the login: its answer may have gone by unseen,
                // and connection loss alone never ends a call.
                else if (call.OriginateResult is null && !call.Adopted && !call.Disturbed && now >= call.Start.SentAt + call.Start.RingTimeout + originateGrace)
                {
                    (done ??= []).Add(call);
                    if (call.Channels.TryGetValue(call.Start.ChannelId, out var own) && own.HungUpAt is null && own.Name is not null)
                    {
                        (hangups ??= []).Add(new HangupRequest(call.Start.AttemptId, own.Name));
                    }
                }
            }

            foreach (var call in done ?? [])
            {
                var finality = call.OriginateResult is null && !call.Adopted ? Finality.OriginateTimeout : Finality.Completed;
                finished.Add(Decide(call, finality, null));
            }

            return new TrackerPoll(finished, (IReadOnlyList<HangupRequest>?)hangups ?? []);
        }
    }

    /// <summary>The AMI link dropped: events of every live call may be missing from here on.</summary>
    public void MarkDisturbed()
    {
        lock (_gate)
        {
            foreach (var call in _byAttempt.Values)
            {
                call.Disturbed = true;
            }
        }
    }

    /// <summary>Asterisk is shutting down (a Shutdown event): every call it carried is over, cut by it.</summary>
    public IReadOnlyList<CallFacts> EndAll(string why)
    {
        lock (_gate)
        {
            var all = _byAttempt.Values.ToList();
            return all.Select(c =>
            {
                c.CutByShutdown = true;
                return Decide(c, Finality.Lost, why);
            }).ToList();
        }
    }

    /// <summary>
    /// A Shutdown event: every call is being cut, but kept until Asterisk is back, when the ledger tells whether each was
    /// answered first (<see cref="EndSentBefore"/>, after the login).
    /// </summary>
    public void MarkShutdown()
    {
        lock (_gate)
        {
            foreach (var call in _byAttempt.Values)
            {
                call.CutByShutdown = true;
            }
        }
    }

    /// <summary>Asterisk (re)booted at <paramref name="bootedAt"/>: every call sent before that is gone, cut by the restart.</summary>
    public IReadOnlyList<CallFacts> EndSentBefore(DateTimeOffset bootedAt, string why)
    {
        lock (_gate)
        {
            return _byAttempt.Values.Where(c => c.Start.SentAt < bootedAt).ToList().Select(c => Decide(c, Finality.Lost, why) with { RestartSeen = true }).ToList();
        }
    }

    /// <summary>
    /// Compares the tracked calls with what CoreShowChannels listed, the list having been asked for at
    /// <paramref name="listedAt"/>. Calls with a live channel are adopted again (their channels recorded, so their
    /// Hangup finishes them). A call with none is lost only if nothing was heard of it for a while before the list
    /// was asked for: its Hangup may still be on its way through the event queue, and an Originate sent just before
    /// may not have made its channel yet.
    /// </summary>
    public IReadOnlyList<CallFacts> Reconcile(IReadOnlyCollection<LiveChannel> live, DateTimeOffset listedAt)
    {
        lock (_gate)
        {
            var present = new HashSet<TrackedCall>();
            foreach (var ch in live)
            {
                var call = (ch.Linkedid is not null ? _byChannelId.GetValueOrDefault(ch.Linkedid) : null)
                    ?? _byChannelId.GetValueOrDefault(ch.Uniqueid);
                if (call is null)
                {
                    continue;
                }

                present.Add(call);
                var state = Channel(call, ch.Uniqueid, ch.Name);
                if (state is not null && state.HungUpAt is null && ch.ChannelState == "6")
                {
                    call.AnsweredAt ??= listedAt;
                    // A click-to-call's agent is Up while the customer rings: only a campaign call's Up is the callee's answer.
                    if (call.Start.Kind == AmiDialer.Core.Outcomes.CallKind.Campaign)
                    {
                        Answered(call, listedAt);
                    }
                }
            }

            var lost = new List<CallFacts>();
            var deferred = 0;
            foreach (var call in _byAttempt.Values.ToList())
            {
                if (present.Contains(call))
                {
                    if (call.OriginateResult is null && call.Disturbed)
                    {
                        // Its OriginateResponse may have gone by while we were away: let the hangups end it.
                        call.Adopted = true;
                    }

                    continue;
                }

                var quiet = call.LastActivityAt < listedAt - QuietBeforeLost;
                var oldEnough = call.Start.SentAt < listedAt - InFlightAllowance;
                if (quiet && oldEnough)
                {
                    // Its OriginateResponse seen, the events decide as ever; else nobody saw how it ended.
                    lost.Add(Decide(call, Finality.Lost, "channels gone") with { EndedUnseen = call.OriginateResult is null });
                }
                else
                {
                    deferred++;
                }
            }

            DeferredByLastReconcile = deferred;
            return lost;
        }
    }

    /// <summary>Attempt ids of every call being followed, for the live view and reconciliation.</summary>
    public IReadOnlyList<long> TrackedAttempts()
    {
        lock (_gate)
        {
            return _byAttempt.Keys.ToList();
        }
    }

    /// <summary>Starts following again a call handed back undecided (its ledger could not be read): kept as taken over.</summary>
    public void Retrack(CallFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Start is { } start)
        {
            lock (_gate)
            {
                if (!_byAttempt.ContainsKey(start.AttemptId))
                {
                    var call = new TrackedCall(start) { Adopted = true, AnswerSeen = facts.AnswerSeen, CutByShutdown = facts.Interrupted, ShutdownSeen = facts.ShutdownSeen };
                    _byActionId[start.ActionId] = call;
                    _byChannelId[start.ChannelId] = call;
                    _byAttempt[start.AttemptId] = call;
                }
            }
        }
    }

    private void Answered(TrackedCall call, DateTimeOffset at)
    {
        if (!call.AnswerSeen)
        {
            call.AnswerSeen = true;
            AnswerSeen?.Invoke(call.Start.AttemptId, at);
        }
    }

    private TrackedCall? Find(CallEvent e)
    {
        if (e.Kind == CallEventKind.OriginateResponse && e.ActionId is not null && _byActionId.TryGetValue(e.ActionId, out var byAction))
        {
            return byAction;
        }

        return Lookup(e.Linkedid) ?? Lookup(e.DestLinkedid) ?? Lookup(e.Uniqueid) ?? Lookup(e.DestUniqueid);
    }

    private TrackedCall? Lookup(string? id) => id is not null && _byChannelId.TryGetValue(id, out var call) ? call : null;

    private TrackedCall.ChannelState? Channel(TrackedCall call, string? uniqueid, string? name)
    {
        if (string.IsNullOrEmpty(uniqueid) || uniqueid == "<unknown>")
        {
            return null;
        }

        if (!call.Channels.TryGetValue(uniqueid, out var state))
        {
            state = new TrackedCall.ChannelState(uniqueid) { Order = _channelOrder++ };
            call.AddChannel(state);
        }

        if (name is { Length: > 0 })
        {
            state.Name = name;
        }

        return state;
    }

    private CallFacts Decide(TrackedCall call, Finality finality, string? error)
    {
        _byActionId.Remove(call.Start.ActionId);
        if (call.ClientActionId is not null)
        {
            _byActionId.Remove(call.ClientActionId);
        }

        _byChannelId.Remove(call.Start.ChannelId);
        _byAttempt.Remove(call.Start.AttemptId);
        return call.ToFacts(finality, error);
    }

    private static bool IsSuccess(string? response) => string.Equals(response, "Success", StringComparison.OrdinalIgnoreCase);
}
