using System.Text.RegularExpressions;
using AmiDialer.Ami;

namespace AmiDialer.Simulator.Tests.Infrastructure;

/// <summary>
/// Puts recorded and simulated messages in a comparable form: channel names and Uniqueids are renamed by
/// structure (n-th channel of the connection, which half), and values that change with every run (times,
/// addresses, session ids, challenges) are dropped.
/// </summary>
internal static partial class EventComparer
{
    private static readonly HashSet<string> Volatile = new(StringComparer.OrdinalIgnoreCase)
    {
        "Uptime", "LastReload", "Timestamp", "EventTV", "SessionTV", "SessionID", "LocalAddress", "RemoteAddress",
        "Challenge", "StartTime", "AnswerTime", "EndTime", "Duration", "BillableSeconds", "Seconds", "Key",
        "Response@ChallengeResponseFailed", "ExpectedResponse",

        // Device state is published asynchronously and cached: the same call showed INUSE in one run, NOT_INUSE in another (c1 vs d6).
        "State@DeviceStateChange",

        // A member's last pause is history: QueueReset keeps it, and the lab paused 201/202 before the q captures (QUEUES.md).
        "LastPause",
    };

    /// <summary>Queue fields holding an epoch (0 means never): compared as "set or not".</summary>
    private static readonly HashSet<string> Epochs = new(StringComparer.Ordinal) { "LoginTime", "LastCall" };

    /// <summary>
    /// app_queue's durations in whole seconds: how long a caller waited or talked between two of the client's actions
    /// (a Hangup, a QueueStatus) depends on when a replay, paced on a loaded machine, sent them. QueueTests checks them
    /// exactly in virtual time.
    /// </summary>
    private static readonly HashSet<string> QueueDurations = new(StringComparer.Ordinal)
    {
        "HoldTime", "TalkTime", "Holdtime", "Wait", "LongestHoldTime",
    };

    private static readonly HashSet<string> QueueDurationVariables = new(StringComparer.Ordinal) { "QUEUEWAIT", "DIALEDTIME", "ANSWEREDTIME" };

    /// <summary>Messages reduced to "Name | key=value | ..." strings with names normalised.</summary>
    public static List<string> Normalize(IEnumerable<AmiMessage> messages) => Normalize(messages, looseQueueDurations: false);

    /// <summary>As <see cref="Normalize(IEnumerable{AmiMessage})"/>; with <paramref name="looseQueueDurations"/>, queue durations read "&lt;s&gt;".</summary>
    public static List<string> Normalize(IEnumerable<AmiMessage> messages, bool looseQueueDurations)
    {
        var list = messages.ToList();
        // Channel counters: order the distinct "-xxxxxxxx" suffixes numerically, then name them #0, #1...
        var counters = list.SelectMany(m => m.AsSpan().ToArray())
            .SelectMany(h => ChannelName().Matches(h.Value).Select(x => x.Groups[2].Value))
            .Distinct().OrderBy(h => Convert.ToInt64(h, 16)).Select((h, i) => (h, i)).ToDictionary(x => x.h, x => "#" + x.i);
        // Uniqueids: named after the channel that Newchannel (or Status/CoreShowChannel) gave them.
        var uids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in list)
        {
            if (m.Channel is { } ch && m.Uniqueid is { } uid && !uids.ContainsKey(uid))
            {
                uids[uid] = "uid(" + RenameChannels(ch, counters) + ")";
            }
        }

        // Bridges: a new UUID each run, named by order of first appearance.
        var bridges = list.Select(m => m["BridgeUniqueid"]).OfType<string>().Distinct().Select((b, i) => (b, i)).ToDictionary(x => x.b, x => "bridge#" + x.i);
        return list.Select(m =>
        {
            var name = m.EventName is { } e ? "Event:" + e : "Response:" + m.Response;
            var parts = new List<string> { name };
            foreach (var h in m)
            {
                if (h.Key is "Event" || Volatile.Contains(h.Key) || m.EventName is { } ev && Volatile.Contains(h.Key + "@" + ev))
                {
                    continue;
                }

                if (looseQueueDurations && (QueueDurations.Contains(h.Key) && m.EventName is { } qe && (qe.StartsWith("Queue", StringComparison.Ordinal) || qe.StartsWith("Agent", StringComparison.Ordinal))
                    || h.Key == "Value" && m.EventName == "VarSet" && m.Variable is { } timed && QueueDurationVariables.Contains(timed) && h.Value.Length > 0))
                {
                    parts.Add(h.Key + "=<s>");
                    continue;
                }

                if (Epochs.Contains(h.Key) && h.Value != "0")
                {
                    parts.Add(h.Key + "=<epoch>");
                    continue;
                }

                // QueueMemberStatus is sent on a device-state change, and InCall is set at connect without one: whether
                // the INUSE event says InCall 1 is a race (q3 has it, q1 and q5 do not; QUEUES.md).
                if (h.Key == "InCall" && m.EventName == "QueueMemberStatus" && m["Status"] == "2")
                {
                    continue;
                }

                // app_queue's millisecond variables (QUEUEWAIT_MS, ANSWEREDTIME_MS...) measure a scaled clock; the seconds are compared.
                if (h.Key == "Value" && m.EventName == "VarSet" && m.Variable is { } variable && variable.EndsWith("_MS", StringComparison.Ordinal) && h.Value.Length > 0)
                {
                    parts.Add("Value=<ms>");
                    continue;
                }

                // The shared parser drops a value's leading blanks (CLI Output lines have them); compare without them.
                var value = uids.TryGetValue(h.Value, out var u) ? u : RenameChannels(h.Value.TrimStart(' ', '\t'), counters);
                // A ledger value ends with the epoch its hangup handler ran at (k1: DIALSTATUS|HANGUPCAUSE|ANSWEREDTIME|EPOCH).
                value = LedgerEpoch().Replace(value, "|<epoch>");
                value = h.Key == "BridgeUniqueid" && bridges.TryGetValue(value, out var bridge) ? bridge : value;
                parts.Add(h.Key + "=" + value);
            }

            return string.Join(" | ", parts);
        }).ToList();
    }

    [GeneratedRegex(@"\|\d{10}$")]
    private static partial Regex LedgerEpoch();

    private static string RenameChannels(string value, Dictionary<string, string> counters) =>
        ChannelName().Replace(value, x => x.Groups[1].Value + "-" + (counters.TryGetValue(x.Groups[2].Value, out var n) ? n : x.Groups[2].Value));

    /// <summary>Lines only in one side, with counts (a multiset difference), for a readable failure.</summary>
    public static string Diff(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var missing = Subtract(expected, actual);
        var extra = Subtract(actual, expected);
        return "missing from simulator:\n  " + string.Join("\n  ", missing.Take(15)) + "\nextra in simulator:\n  " + string.Join("\n  ", extra.Take(15));
    }

    public static List<string> Subtract(IEnumerable<string> a, IEnumerable<string> b)
    {
        var counts = b.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        var result = new List<string>();
        foreach (var x in a)
        {
            if (counts.TryGetValue(x, out var c) && c > 0)
            {
                counts[x] = c - 1;
            }
            else
            {
                result.Add(x);
            }
        }

        return result;
    }

    [GeneratedRegex(@"(Local/[^;,\s]+?)-([0-9a-f]{8})(?=;|$|\s|,)")]
    private static partial Regex ChannelName();
}
