using System.Globalization;
using System.Text;
using System.Text.Json;
using AmiDialer.Data.Repositories;
using AmiDialer.Reports;
using AmiDialer.Web.Infrastructure;

namespace AmiDialer.Cluster;

/// <summary>A campaign whose lease a node holds: that node dials it.</summary>
public sealed record NodeCampaignDto(long Id, string Name, string State);

/// <summary>Calls open in the store on one AMI server.</summary>
public sealed record ServerCallsDto(string Server, long Calls);

/// <summary>One node of the cluster.</summary>
/// <param name="Status">live, late (two beats missed), gone (four missed, or its process is gone from the reader's host) or stopped (it said so).</param>
/// <param name="State">What the node last wrote: running, draining (a graceful stop follows its live calls) or stopped.</param>
/// <param name="HeartbeatAgeSeconds">The store's clock less its last beat: never the reader's own clock.</param>
/// <param name="This">The node that answered this request.</param>
/// <param name="Leases">Other leases it holds (click-to-call: <c>c2c:&lt;node&gt;</c>; taken-over ones).</param>
/// <param name="OpenCalls">Calls open in the store under its leases, per AMI server.</param>
public sealed record ClusterNodeDto(string Name, string Status, string State, bool This, string Host, long Pid, string Version, DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat, double HeartbeatAgeSeconds, double HeartbeatIntervalSeconds, long Heartbeats, DateTimeOffset? StoppedAt,
    IReadOnlyList<NodeCampaignDto> Campaigns, IReadOnlyList<string> Leases, IReadOnlyList<ServerCallsDto> OpenCalls, long OpenCallsTotal)
{
    /// <summary>Its AMI servers as it described them at start; null when it is of a version before schema step 12.</summary>
    public IReadOnlyList<NodeServerDto>? AmiServers { get; init; }
}

/// <summary>One AMI server as a node describes it (never its login).</summary>
/// <param name="Key">Its settings key on that node, e.g. <c>Ami:Servers:0</c>.</param>
public sealed record NodeServerDto(string Key, string Name, string Endpoint, int MaxConcurrentCalls);

/// <summary>One AMI server of the cluster: the calls open on it over every node against the cap in force.</summary>
/// <param name="MaxConcurrentCalls">The cap in force: the smallest a live node gives it; null when no live node describes it.</param>
/// <param name="ThisNodeCalls">Of <paramref name="Calls"/>, those under the answering node's leases; null from the CLI.</param>
/// <param name="Nodes">The live (or late) nodes that describe it.</param>
/// <param name="InUse">"12 of 40 in use, 5 by this node".</param>
public sealed record ClusterServerDto(string Name, int? MaxConcurrentCalls, long Calls, long? ThisNodeCalls, long? FreeSlots, IReadOnlyList<string> Nodes, string InUse);

/// <summary>A setting two live nodes give one AMI server differently (<see cref="Core.Cluster.ServerDisagreement"/>).</summary>
public sealed record ServerDisagreementDto(string Server, string Setting, IReadOnlyList<string> Nodes, string Found, string Meanwhile, string Message);

/// <summary>A lease holder with no node row (a process of a version before the nodes table): what it holds.</summary>
public sealed record UnlistedHolderDto(string Owner, IReadOnlyList<NodeCampaignDto> Campaigns, IReadOnlyList<string> Leases, IReadOnlyList<ServerCallsDto> OpenCalls);

/// <summary>What <c>GET /api/cluster</c> returns and <c>amidialer cluster --format json</c> prints.</summary>
/// <param name="At">The store's clock when it was read.</param>
/// <param name="ThisNode">The node that answered; null from the CLI (it runs no engine).</param>
/// <param name="Unowned">Calls open in the store whose lease nobody holds: a node adopts them when it takes the lease.</param>
public sealed record ClusterDto(DateTimeOffset At, string Store, string? ThisNode, int Live, IReadOnlyList<ClusterNodeDto> Nodes,
    IReadOnlyList<UnlistedHolderDto> Unlisted, IReadOnlyList<ServerCallsDto> Unowned)
{
    /// <summary>Every AMI server a live node describes or with calls open, with the cluster's calls and the cap in force.</summary>
    public IReadOnlyList<ClusterServerDto> Servers { get; init; } = [];

    /// <summary>Settings two live nodes give one server differently; empty when they agree.</summary>
    public IReadOnlyList<ServerDisagreementDto> Disagreements { get; init; } = [];
}

/// <summary>The cluster as the store has it, for the Cluster page, <c>GET /api/cluster</c> and <c>amidialer cluster</c>.</summary>
public static class ClusterView
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new UtcTimeJsonConverter() },
        WriteIndented = true,
    };

    public static async Task<ClusterDto> ReadAsync(Hosting.AppServices services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        var snapshot = await new NodeRepository(services.Database, services.Time).ReadClusterAsync(ct);
        return Build(snapshot, services.DatabaseWhere, services.Engine?.Options.InstanceName);
    }

    public static ClusterDto Build(ClusterSnapshot snapshot, string store, string? thisNode)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var nodes = snapshot.Nodes.Select(n =>
        {
            var (campaigns, leases, calls) = Holdings(snapshot, n.Name);
            return new ClusterNodeDto(n.Name, NodeLiveness.Name(n.Status), n.State, n.Name == thisNode, n.Host, n.Pid, n.Version, n.StartedAt, n.HeartbeatAt,
                Math.Round(n.Age.TotalSeconds, 1), n.HeartbeatInterval.TotalSeconds, n.Heartbeat, n.StoppedAt, campaigns, leases, calls, calls.Sum(c => c.Calls))
            {
                AmiServers = n.Servers?.Select(s => new NodeServerDto(s.Key, s.Name, s.Endpoint, s.MaxConcurrentCalls)).ToList(),
            };
        }).ToList();
        var listed = snapshot.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var unlisted = snapshot.Leases.Select(l => l.Owner).Concat(snapshot.Calls.Select(c => c.Owner))
            .Where(o => o.Length > 0 && !listed.Contains(o)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(o =>
            {
                var (campaigns, leases, calls) = Holdings(snapshot, o);
                return new UnlistedHolderDto(o, campaigns, leases, calls);
            }).ToList();
        var unowned = snapshot.Calls.Where(c => c.Owner.Length == 0).Select(c => new ServerCallsDto(c.Server, c.Calls)).ToList();
        var servers = ServerFigures.Of(snapshot);
        return new ClusterDto(snapshot.At, store, thisNode, nodes.Count(n => n.Status == "live"), nodes, unlisted, unowned)
        {
            Servers = ServersOf(snapshot, servers, thisNode),
            Disagreements = [.. servers.Disagreements.Select(d => new ServerDisagreementDto(d.Server, d.Setting, d.Nodes, d.Found, d.Meanwhile, d.Message))],
        };
    }

    private static List<ClusterServerDto> ServersOf(ClusterSnapshot snapshot, ClusterServers servers, string? thisNode)
    {
        var describedBy = servers.Described.SelectMany(n => n.Servers.Select(s => (Server: s.Name, n.Node)))
            .GroupBy(x => x.Server, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(x => x.Node).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        return [.. describedBy.Keys.Concat(servers.Open.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(name =>
        {
            var cap = servers.SmallestCapOf(name);
            var calls = servers.CallsOn(name);
            long? mine = thisNode is null ? null : snapshot.Calls.Where(c => c.Owner == thisNode && c.Server == name).Sum(c => c.Calls);
            return new ClusterServerDto(name, cap, calls, mine, cap is { } c ? Core.Cluster.ServerUse.Free(c, calls) : null,
                describedBy.GetValueOrDefault(name) ?? [], Core.Cluster.ServerUse.Describe(calls, cap, mine is { } m ? (int)m : null));
        })];
    }

    private static (IReadOnlyList<NodeCampaignDto> Campaigns, IReadOnlyList<string> Leases, IReadOnlyList<ServerCallsDto> Calls) Holdings(ClusterSnapshot snapshot, string owner)
    {
        var held = snapshot.Leases.Where(l => l.Owner == owner).ToList();
        return (
            [.. held.Where(l => l.CampaignId is not null).Select(l => new NodeCampaignDto(l.CampaignId!.Value, l.Campaign ?? "", l.CampaignState ?? ""))],
            [.. held.Where(l => l.CampaignId is null).Select(l => l.Key)],
            [.. snapshot.Calls.Where(c => c.Owner == owner).Select(c => new ServerCallsDto(c.Server, c.Calls))]);
    }

    /// <summary>"2.3 s ago" for the table and the page.</summary>
    public static string Ago(double seconds) =>
        seconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0.#} s ago")
        : seconds < 7200 ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0} min ago")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#} h ago");

    /// <summary>"pbx1 3, pbx2 1" (or "none").</summary>
    public static string Calls(IReadOnlyList<ServerCallsDto> calls) =>
        calls.Count == 0 ? "none" : string.Join(", ", calls.Select(c => c.Server + " " + c.Calls.ToString(CultureInfo.InvariantCulture)));

    /// <summary>"spring (running), #7 autumn (paused)", or "none".</summary>
    public static string Campaigns(IReadOnlyList<NodeCampaignDto> campaigns) =>
        campaigns.Count == 0 ? "none" : string.Join(", ", campaigns.Select(c => $"{c.Name} ({c.State})"));

    public static string Table(ClusterDto cluster, TableStyle style)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Cluster on {cluster.Store}: {cluster.Live} of {cluster.Nodes.Count} node(s) live.").AppendLine();
        if (cluster.Nodes.Count > 0)
        {
            var table = new TextTable("node", "status", "state", "heartbeat", "host", "pid", "version", "started (UTC)", "campaigns", "open calls");
            foreach (var n in cluster.Nodes)
            {
                table.Add(n.This ? n.Name + " (this)" : n.Name, n.Status, n.State, Ago(n.HeartbeatAgeSeconds), n.Host, n.Pid.ToString(CultureInfo.InvariantCulture),
                    n.Version.Split('+')[0], n.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Campaigns(n.Campaigns), Calls(n.OpenCalls));
            }

            sb.Append(table.Render(style));
        }

        foreach (var u in cluster.Unlisted)
        {
            sb.Append("Held by ").Append(u.Owner).Append(" (no node row: an older version): campaigns ").Append(Campaigns(u.Campaigns))
              .Append("; open calls ").AppendLine(Calls(u.OpenCalls));
        }

        if (cluster.Unowned.Count > 0)
        {
            sb.Append("Open calls no node holds yet (adopted when a node takes their lease): ").AppendLine(Calls(cluster.Unowned));
        }

        if (cluster.Servers.Count > 0)
        {
            sb.AppendLine().AppendLine("AMI servers (calls over every node; the cap in force is the smallest a live node gives):");
            var table = new TextTable("server", "calls", "max concurrent", "free slots", "described by");
            foreach (var s in cluster.Servers)
            {
                table.Add(s.Name, s.Calls.ToString(CultureInfo.InvariantCulture), s.MaxConcurrentCalls?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    s.FreeSlots?.ToString(CultureInfo.InvariantCulture) ?? "-", s.Nodes.Count == 0 ? "no live node" : string.Join(", ", s.Nodes));
            }

            sb.Append(table.Render(style));
        }

        foreach (var d in cluster.Disagreements)
        {
            sb.Append("WARN ").AppendLine(d.Message);
        }

        return sb.ToString();
    }
}
