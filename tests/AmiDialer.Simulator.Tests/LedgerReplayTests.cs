using System.Text.RegularExpressions;
using AmiDialer.Ami;
using AmiDialer.Simulator.Tests.Infrastructure;

namespace AmiDialer.Simulator.Tests;

/// <summary>
/// Replays the ledger captures (k1: eight wrapper calls at once, then DBGet/DBGetTree/DBDelTree) against a simulator
/// with the ledger installed. Calls overlap, so channel counters interleave differently from run to run: the events
/// are compared per dialled number (every channel, DialEnd, Cdr and device of a call names it), then per channel in order.
/// </summary>
public sealed partial class LedgerReplayTests
{
    [Theory]
    [InlineData("k1-ledger-dial-outcomes", 10)]
    public async Task Replay_of_a_ledger_capture_matches_call_by_call(string capture, double timeScale)
    {
        var (expected, actual) = await CaptureReplayTests.ReplayAsync(capture, timeScale, ledger: true);

        var expectedResponses = EventComparer.Normalize(expected.Where(m => !m.IsEvent));
        var actualResponses = EventComparer.Normalize(actual.Where(m => !m.IsEvent));
        Assert.Equal(expectedResponses, actualResponses);

        var expectedCalls = expected.Where(m => m.IsEvent).GroupBy(CallOf).ToDictionary(g => g.Key, g => g.ToList());
        var actualCalls = actual.Where(m => m.IsEvent).GroupBy(CallOf).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(expectedCalls.Keys.Order(), actualCalls.Keys.Order());
        foreach (var (call, recorded) in expectedCalls)
        {
            var e = EventComparer.Normalize(recorded);
            var a = EventComparer.Normalize(actualCalls[call]);
            Assert.True(EventComparer.Subtract(e, a).Count == 0 && EventComparer.Subtract(a, e).Count == 0, $"{capture} call {call}: " + EventComparer.Diff(e, a));

            // Per channel in the recorded order: the n-th channel of a call is the n-th in both.
            var ours = actualCalls[call].Where(m => m.IsEventNamed("Newchannel")).Select(m => m.Channel!).ToList();
            var theirs = recorded.Where(m => m.IsEventNamed("Newchannel")).Select(m => m.Channel!).ToList();
            Assert.Equal(theirs.Count, ours.Count);
            for (var i = 0; i < ours.Count; i++)
            {
                Assert.Equal(CaptureReplayTests.PerChannel(recorded, theirs[i]), CaptureReplayTests.PerChannel(actualCalls[call], ours[i]));
            }
        }
    }

    /// <summary>The dialled number an event belongs to (from any Local channel or device it names), or "" for session and DB events.</summary>
    private static string CallOf(AmiMessage m)
    {
        foreach (var h in m)
        {
            var match = Number().Match(h.Value);
            if (match.Success)
            {
                return match.Groups[1].Value;
            }
        }

        return "";
    }

    [GeneratedRegex(@"Local/(\d+)@")]
    private static partial Regex Number();
}
