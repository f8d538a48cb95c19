using AmiDialer.Core.Cluster;

namespace AmiDialer.Core.Doctor;

/// <summary>
/// The doctor's <c>cluster</c> check of one server: whether the other live nodes describe it as this node (or this
/// configuration) does. Nothing when no other node describes it: a single node has nothing to agree with.
/// </summary>
public static class ClusterCheck
{
    public const string Name = "cluster";

    /// <param name="server">The server's name in this node's settings.</param>
    /// <param name="described">Every live node's servers, this node's (or this configuration's, named <paramref name="self"/>) among them.</param>
    public static IReadOnlyList<DoctorCheck> For(string server, IReadOnlyList<NodeServers> described, string self)
    {
        ArgumentNullException.ThrowIfNull(described);
        // A disagreement on the name of this server's address names this server among the names it lists.
        var found = ServerAgreement.Disagreements(described)
            .Where(d => d.Names.Contains(server, StringComparer.Ordinal))
            .Select(d => DoctorCheck.Warn(Name, $"{d.Found}; {d.Meanwhile}",
                d.Setting == "Name"
                    ? $"give the Asterisk at {d.Server} one Ami:Servers:n:Name on every node"
                    : $"give {server} the same Ami:Servers:n:{d.Setting} on every node"))
            .ToList();
        if (found.Count > 0)
        {
            return found;
        }

        var others = described.Where(n => n.Node != self && n.Servers.Any(s => s.Name == server)).Select(n => n.Node).ToList();
        return others.Count == 0 ? []
            : [DoctorCheck.Ok(Name, $"described alike by {(others.Count == 1 ? "the other live node" : $"the {others.Count} other live nodes")} ({string.Join(", ", others)})")];
    }
}
