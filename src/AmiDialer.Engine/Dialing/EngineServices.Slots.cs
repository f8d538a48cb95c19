using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.Dialing;

/// <summary>
/// A server's <c>MaxConcurrentCalls</c> over every process that dials it (<see cref="ServerSlots"/>): each claim carries
/// the cap and the store refuses one beyond it; the counts the store gives back tell each server how many slots the
/// others use, so a dialer picks a server with room by the cluster's count, not only its own.
/// </summary>
internal sealed partial class EngineServices
{
    private int _counting;

    /// <summary>
    /// Counts again the servers where other processes held slots at the last count and that count is older than
    /// <see cref="DialerEngineOptions.IdleWait"/>: their calls end unseen here, and a stale count would keep this process
    /// off slots they have freed. One count at a time for the whole engine; a failure is logged and tried at the next look.
    /// </summary>
    public async Task RefreshServerSlotsAsync()
    {
        var stale = Servers.Where(s => s.OthersStale(Options.IdleWait)).ToList();
        if (stale.Count == 0 || Interlocked.CompareExchange(ref _counting, 1, 0) != 0)
        {
            return;
        }

        try
        {
            var counts = await ServerSlots.CountOpenAsync(Database, [.. stale.Select(s => (s.Name, s.MaxConcurrentCalls))], CancellationToken.None).ConfigureAwait(false);
            foreach (var server in stale)
            {
                server.ObserveOpenInStore(counts.GetValueOrDefault(server.Name));
            }
        }
        catch (Exception e) when (StoreErrors.IsStoreError(e))
        {
            Logger.ServerCountFailed(e);
        }
        finally
        {
            Volatile.Write(ref _counting, 0);
        }
    }

    /// <summary>
    /// What a batch of claims learned of its servers: the last count of each (the claims of one transaction count up)
    /// becomes its others' share; a server found full is said in the debug log.
    /// </summary>
    public void ObserveClaims(IReadOnlyList<AmiServer> servers, IReadOnlyList<DialClaimResult> results)
    {
        Dictionary<AmiServer, (int Open, int Refused)>? seen = null;
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].ServerOpen is not { } open)
            {
                continue;
            }

            seen ??= [];
            var (max, refused) = seen.GetValueOrDefault(servers[i]);
            seen[servers[i]] = (Math.Max(max, open), refused + (results[i].Status == DialClaimStatus.ServerFull ? 1 : 0));
        }

        if (seen is null)
        {
            return;
        }

        foreach (var (server, (open, refused)) in seen)
        {
            server.ObserveOpenInStore(open);
            if (refused > 0)
            {
                Logger.ServerFullInStore(server.Name, open, server.MaxConcurrentCalls, refused);
            }
        }
    }
}
