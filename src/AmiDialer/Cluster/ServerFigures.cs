using AmiDialer.Core.Cluster;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Web;

namespace AmiDialer.Cluster;

/// <summary>
/// The cluster's side of each AMI server, read from the store: the calls open on it over every node, and the cap in
/// force (the smallest a live node gives its name, <see cref="ServerAgreement"/>), with the nodes' disagreements.
/// </summary>
public sealed class ClusterServers
{
    private readonly IReadOnlyDictionary<string, int> _smallest;

    public ClusterServers(IReadOnlyDictionary<string, long> open, IReadOnlyList<ClusterNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(nodes);
        Open = open;
        Nodes = nodes;
        Described = ClusterSnapshot.NodeServersOf(nodes);
        _smallest = ServerAgreement.SmallestCaps(Described);
        Disagreements = ServerAgreement.Disagreements(Described);
    }

    /// <summary>No store read (it failed): no calls known, no other node.</summary>
    public static ClusterServers None { get; } = new(new Dictionary<string, long>(), []);

    /// <summary>Calls open in the store per server, every node's.</summary>
    public IReadOnlyDictionary<string, long> Open { get; }

    public IReadOnlyList<ClusterNode> Nodes { get; }

    /// <summary>The servers each live (or late) node describes.</summary>
    public IReadOnlyList<NodeServers> Described { get; }

    public IReadOnlyList<ServerDisagreement> Disagreements { get; }

    public long CallsOn(string server) => Open.GetValueOrDefault(server);

    /// <summary>The cap in force on <paramref name="server"/> for a node whose own setting is <paramref name="own"/>.</summary>
    public int CapOf(string server, int own) => ServerAgreement.CapFor(server, own, _smallest);

    /// <summary>The smallest cap a live node gives <paramref name="server"/>; null when none describes it.</summary>
    public int? SmallestCapOf(string server) => _smallest.TryGetValue(server, out var cap) ? cap : null;
}

/// <summary>Adds the cluster's figures to this node's view of its AMI servers, for <c>/health</c>, the dashboard and the pre-flight.</summary>
public static class ServerFigures
{
    /// <summary>The open calls per server and every node with its servers, in two light reads.</summary>
    public static async Task<ClusterServers> ReadClusterAsync(Hosting.AppServices services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        return await ReadClusterAsync(services.Database, services.Time, ct).ConfigureAwait(false);
    }

    public static async Task<ClusterServers> ReadClusterAsync(AmiDialerDatabase database, TimeProvider time, CancellationToken ct)
    {
        var open = await ServerSlots.OpenByServerAsync(database, ct).ConfigureAwait(false);
        var nodes = await new NodeRepository(database, time).ReadNodesAsync(ct).ConfigureAwait(false);
        return new ClusterServers(open, nodes);
    }

    public static ClusterServers Of(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new ClusterServers(snapshot.OpenByServer, snapshot.Nodes);
    }

    /// <summary>
    /// This node's servers (<paramref name="mine"/>, with its own setting and calls) with the cluster's calls, the cap in
    /// force and the slots free; with <paramref name="othersToo"/>, then every server only other nodes describe or that
    /// has calls open under a name no live node gives (<see cref="AmiServerHealth.ConfiguredHere"/> false).
    /// </summary>
    public static IReadOnlyList<AmiServerHealth> With(IReadOnlyList<AmiServerHealth> mine, ClusterServers cluster, bool othersToo)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentNullException.ThrowIfNull(cluster);
        var rows = mine.Select(s => Figures(s, s.MaxConcurrentCalls is { } own ? cluster.CapOf(s.Name, own) : cluster.SmallestCapOf(s.Name), cluster.CallsOn(s.Name))).ToList();
        if (!othersToo)
        {
            return rows;
        }

        var here = mine.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var others = cluster.Described.SelectMany(n => n.Servers.Select(s => (Server: s.Name, n.Node)))
            .Where(x => !here.Contains(x.Server))
            .GroupBy(x => x.Server, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var other in others)
        {
            var nodes = other.Select(x => x.Node).Distinct(StringComparer.Ordinal).ToList();
            rows.Add(Figures(new AmiServerHealth(other.Key, $"not dialed from this node ({(nodes.Count == 1 ? "node" : "nodes")} {string.Join(", ", nodes)})", false) { ConfiguredHere = false },
                cluster.SmallestCapOf(other.Key), cluster.CallsOn(other.Key)));
            here.Add(other.Key);
        }

        foreach (var (server, calls) in cluster.Open.Where(o => !here.Contains(o.Key)).OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            rows.Add(Figures(new AmiServerHealth(server, "no live node describes it", false) { ConfiguredHere = false }, null, calls));
        }

        return rows;
    }

    private static AmiServerHealth Figures(AmiServerHealth server, int? cap, long calls) => server with
    {
        MaxConcurrentCalls = cap,
        Calls = calls,
        FreeSlots = cap is { } c ? ServerUse.Free(c, calls) : null,
        InUse = ServerUse.Describe(calls, cap, server.ThisNodeCalls),
    };

    /// <summary>
    /// <see cref="With"/> after reading the store, for <c>/health</c>: when the store cannot be read, this node's view alone
    /// (the database's own check says why).
    /// </summary>
    public static async Task<IReadOnlyList<AmiServerHealth>> WithClusterAsync(IReadOnlyList<AmiServerHealth> mine, AmiDialerDatabase database, TimeProvider time, CancellationToken ct)
    {
        try
        {
            return With(mine, await ReadClusterAsync(database, time, ct).ConfigureAwait(false), othersToo: false);
        }
        catch (Exception e) when (StoreErrors.IsStoreError(e) || e is InvalidOperationException)
        {
            return mine;
        }
    }
}
