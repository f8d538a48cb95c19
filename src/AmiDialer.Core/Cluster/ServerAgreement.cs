using System.Globalization;

namespace AmiDialer.Core.Cluster;

/// <summary>
/// Whether the nodes of a cluster describe each Asterisk alike. The store counts a server's calls by its name, so every
/// node must give one Asterisk one name, one address and one <c>MaxConcurrentCalls</c>: two caps for one name make the
/// cap depend on which node claims; two addresses under one name share one count between two Asterisks; two names for
/// one address count one Asterisk twice. Until the settings agree, every node claims with the smallest cap any live node
/// gives the name (<see cref="SmallestCaps"/>): the cluster never goes over what any node's operator allowed.
/// </summary>
public static class ServerAgreement
{
    /// <summary>Every setting two or more nodes give one server differently, by server then setting.</summary>
    public static IReadOnlyList<ServerDisagreement> Disagreements(IReadOnlyList<NodeServers> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var entries = Entries(nodes);
        var found = new List<ServerDisagreement>();
        foreach (var byName in entries.GroupBy(e => e.Server.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var cap = Differ(byName.Key, "MaxConcurrentCalls", byName, s => s.MaxConcurrentCalls.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal,
                $"until they agree every node claims with the smallest, {byName.Min(e => e.Server.MaxConcurrentCalls).ToString(CultureInfo.InvariantCulture)}");
            var host = Differ(byName.Key, "Host", byName, s => s.Host, StringComparer.OrdinalIgnoreCase,
                "two Asterisks under one name share one count of calls: give each its own Name");
            var port = Differ(byName.Key, "Port", byName, s => s.Port.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal,
                "two Asterisks under one name share one count of calls: give each its own Name");
            found.AddRange(new[] { cap, host, port }.OfType<ServerDisagreement>());
        }

        foreach (var byEndpoint in entries.GroupBy(e => e.Server.Endpoint, StringComparer.OrdinalIgnoreCase).OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (Differ(byEndpoint.First().Server.Endpoint, "Name", byEndpoint, s => s.Name, StringComparer.Ordinal,
                "one Asterisk counted as two servers: neither name's MaxConcurrentCalls holds for its calls together") is { } name)
            {
                found.Add(name);
            }
        }

        return found;
    }

    /// <summary>Each server name with the smallest <c>MaxConcurrentCalls</c> any of <paramref name="nodes"/> gives it.</summary>
    public static IReadOnlyDictionary<string, int> SmallestCaps(IReadOnlyList<NodeServers> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return Entries(nodes).GroupBy(e => e.Server.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(e => e.Server.MaxConcurrentCalls), StringComparer.Ordinal);
    }

    /// <summary>
    /// The smallest cap of <paramref name="server"/> over <paramref name="nodes"/>, never above <paramref name="own"/>:
    /// what this node claims with.
    /// </summary>
    public static int CapFor(string server, int own, IReadOnlyDictionary<string, int> smallest)
    {
        ArgumentNullException.ThrowIfNull(smallest);
        return smallest.TryGetValue(server, out var cap) ? Math.Min(own, cap) : own;
    }

    private sealed record Entry(string Node, ServerDescription Server);

    // One entry per node and server name (a node's first entry of a name: its settings refuse a name twice).
    private static List<Entry> Entries(IReadOnlyList<NodeServers> nodes) =>
        [.. nodes.SelectMany(n => n.Servers.DistinctBy(s => s.Name, StringComparer.Ordinal).Select(s => new Entry(n.Node, s)))];

    private static ServerDisagreement? Differ(string server, string setting, IEnumerable<Entry> group, Func<ServerDescription, string> value, StringComparer comparer, string meanwhile)
    {
        var entries = group.ToList();
        var values = entries.GroupBy(e => value(e.Server), comparer).ToList();
        if (values.Count < 2)
        {
            return null;
        }

        // "Ami:Servers:0:MaxConcurrentCalls 40 on node a, 60 on node b"; each node's own key when their indexes differ.
        var sameKey = entries.Select(e => e.Server.Index).Distinct().Count() == 1;
        var parts = sameKey
            ? values.Select((g, i) => (i == 0 ? $"{g.First().Server.Key}:{setting} " : "") + $"{value(g.First().Server)} on {NodeList(g.Select(e => e.Node))}")
            : entries.Select(e => $"{e.Server.Key}:{setting} {value(e.Server)} on node {e.Node}");
        return new ServerDisagreement(server, setting, [.. entries.Select(e => e.Node).Distinct(StringComparer.Ordinal)], string.Join(", ", parts), meanwhile)
        {
            Names = [.. entries.Select(e => e.Server.Name).Distinct(StringComparer.Ordinal)],
        };
    }

    private static string NodeList(IEnumerable<string> nodes)
    {
        var list = nodes.ToList();
        return list.Count == 1 ? "node " + list[0] : "nodes " + string.Join(", ", list[..^1]) + " and " + list[^1];
    }
}
