using AmiDialer.Engine.Tracking;

namespace AmiDialer.Engine.Tests.Tracking;

/// <summary>The tracker fed the real Asterisk captures: each call ends once, with the facts Asterisk gave.</summary>
public sealed class CallTrackerCaptureTests
{
    public static TheoryData<string, string, string?, string?, int?, bool> SingleCalls => new()
    {
        // file, OriginateResponse, Reason, last DialStatus, decisive Hangup cause, answered
        { "d0-originate-answered.raw", "Success", "4", "ANSWER", 16, true },
        { "d1-originate-answered.raw", "Success", "4", "ANSWER", 16, true },
        { "d2-originate-busy.raw", "Failure", "5", "BUSY", 17, false },
        { "d3-originate-noanswer.raw", "Failure", "3", null, 19, false },
        { "d4-originate-congestion.raw", "Failure", "8", "CONGESTION", 34, false },
        { "d5-originate-unallocated.raw", "Failure", "0", "NOANSWER", 1, false },
        { "d6-originate-short-answered.raw", "Success", "4", "ANSWER", 16, true },
        { "d7-originate-long-call.raw", "Success", "4", "ANSWER", 16, true },
        { "d8-originate-rejected.raw", "Failure", "0", "NOANSWER", 21, false },
        { "d9-originate-answered-playback.raw", "Success", "4", "ANSWER", 16, true },
        { "d10-originate-channelid.raw", "Success", "4", "ANSWER", 16, true },
        { "d12-originate-channelid-busy.raw", "Failure", "5", "BUSY", 17, false },
    };

    [Theory]
    [MemberData(nameof(SingleCalls))]
    public void One_originate_ends_once_with_its_facts(string file, string response, string? reason, string? dialStatus, int? cause, bool answered)
    {
        var result = CaptureReplay.Replay(file);

        var facts = Assert.Single(result.ByActionId.Values);
        Assert.Equal(Finality.Completed, facts.Finality);
        Assert.Equal(response, facts.OriginateResult);
        Assert.Equal(reason, facts.Reason);
        Assert.Equal(dialStatus, facts.DialStatus);
        Assert.Equal(cause, facts.DecisiveChannel?.Cause);
        Assert.Equal(2, facts.Channels.Count);
        Assert.All(facts.Channels, c => Assert.NotNull(c.HungUpAt));
        Assert.Equal(answered, facts.AnsweredAt is not null);
        Assert.NotNull(facts.EndedAt);
        Assert.False(facts.ShutdownSeen);
        Assert.Equal(0, result.Tracker.Count);
    }

    [Theory]
    [InlineData("h-burst-200-originates.raw")]
    [InlineData("d11-originate-errors.raw")]
    [InlineData("d7-originate-long-call.raw")]
    public void Every_captured_event_reads_as_its_headers_read_one_by_one(string file)
    {
        var read = 0;
        foreach (var message in CaptureReplay.Read(file).Where(m => m.IsEvent))
        {
            var e = AmiCallEvents.From(message);
            if (e.Kind == CallEventKind.Other)
            {
                continue;
            }

            read++;
            Assert.Equal(
                (message.ActionId, message.Channel, message.Uniqueid, message.Linkedid, message.DestChannel, message.DestUniqueid, message.DestLinkedid),
                (e.ActionId, e.Channel, e.Uniqueid, e.Linkedid, e.DestChannel, e.DestUniqueid, e.DestLinkedid));
            Assert.Equal(
                (message.Get("ChannelState"), e.Kind == CallEventKind.OriginateResponse ? message.Response : null, message.Get("Reason"), message.DialStatus, message.Get("Cause"), message.CauseText),
                (e.ChannelState, e.Response, e.Reason, e.DialStatus, e.Cause, e.CauseText));
        }

        Assert.True(read > 0, "no call event in " + file);
    }

    [Fact]
    public void Channel_ids_we_assign_tie_every_event_to_the_call()
    {
        var result = CaptureReplay.Replay("d10-originate-channelid.raw");

        var facts = Assert.Single(result.ByActionId.Values);
        Assert.Equal("dialer-call-0001", facts.ChannelId);
        Assert.Equal(["dialer-call-0001", "dialer-call-0001-peer"], facts.Channels.Select(c => c.Uniqueid).Order());
    }

    [Fact]
    public void Originate_errors_end_at_once_and_an_unknown_technology_ends_with_no_channel()
    {
        var result = CaptureReplay.Replay("d11-originate-errors.raw");

        var byCase = result.ByActionId.ToDictionary(kv => kv.Key.Split('-')[2], kv => kv.Value);
        Assert.Equal(["chansyntax", "ctx", "nochan", "noexten", "tech", "timeout"], byCase.Keys.Order());
        foreach (var refused in new[] { "chansyntax", "nochan", "noexten", "timeout" })
        {
            Assert.Equal(Finality.Rejected, byCase[refused].Finality);
            Assert.NotNull(byCase[refused].ErrorMessage);
            Assert.Empty(byCase[refused].Channels);
        }

        Assert.Equal("Extension does not exist.", byCase["noexten"].ErrorMessage);

        var tech = byCase["tech"];
        Assert.Equal(Finality.Completed, tech.Finality);
        Assert.Equal(("Failure", "0"), (tech.OriginateResult, tech.Reason));
        Assert.Empty(tech.Channels);

        var ctx = byCase["ctx"];
        Assert.Equal(("Failure", "0"), (ctx.OriginateResult, ctx.Reason));
        Assert.Equal(2, ctx.Channels.Count);
        Assert.All(ctx.Channels, c => Assert.Equal(0, c.Cause));
    }

    [Fact]
    public void A_failed_originate_with_no_channel_waits_only_the_settle_time()
    {
        var tracker = new CallTracker(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
        var t0 = CaptureReplay.Epoch;
        tracker.Track(new TrackedCallStart(1, "a1", "c1", t0, TimeSpan.FromSeconds(30)));
        tracker.Observe(new CallEvent { Kind = CallEventKind.OriginateResponse, ActionId = "a1", Response = "Failure", Reason = "0", Uniqueid = "<unknown>" }, t0.AddMilliseconds(1));

        Assert.Empty(tracker.Poll(t0.AddMilliseconds(200)).Finished);
        var facts = Assert.Single(tracker.Poll(t0.AddMilliseconds(301)).Finished);
        Assert.Empty(facts.Channels);
    }

    [Fact]
    public void The_burst_of_200_ends_every_call_once_with_the_outcome_its_digit_gives()
    {
        var result = CaptureReplay.Replay("h-burst-200-originates.raw");

        Assert.Equal(200, result.ByActionId.Count);
        Assert.Equal(0, result.Tracker.Count);
        var expected = new Dictionary<char, (string Response, string Reason, int Cause)>
        {
            ['0'] = ("Success", "4", 16), ['1'] = ("Success", "4", 16), ['2'] = ("Failure", "5", 17),
            ['3'] = ("Failure", "3", 19), ['4'] = ("Failure", "8", 34), ['5'] = ("Failure", "0", 1),
            ['6'] = ("Success", "4", 16), ['7'] = ("Success", "4", 16), ['8'] = ("Failure", "0", 21),
            ['9'] = ("Success", "4", 16),
        };
        foreach (var (actionId, facts) in result.ByActionId)
        {
            var digit = actionId[^1];
            var (response, reason, cause) = expected[digit];
            Assert.Equal(Finality.Completed, facts.Finality);
            Assert.Equal(response, facts.OriginateResult);
            Assert.Equal(reason, facts.Reason);
            Assert.Equal(cause, facts.DecisiveChannel?.Cause);
            Assert.Equal(2, facts.Channels.Count);
            Assert.Equal(response == "Success", facts.AnsweredAt is not null);
        }
    }

    [Fact]
    public void In_the_burst_no_call_is_final_before_its_last_hangup()
    {
        var lastHangup = new Dictionary<string, DateTimeOffset>();
        var result = CaptureReplay.Replay("h-burst-200-originates.raw", onMessage: (m, _, now, _) =>
        {
            if (m.IsEventNamed("Hangup") && m.Linkedid is { } linked)
            {
                lastHangup[linked] = now;
            }
        });

        foreach (var facts in result.ByActionId.Values)
        {
            Assert.Equal(lastHangup[facts.ChannelId], facts.EndedAt);
        }
    }

    [Fact]
    public void A_restart_hangs_up_the_live_call_and_marks_it_as_shut_down()
    {
        var result = CaptureReplay.Replay("i1-restart-core-restart-now.dialer.raw");

        var facts = Assert.Single(result.ByActionId.Values);
        Assert.True(facts.ShutdownSeen);
        Assert.Equal("Success", facts.OriginateResult);
        Assert.NotNull(facts.AnsweredAt);
        Assert.All(facts.Channels, c => Assert.Equal(0, c.Cause));
        Assert.Contains(result.Messages, m => m.IsEventNamed("Shutdown"));
    }

    [Fact]
    public void No_originate_response_by_ring_timeout_plus_grace_fails_and_hangs_up_the_channel()
    {
        var tracker = new CallTracker(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        var t0 = CaptureReplay.Epoch;
        tracker.Track(new TrackedCallStart(9, "a9", "c9", t0, TimeSpan.FromSeconds(30)));
        tracker.Observe(new CallEvent { Kind = CallEventKind.Newchannel, Channel = "PJSIP/trunk-00000001", Uniqueid = "c9", Linkedid = "c9", ChannelState = "0" }, t0.AddSeconds(1));

        Assert.Empty(tracker.Poll(t0.AddSeconds(34)).Finished);
        var poll = tracker.Poll(t0.AddSeconds(35));
        var facts = Assert.Single(poll.Finished);
        Assert.Equal(Finality.OriginateTimeout, facts.Finality);
        Assert.Equal(new HangupRequest(9, "PJSIP/trunk-00000001"), Assert.Single(poll.HangUp));
    }

    [Fact]
    public void Reconcile_adopts_calls_still_listed_and_ends_those_whose_channels_are_gone()
    {
        var tracker = new CallTracker(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        var t0 = CaptureReplay.Epoch;
        tracker.Track(new TrackedCallStart(1, "a1", "c1", t0, TimeSpan.FromSeconds(30)));
        tracker.Track(new TrackedCallStart(2, "a2", "c2", t0, TimeSpan.FromSeconds(30)));
        tracker.Track(new TrackedCallStart(3, "a3", "c3", t0.AddSeconds(58.5), TimeSpan.FromSeconds(30)));
        tracker.MarkDisturbed();

        var lost = tracker.Reconcile([new LiveChannel("Local/1@pstn-00000001;1", "c1", "c1", "6")], t0.AddSeconds(60));

        // c2 had no channel and was live across the disconnection: lost. c3 was sent 1.5 s ago: its channel may not
        // exist yet, so it is judged once it had the in-flight allowance (with the ledger, no key then means never sent).
        Assert.Equal([2L], lost.Select(f => f.AttemptId));
        Assert.Equal(1, tracker.DeferredByLastReconcile);
        var later = tracker.Reconcile([new LiveChannel("Local/1@pstn-00000001;1", "c1", "c1", "6")], t0.AddSeconds(65));
        Assert.Equal([3L], later.Select(f => f.AttemptId));
        Assert.All(lost.Concat(later), f => Assert.Equal(Finality.Lost, f.Finality));
        Assert.All(lost.Concat(later), f => Assert.True(f.EndedUnseen));
        Assert.True(tracker.IsTracking(1));
        Assert.Equal("Local/1@pstn-00000001;1", tracker.ChannelNameOf(1));

        tracker.Observe(new CallEvent { Kind = CallEventKind.Hangup, Uniqueid = "c1", Linkedid = "c1", Cause = "16" }, t0.AddSeconds(70));
        var ended = Assert.Single(tracker.Poll(t0.AddSeconds(71)).Finished);
        Assert.Equal(Finality.Completed, ended.Finality);
        Assert.NotNull(ended.AnsweredAt);
    }
}
