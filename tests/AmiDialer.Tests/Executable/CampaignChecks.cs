using System.Globalization;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// What the tests of a campaign dialed by real processes check afterwards, the same way whatever they did to those
/// processes (kills, a database restart): the store's attempts per lead, each attempt's outcome against the record of
/// the PBX it was sent to, and that record once every call sent has ended. Lead histories are <see cref="LeadHistories"/>.
/// </summary>
internal static class CampaignChecks
{
    /// <summary>Each lead with its attempts in order, keyed by lead, phone and state.</summary>
    public static async Task<Dictionary<(long Lead, string Phone, string State), List<StoredAttempt>>> StoredAttemptsAsync(ChaosCluster cluster, long campaignId)
    {
        var rows = await cluster.QueryAsync(
            """
            SELECT l.id, l.phone, l.state, a.id, a.channel_id, a.server, a.outcome, a.created_at, a.ended_at
            FROM leads l LEFT JOIN attempts a ON a.lead_id = l.id
            WHERE l.campaign_id = @p ORDER BY l.id, a.id
            """, campaignId);
        var leads = new Dictionary<(long, string, string), List<StoredAttempt>>();
        foreach (var row in rows)
        {
            var key = (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), (string)row[1], (string)row[2]);
            if (!leads.TryGetValue(key, out var list))
            {
                leads[key] = list = [];
            }

            if (row[3] is not DBNull)
            {
                list.Add(new StoredAttempt(Convert.ToInt64(row[3], CultureInfo.InvariantCulture), (string)row[4], (string)row[5], row[6] as string, Time(row[7])!.Value, Time(row[8])));
            }
        }

        return leads;
    }

    private static DateTimeOffset? Time(object value) => value switch
    {
        DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        DateTimeOffset t => t,
        _ => null,
    };

    /// <summary>
    /// Each attempt's outcome against the record of the PBX it was sent to: equal, or (on a PBX without the ledger) unknown
    /// for a call that ended while no node followed it; one the PBX never received must be not-sent.
    /// </summary>
    public static (int Right, int Unknown, int NoCall) CompareOutcomes(IEnumerable<StoredAttempt> attempts, IReadOnlyDictionary<string, GroundTruth> truth, List<string> violations)
    {
        int right = 0, unknown = 0, noCall = 0;
        var all = GroundTruth.Merge(truth.Values);
        var received = all.Dials.Select(d => d.ChannelId).ToHashSet(StringComparer.Ordinal);
        foreach (var attempt in attempts)
        {
            string expected;
            if (all.Calls.TryGetValue(attempt.ChannelId, out var call))
            {
                expected = call.Outcome;
            }
            else if (received.Contains(attempt.ChannelId))
            {
                noCall++;
                continue;
            }
            else
            {
                expected = "not-sent";
            }

            if (attempt.Outcome == expected)
            {
                right++;
            }
            else if (attempt.Outcome == "unknown" && expected != "not-sent" && !(all.Calls.TryGetValue(attempt.ChannelId, out var c) && c.Ledger))
            {
                unknown++;
            }
            else
            {
                violations.Add($"attempt {attempt.ChannelId} on {attempt.Server}: {attempt.Outcome ?? "(none)"}, the PBX says {expected}");
            }
        }

        return (right, unknown, noCall);
    }

    /// <summary>The PBXs' records once every call that was sent has ended (or nothing was written for long past the longest call).</summary>
    public static async Task<Dictionary<string, GroundTruth>> SettledTruthAsync(IReadOnlyList<SimulatorProcess> pbxs)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var quietSince = DateTime.UtcNow;
        var lines = -1;
        while (true)
        {
            var truth = pbxs.ToDictionary(p => Path.GetFileName(p.RecordPath).Replace("-record.jsonl", "", StringComparison.Ordinal), p => p.Read());
            var now = truth.Values.Sum(t => t.Dials.Count + t.Calls.Count);
            if (now != lines)
            {
                lines = now;
                quietSince = DateTime.UtcNow;
            }

            if (truth.Values.All(t => t.DialsWithoutCall == 0) || DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(10) || DateTime.UtcNow > deadline)
            {
                return truth;
            }

            await Task.Delay(200);
        }
    }
}
