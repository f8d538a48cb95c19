using AmiDialer.Engine.Tracking;

namespace AmiDialer.Engine.Dialing;

/// <summary>Taking over the open attempts of a lease this process has just come to hold.</summary>
internal sealed partial class EngineServices
{
    /// <summary>
    /// Hands every open attempt the lease <paramref name="leaseKey"/> owns to its server (<see cref="Servers.AmiServer.Adopt"/>),
    /// which follows it like its own calls and checks it against Asterisk. Attempts sent to a server that is not
    /// configured here are left open and untouched: returned by server name, to be reported as waiting for it.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> AdoptOwnedAsync(string leaseKey, CancellationToken cancellationToken)
    {
        var open = await Attempts.ListOpenOwnedAsync(leaseKey, cancellationToken).ConfigureAwait(false);
        var waiting = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in open.GroupBy(a => a.Server, StringComparer.Ordinal))
        {
            var server = Servers.FirstOrDefault(s => s.Name == group.Key);
            if (server is null)
            {
                waiting[group.Key] = group.Count();
                Logger.WaitingForServer(leaseKey, group.Key, group.Count());
                continue;
            }

            // Calls this process placed itself are followed already; the server skips them.
            var adopted = new List<TrackedCallStart>();
            foreach (var attempt in group.Where(a => !Calls.ContainsKey(a.Id)))
            {
                adopted.Add(TrackedCallStart.Adopting(attempt, await KindOfAsync(attempt.CampaignId, cancellationToken).ConfigureAwait(false)));
            }

            if (adopted.Count > 0)
            {
                Logger.AdoptedOwnedAttempts(leaseKey, adopted.Count, server.Name);
                server.Adopt(adopted);
            }
        }

        return waiting;
    }

    /// <summary>Which way Core's outcome table reads a campaign's calls: click-to-call for the built-in campaign.</summary>
    private async Task<Core.Outcomes.CallKind> KindOfAsync(long campaignId, CancellationToken cancellationToken) =>
        CallControl.ClickToCallCampaign.KindOf(await Campaigns.GetAsync(campaignId, cancellationToken).ConfigureAwait(false));

    /// <summary>"waiting for server X (n calls)": what a dialer's status says while attempts sent there stay open.</summary>
    public static string? DescribeWaiting(IReadOnlyDictionary<string, int> waiting) =>
        waiting.Count == 0
            ? null
            : string.Join("; ", waiting.Select(w => $"waiting for server {w.Key} ({w.Value} call(s) sent there are still open; configure it again to learn their outcomes)"));
}
