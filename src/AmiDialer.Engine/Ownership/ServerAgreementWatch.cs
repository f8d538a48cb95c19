using AmiDialer.Core.Cluster;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.Servers;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine.Ownership;

/// <summary>
/// What the heartbeat learns of the other nodes' AMI servers at each beat: a server two live nodes describe differently
/// is logged as a warning when first seen (and said again when they agree), and this node claims on each server with the
/// smallest <c>MaxConcurrentCalls</c> a live node gives its name, so the cluster stays within every operator's cap until
/// the settings agree. A node that starts after the others applies it before its first call; one already dialing within
/// a beat.
/// </summary>
internal sealed class ServerAgreementWatch(IReadOnlyList<AmiServer> servers, ILogger logger)
{
    private readonly Lock _gate = new();
    private Dictionary<string, ServerDisagreement> _seen = new(StringComparer.Ordinal);

    public void Observe(IReadOnlyList<ClusterNode> nodes)
    {
        var described = ClusterSnapshot.NodeServersOf(nodes);
        var smallest = ServerAgreement.SmallestCaps(described);
        var now = ServerAgreement.Disagreements(described).ToDictionary(d => d.Server + "\n" + d.Setting + "\n" + d.Found, StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var (key, found) in now)
            {
                if (!_seen.ContainsKey(key))
                {
                    logger.ServerDescribedDifferently(found.Server, found.Found, found.Meanwhile);
                }
            }

            foreach (var server in _seen.Values.Select(d => d.Server).Distinct(StringComparer.Ordinal))
            {
                if (!now.Values.Any(d => d.Server == server))
                {
                    logger.ServerDescribedAlike(server);
                }
            }

            _seen = now;
            foreach (var server in servers)
            {
                var before = server.MaxConcurrentCalls;
                server.ClusterCap = smallest.GetValueOrDefault(server.Name);
                var after = server.MaxConcurrentCalls;
                if (after == before)
                {
                    continue;
                }

                if (after < server.ConfiguredMaxConcurrentCalls)
                {
                    logger.ServerCapLowered(server.Name, after, server.ConfiguredMaxConcurrentCalls);
                }
                else
                {
                    logger.ServerCapRestored(server.Name, after);
                }
            }
        }
    }
}
