using System.Globalization;
using System.Text.Json;

namespace AmiDialer.Tests.Executable;

/// <summary>An Originate the simulator received: every dial, including those that made no call.</summary>
internal sealed record SimulatedDial(string ChannelId, string Number, DateTimeOffset At);

/// <summary>A call the simulator ended, with its true outcome (the CallOutcome wire names) and its live span.</summary>
internal sealed record SimulatedCall(string ChannelId, string Number, string Outcome, bool Answered, DateTimeOffset StartedAt, DateTimeOffset EndedAt, bool Ledger);

/// <summary>
/// What really happened on the simulated PBX, from <c>simulate --record</c>: one JSON line per Originate received
/// (<c>{"originate":…,"number":…,"at":…}</c>) and one per call when it ends (<c>{"channelId":…,"outcome":…}</c>).
/// </summary>
internal sealed class GroundTruth
{
    public List<SimulatedDial> Dials { get; } = [];

    public Dictionary<string, SimulatedCall> Calls { get; } = new(StringComparer.Ordinal);

    public static GroundTruth Read(string path)
    {
        var truth = new GroundTruth();
        if (!File.Exists(path))
        {
            return truth;
        }

        // Shared: the simulator keeps it open for appending.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException) when (reader.EndOfStream)
            {
                // The last line while it is being written.
                break;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.TryGetProperty("originate", out var originate))
                {
                    truth.Dials.Add(new SimulatedDial(originate.GetString()!, Text(root, "number"), Time(root, "at")));
                }
                else if (root.TryGetProperty("channelId", out var channelId))
                {
                    truth.Calls[channelId.GetString()!] = new SimulatedCall(
                        channelId.GetString()!, Text(root, "number"), Text(root, "outcome"), root.GetProperty("answered").GetBoolean(),
                        Time(root, "startedAt"), Time(root, "endedAt"), root.TryGetProperty("ledger", out var ledger) && ledger.GetBoolean());
                }
                else
                {
                    throw new InvalidDataException($"{path}: a line that is neither an Originate nor a call: {line}");
                }
            }
        }

        return truth;
    }

    /// <summary>Several PBXs' records as one (a number may be dialed on any of them; ChannelIds are unique across them).</summary>
    public static GroundTruth Merge(IEnumerable<GroundTruth> parts)
    {
        var all = new GroundTruth();
        foreach (var part in parts)
        {
            all.Dials.AddRange(part.Dials);
            foreach (var (channelId, call) in part.Calls)
            {
                all.Calls[channelId] = call;
            }
        }

        return all;
    }

    /// <summary>The most calls that were live at one moment on this PBX (by the spans it recorded).</summary>
    public int MostLiveAtOnce()
    {
        var most = 0;
        var live = 0;
        // An end sorts before a start at the same instant: a span [a, b) does not overlap one starting at b.
        foreach (var (_, delta) in Calls.Values.SelectMany(c => new[] { (c.StartedAt, 1), (c.EndedAt, -1) }).OrderBy(e => e.Item1).ThenBy(e => e.Item2))
        {
            live += delta;
            most = Math.Max(most, live);
        }

        return most;
    }

    /// <summary>Dials made again to a number after a call to it was answered (by when each Originate was received).</summary>
    public List<string> RedialsOfAnswered()
    {
        var found = new List<string>();
        foreach (var group in Dials.GroupBy(d => d.Number))
        {
            var dials = group.OrderBy(d => d.At).ToList();
            var firstAnswered = dials.FindIndex(d => Calls.TryGetValue(d.ChannelId, out var call) && call.Answered);
            if (firstAnswered < 0)
            {
                continue;
            }

            foreach (var again in dials.Skip(firstAnswered + 1))
            {
                found.Add($"{group.Key}: answered on {dials[firstAnswered].ChannelId} at {dials[firstAnswered].At:HH:mm:ss.fff}, dialed again as {again.ChannelId} at {again.At:HH:mm:ss.fff}");
            }
        }

        return found;
    }

    /// <summary>Numbers that had two calls live at the same moment.</summary>
    public List<string> OverlappingCalls()
    {
        var found = new List<string>();
        foreach (var group in Calls.Values.GroupBy(c => c.Number))
        {
            var calls = group.OrderBy(c => c.StartedAt).ToList();
            for (var i = 1; i < calls.Count; i++)
            {
                var earlier = calls.Take(i).FirstOrDefault(c => c.EndedAt > calls[i].StartedAt);
                if (earlier is not null)
                {
                    found.Add($"{group.Key}: {earlier.ChannelId} live {earlier.StartedAt:HH:mm:ss.fff}-{earlier.EndedAt:HH:mm:ss.fff} and {calls[i].ChannelId} from {calls[i].StartedAt:HH:mm:ss.fff}");
                }
            }
        }

        return found;
    }

    /// <summary>Originates still without their call's line: calls live now, or Originates that made no call.</summary>
    public int DialsWithoutCall => Dials.Count(d => !Calls.ContainsKey(d.ChannelId));

    private static string Text(JsonElement root, string name) => root.GetProperty(name).GetString() ?? "";

    private static DateTimeOffset Time(JsonElement root, string name) =>
        DateTimeOffset.Parse(root.GetProperty(name).GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
