using System.Text;
using AmiDialer.Core.Outcomes;
using AmiDialer.Testing;

namespace AmiDialer.Core.Tests.Outcomes;

/// <summary>
/// Reads a recorded AMI stream (.raw) and collects, for each OriginateResponse, the facts the engine would collect:
/// the call's DialEnd and Hangup events, tied by Linkedid exactly as the engine ties them (never by arrival order),
/// and whether a channel of the call got <c>SoftHangupRequest Cause: 4</c> (Asterisk shutting down: i1, i3, i4).
/// </summary>
internal static class CaptureCalls
{
    public static IReadOnlyList<(string ActionId, CallFacts Facts)> Read(string rawFile, CallKind kind)
    {
        var messages = Messages(File.ReadAllText(RepoPaths.Capture(rawFile), Encoding.UTF8));
        var linkedOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            if (m.TryGetValue("Uniqueid", out var u) && m.TryGetValue("Linkedid", out var l))
            {
                linkedOf.TryAdd(u, l);
            }
        }

        var calls = new List<(string, CallFacts)>();
        foreach (var or in messages.Where(m => Get(m, "Event") == "OriginateResponse"))
        {
            var uniqueid = Get(or, "Uniqueid");
            string? linked = uniqueid is not null && uniqueid != "<unknown>"
                ? linkedOf.GetValueOrDefault(uniqueid, uniqueid)
                : messages.Where(m => Get(m, "Channel")?.StartsWith(Get(or, "Channel") + "-", StringComparison.Ordinal) == true)
                    .Select(m => Get(m, "Linkedid")).FirstOrDefault(l => l is not null);

            var facts = new CallFacts
            {
                Kind = kind,
                OriginateResponse = Get(or, "Response"),
                OriginateReason = int.Parse(Get(or, "Reason")!, System.Globalization.CultureInfo.InvariantCulture),
                DialEnds = messages
                    .Where(m => linked is not null && Get(m, "Event") == "DialEnd" && (Get(m, "Linkedid") ?? Get(m, "DestLinkedid")) == linked)
                    .Select(m => new DialEndFact(Get(m, "Channel"), Get(m, "DestChannel"), Get(m, "DialStatus")))
                    .ToList(),
                Hangups = messages
                    .Where(m => linked is not null && Get(m, "Event") == "Hangup" && Get(m, "Linkedid") == linked)
                    .Select(m => new HangupFact(Get(m, "Channel")!, int.Parse(Get(m, "Cause")!, System.Globalization.CultureInfo.InvariantCulture), Get(m, "Cause-txt")))
                    .ToList(),
                ShutdownSeen = messages.Any(m => linked is not null && Get(m, "Event") == "SoftHangupRequest" && Get(m, "Linkedid") == linked && Get(m, "Cause") == "4"),
            };
            calls.Add((Get(or, "ActionID")!, facts));
        }

        return calls;
    }

    /// <summary>The outcome ledger's values in a capture: each <c>DBGetResponse</c>'s Key and Val (k1, k2, i4).</summary>
    public static IReadOnlyDictionary<string, string> LedgerValues(string rawFile)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in Messages(File.ReadAllText(RepoPaths.Capture(rawFile), Encoding.UTF8)).Where(m => Get(m, "Event") == "DBGetResponse"))
        {
            values[Get(m, "Key")!] = Get(m, "Val")!;
        }

        return values;
    }

    private static string? Get(Dictionary<string, string> m, string key) => m.GetValueOrDefault(key);

    private static List<Dictionary<string, string>> Messages(string raw)
    {
        var list = new List<Dictionary<string, string>>();
        foreach (var block in raw.Split("\r\n\r\n"))
        {
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in block.Split("\r\n"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers.TryAdd(line[..colon], line[(colon + 1)..].Trim());
                }
            }

            if (headers.ContainsKey("Event"))
            {
                list.Add(headers);
            }
        }

        return list;
    }
}
