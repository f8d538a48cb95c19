using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using AmiDialer.Ami;
using AmiDialer.Simulator.Tests.Infrastructure;

namespace AmiDialer.Simulator.Tests;

/// <summary>
/// Sends each capture's C&gt; actions to the simulator over a real socket, paced like the capture (scaled), and
/// compares what comes back with what Asterisk sent: responses in the same order with the same fields, and the
/// same events (names, fields, Uniqueid/channel structure) allowing the orderings the README says vary.
/// </summary>
public sealed partial class CaptureReplayTests
{
    public static TheoryData<string, double> Captures => new()
    {
        { "a1-login-ping-logoff", 50 },
        { "a2-login-wrong-secret", 50 },
        { "a3-login-unknown-user", 50 },
        { "b1-challenge-md5-login", 50 },
        { "b2-challenge-md5-wrong-key", 50 },
        { "c1-login-events-off", 50 },
        { "c2-login-events-call", 50 },
        { "d0-originate-answered", 50 },
        { "d1-originate-answered", 50 },
        { "d2-originate-busy", 50 },
        { "d3-originate-noanswer", 50 },
        { "d4-originate-congestion", 50 },
        { "d5-originate-unallocated", 50 },
        { "d6-originate-short-answered", 50 },
        { "d7-originate-long-call", 50 },
        { "d8-originate-rejected", 50 },
        { "d9-originate-answered-playback", 50 },
        { "d10-originate-channelid", 50 },
        { "d11-originate-errors", 50 },
        { "d12-originate-channelid-busy", 50 },
        { "d13-originate-application", 50 },
        { "e1-redirect-live-call", 10 },
        { "e2-redirect-errors", 50 },
        { "e3-redirect-to-missing-context", 10 },
        { "f1-sync-originate-answered", 50 },
        { "f2-sync-originate-busy", 50 },
        { "f3-sync-originate-noanswer", 50 },
        { "g1-command-action", 50 },
        { "g2-coreshowchannels-status", 10 },
        { "g3-getconfig", 50 },
        { "g5-unknown-action", 50 },
        { "g6-readonly-permission-denied", 50 },
        { "j0-click-to-call-answered", 50 },
        { "j2-click-to-call-busy", 50 },
        { "j3-click-to-call-noanswer", 50 },
        { "j4-click-to-call-congestion", 50 },
        { "j5-click-to-call-unallocated", 50 },
        { "j8-click-to-call-rejected", 50 },
        { "q1-queue-answered-to-free-agent", 10 },
        { "q2-queue-abandon", 10 },
        { "q3-queue-status", 10 },
        { "q4-queue-member-changes", 10 },
        { "q5-queue-agent-no-answer", 10 },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public async Task Replay_matches_the_recorded_asterisk(string capture, double timeScale)
    {
        var (expected, actual) = await ReplayAsync(capture, timeScale, ledger: false);

        // Responses: same order, same fields.
        var expectedResponses = EventComparer.Normalize(expected.Where(m => !m.IsEvent));
        var actualResponses = EventComparer.Normalize(actual.Where(m => !m.IsEvent));
        for (var i = 0; i < Math.Max(expectedResponses.Count, actualResponses.Count); i++)
        {
            var e = i < expectedResponses.Count ? expectedResponses[i] : "(none)";
            var a = i < actualResponses.Count ? actualResponses[i] : "(none)";
            if (capture == "g3-getconfig" && a.StartsWith(e + " | Category-", StringComparison.Ordinal))
            {
                // The simulator's extensions.conf also has the click-to-call contexts (j0-j8), recorded after g3.
                continue;
            }

            Assert.True(e == a, $"{capture}: response {i} differs\nexpected: {e}\nactual:   {a}");
        }

        // Events: the same multiset (names, fields, channel/Uniqueid structure)...
        var queue = capture.StartsWith('q');
        var expectedEvents = EventComparer.Normalize(expected.Where(m => m.IsEvent), looseQueueDurations: queue);
        var actualEvents = EventComparer.Normalize(actual.Where(m => m.IsEvent), looseQueueDurations: queue);
        Assert.True(EventComparer.Subtract(expectedEvents, actualEvents).Count == 0 && EventComparer.Subtract(actualEvents, expectedEvents).Count == 0,
            capture + ": " + EventComparer.Diff(expectedEvents, actualEvents));

        // ...and per channel in the recorded order (across channels Asterisk's order varies from run to run).
        foreach (var channel in actual.Where(m => m.IsEventNamed("Newchannel")).Select(m => m.Channel!))
        {
            Assert.Equal(PerChannel(expected, ExpectedName(expected, actual, channel)), PerChannel(actual, channel));
        }

        // Every response comes after the events that preceded it in the capture only when the capture says so
        // (sync Originate holds events back): check the Originate response precedes its call's first event.
        if (capture.StartsWith('f'))
        {
            var responseIndex = actual.ToList().FindIndex(m => m.IsResponse && m.ActionId?.StartsWith("orig", StringComparison.Ordinal) == true);
            var firstCallEvent = actual.ToList().FindIndex(m => m.IsEventNamed("Newchannel"));
            Assert.True(responseIndex >= 0 && (firstCallEvent < 0 || responseIndex < firstCallEvent), "sync Originate: events must be held until the Response");
        }
    }

    /// <summary>Plays the capture's client side against a fresh simulator; the recorded messages and what came back.</summary>
    internal static async Task<(List<AmiMessage> Expected, IReadOnlyList<AmiMessage> Actual)> ReplayAsync(string capture, double timeScale, bool ledger)
    {
        var timeline = CaptureTimeline.Load(capture);
        var expected = ExpectedMessages(capture, timeline);
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            TimeScale = timeScale,
            LoginFailureDelay = TimeSpan.FromMilliseconds(50),
            LedgerInstalled = ledger,
            Queues = [QueueAtStartOf(capture)],
            // The q captures' 5550007 stays until the script hangs it up: the lab's d7 is Wait(600) (d7's own capture cut it at 9.5 s).
            Outcomes = capture.StartsWith("q", StringComparison.Ordinal)
                ? new OutcomeRules([new("7$", SimulatedOutcome.Answered, 0, 600, "long"), .. OutcomeRules.TestPbx().Rules])
                : OutcomeRules.TestPbx(),
        });
        await using var client = await RawAmiConnection.ConnectAsync(sim.EndPoint);
        await DriveAsync(client, timeline, expected, timeScale);
        await client.WaitClosedAsync(TimeSpan.FromSeconds(8));
        return (expected, client.Received);
    }

    /// <summary>
    /// The lab's queue as each q capture found it. rrmemory remembers where it stopped across runs (QUEUES.md), so which
    /// of two free members rings first is history: q1's run rang Agent 202 first, so its round starts there.
    /// </summary>
    private static QueueOptions QueueAtStartOf(string capture)
    {
        var queue = QueueOptions.TestPbx();
        if (capture == "q1-queue-answered-to-free-agent")
        {
            queue.Members = [.. queue.Members.Reverse()];
        }

        return queue;
    }

    /// <summary>Sends one connection's C&gt; actions, paced like the capture (scaled) and after what Asterisk had sent by then.</summary>
    internal static async Task DriveAsync(RawAmiConnection client, IReadOnlyList<TimelineEntry> timeline, List<AmiMessage> expected, double timeScale)
    {
        Assert.Equal("Asterisk Call Manager/13.0.0", client.Banner);
        var clock = Stopwatch.StartNew();
        string? lastChallenge = null;
        string? recordedChallenge = null;
        var receivedBefore = 0;
        foreach (var entry in timeline)
        {
            if (!entry.FromClient)
            {
                if (expected.Contains(entry.Message))
                {
                    receivedBefore++;
                }

                recordedChallenge = entry.Message.Challenge ?? recordedChallenge;
                continue;
            }

            // Pace like the capture: what Asterisk had sent by then has arrived, and the (scaled) time has passed.
            await client.WaitForCountAsync(receivedBefore, TimeSpan.FromSeconds(8));
            var due = TimeSpan.FromSeconds(entry.Seconds / timeScale);
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            lastChallenge = client.Received.LastOrDefault(m => m.Challenge is not null)?.Challenge ?? lastChallenge;
            await client.SendRawAsync(Wire(entry, lastChallenge, recordedChallenge, ChannelMap(expected, client.Received)));
        }
    }

    /// <summary>The recorded messages this connection's own actions caused (j0 also shows the tail of an earlier call).</summary>
    internal static List<AmiMessage> ExpectedMessages(string capture, IReadOnlyList<TimelineEntry> timeline)
    {
        var received = timeline.Where(e => !e.FromClient).ToList();
        var created = received.Where(e => e.Message.IsEventNamed("Newchannel")).Select(e => Base(e.Message.Channel!)).ToHashSet();
        return received.Where(e =>
        {
            if (capture == "j0-click-to-call-answered" && e.Seconds > 8.0 && e.Message.IsEvent)
            {
                return false;
            }

            return !e.Message.IsEvent || e.Message.AsSpan().ToArray().SelectMany(h => LocalChannel().Matches(h.Value)).All(x => created.Contains(x.Value));
        }).Select(e => e.Message).ToList();
    }

    private static string Base(string channel) => LocalChannel().Match(channel).Value;

    private static string ExpectedName(List<AmiMessage> expected, IReadOnlyList<AmiMessage> actual, string actualChannel)
    {
        // The n-th Newchannel of the simulator is the n-th of the capture.
        var index = actual.Where(m => m.IsEventNamed("Newchannel")).Select(m => m.Channel).ToList().IndexOf(actualChannel);
        return expected.Where(m => m.IsEventNamed("Newchannel")).Select(m => m.Channel!).ElementAt(index);
    }

    internal static List<string> PerChannel(IEnumerable<AmiMessage> messages, string channel) =>
        messages.Where(m => m.IsEvent && m.Channel == channel && m.EventName is not ("Cdr" or "DeviceStateChange" or "OriginateResponse"))
            .Select(m => m.EventName + (m.Cause is { } c ? " " + c : "") + (m.Get("Application") is { } a ? " " + a : "") + (m.Variable is { } v ? " " + v : ""))
            .ToList();

    /// <summary>Recorded channel names → the simulator's, by order of creation (its counters start at 0).</summary>
    private static Dictionary<string, string> ChannelMap(List<AmiMessage> expected, IReadOnlyList<AmiMessage> actual)
    {
        var recorded = expected.Where(m => m.IsEventNamed("Newchannel")).Select(m => Base(m.Channel!)).Distinct().ToList();
        var ours = actual.Where(m => m.IsEventNamed("Newchannel")).Select(m => Base(m.Channel!)).Distinct().ToList();
        return recorded.Zip(ours).ToDictionary(p => p.First, p => p.Second);
    }

    private static byte[] Wire(TimelineEntry entry, string? challenge, string? recordedChallenge, Dictionary<string, string> channels)
    {
        if (entry.BlankLineOnly && entry.Message.Count == 0)
        {
            return "\r\n"u8.ToArray();
        }

        var eol = entry.BareLf ? "\n" : "\r\n";
        var sb = new StringBuilder();
        foreach (var h in entry.Message)
        {
            var value = LocalChannel().Replace(h.Value, x => channels.GetValueOrDefault(x.Value, x.Value));
            if (h.Key == "Key" && challenge is not null && recordedChallenge is not null
                && value == SimulatorSession.Md5Hex(recordedChallenge + "dialerpass"))
            {
                // The recorded key was right for the recorded challenge: answer ours the same way.
                value = SimulatorSession.Md5Hex(challenge + "dialerpass");
            }

            sb.Append(h.Key).Append(": ").Append(value).Append(eol);
        }

        return Encoding.UTF8.GetBytes(sb.Append(eol).ToString());
    }

    [GeneratedRegex(@"Local/[^;,\s]+?-[0-9a-f]{8}")]
    private static partial Regex LocalChannel();
}
