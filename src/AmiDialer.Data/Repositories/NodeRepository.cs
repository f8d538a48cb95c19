using System.Text.Json;
using AmiDialer.Core.Cluster;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// The cluster's nodes (schema step 10): each process that runs the dialing engine registers its row and beats it; any
/// process reads them with what each node holds (<see cref="ReadClusterAsync"/>). Instants are the store's clock: the
/// database server's on PostgreSQL (<c>clock_timestamp()</c>, written and read there), so two hosts whose clocks differ
/// still agree on a beat's age; on SQLite every process shares one host (the file is local), whose clock
/// <paramref name="time"/> reads.
/// </summary>
public sealed class NodeRepository(AmiDialerDatabase database, TimeProvider? time = null)
{
    /// <summary>Rows whose last beat is older than this are deleted when a node registers: an instance name is new at every start.</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(1);

    /// <summary>Stopped nodes go sooner: every <c>run</c> and <c>call</c> is a node while it runs, and the list is for the live ones.</summary>
    public static readonly TimeSpan KeepStoppedFor = TimeSpan.FromHours(1);

    private readonly TimeProvider time = time ?? TimeProvider.System;

    private bool Postgres => database.Dialect.IsPostgres;

    /// <summary>The store's "now" in SQL: the server's clock on PostgreSQL, the bound <c>@now</c> on SQLite.</summary>
    private string Now => Postgres ? "clock_timestamp()" : "@now";

    private DynamicParameters Parameters(object values)
    {
        var parameters = new DynamicParameters(values);
        if (!Postgres)
        {
            parameters.Add("now", time.GetUtcNow());
        }

        return parameters;
    }

    /// <summary>
    /// Writes (or rewrites) this node's row, running, first beat now; deletes the rows of nodes silent for
    /// <see cref="KeepFor"/>, or stopped for <see cref="KeepStoppedFor"/>.
    /// </summary>
    public async Task RegisterAsync(NodeRegistration node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(node.Name);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var parameters = Parameters(new
        {
            node.Name,
            node.Host,
            hostId = node.Process.Host,
            pid = node.Process.Pid,
            start = node.Process.Start,
            node.Version,
            ms = (long)node.HeartbeatInterval.TotalMilliseconds,
            state = NodeStates.Running,
            servers = ServersJson(node.Servers),
        });
        var cutoff = Postgres ? $"{Now} - interval '{(int)KeepFor.TotalSeconds} seconds'" : "@cutoff";
        var stoppedCutoff = Postgres ? $"{Now} - interval '{(int)KeepStoppedFor.TotalSeconds} seconds'" : "@stoppedCutoff";
        if (!Postgres)
        {
            parameters.Add("cutoff", time.GetUtcNow() - KeepFor);
            parameters.Add("stoppedCutoff", time.GetUtcNow() - KeepStoppedFor);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            DELETE FROM nodes WHERE (heartbeat_at < {cutoff} OR (state = '{NodeStates.Stopped}' AND heartbeat_at < {stoppedCutoff})) AND name <> @Name;
            INSERT INTO nodes (name, host, host_id, pid, process_start, version, started_at, heartbeat, heartbeat_at, heartbeat_ms, state, stopped_at, ami_servers)
            VALUES (@Name, @Host, @hostId, @pid, @start, @Version, {Now}, 1, {Now}, @ms, @state, NULL, @servers)
            ON CONFLICT (name) DO UPDATE SET host = excluded.host, host_id = excluded.host_id, pid = excluded.pid,
                process_start = excluded.process_start, version = excluded.version, started_at = excluded.started_at,
                heartbeat = nodes.heartbeat + 1, heartbeat_at = excluded.heartbeat_at, heartbeat_ms = excluded.heartbeat_ms,
                state = excluded.state, stopped_at = NULL, ami_servers = excluded.ami_servers
            """, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// One beat: the counter goes up, the instant is now, the state is <paramref name="state"/> (running, draining, or
    /// stopped, which also stamps <c>stopped_at</c>). False when the row is gone (deleted by hand): register again.
    /// </summary>
    public async Task<bool> BeatAsync(string name, string state, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!NodeStates.All.Contains(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "running, draining or stopped");
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE nodes SET heartbeat = heartbeat + 1, heartbeat_at = {Now}, state = @state,
                stopped_at = CASE WHEN @state = '{NodeStates.Stopped}' THEN {Now} ELSE NULL END
            WHERE name = @name
            """, Parameters(new { name, state }), cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// Every node with its liveness at the store's clock, the leases each holds (campaigns by name), and the calls open in
    /// the store per lease holder and AMI server; one snapshot, so the three agree.
    /// </summary>
    public async Task<ClusterSnapshot> ReadClusterAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = SqlDialect.BeginSnapshot(connection);
        var now = Postgres
            ? await connection.ExecuteScalarAsync<DateTimeOffset>(new CommandDefinition("SELECT clock_timestamp()", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)
            : time.GetUtcNow();
        var rows = await connection.QueryAsync<NodeRow>(new CommandDefinition(
            """
            SELECT name AS Name, host AS Host, host_id AS HostId, pid AS Pid, process_start AS ProcessStart, version AS Version,
                   started_at AS StartedAt, heartbeat AS Heartbeat, heartbeat_at AS HeartbeatAt, heartbeat_ms AS HeartbeatMs,
                   state AS State, stopped_at AS StoppedAt, ami_servers AS AmiServers
            FROM nodes ORDER BY started_at, name
            """, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var leases = await connection.QueryAsync<LeaseRow>(new CommandDefinition(
            """
            SELECT l.key AS Key, l.owner AS Owner, l.acquired_at AS AcquiredAt, c.id AS CampaignId, c.name AS Campaign, c.state AS CampaignState
            FROM leases l LEFT JOIN campaigns c ON l.key = 'campaign:' || c.id
            ORDER BY l.owner, l.key
            """, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        // Open attempts only (the partial index on open attempts by lease): each counts for the node whose lease owns it
        // now; an attempt whose lease row is gone waits for a node to adopt it, under the empty owner.
        var calls = await connection.QueryAsync<CallsRow>(new CommandDefinition(
            """
            SELECT COALESCE(l.owner, '') AS Owner, a.server AS Server, count(*) AS Calls
            FROM attempts a LEFT JOIN leases l ON l.key = a.lease_key
            WHERE a.state <> 'ended'
            GROUP BY COALESCE(l.owner, ''), a.server
            ORDER BY 1, 2
            """, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ClusterSnapshot(now, [.. rows.Select(r => r.ToNode(now))],
            [.. leases.Select(l => new HeldLease(l.Key, l.Owner, l.AcquiredAt, l.CampaignId, l.Campaign, l.CampaignState))],
            [.. calls.Select(c => new OpenCalls(c.Owner, c.Server, c.Calls))]);
    }

    /// <summary>
    /// Who dials the campaign: the holder of its lease, with that holder's node judged at the store's clock (null when
    /// it has no node row); null when nobody holds the lease. One read, for a campaign page polled twice a second.
    /// </summary>
    public async Task<(string Owner, ClusterNode? Node)?> GetDialerAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<DialerRow>(new CommandDefinition(
            $"""
            SELECT l.owner AS Owner, {(Postgres ? "clock_timestamp()" : "NULL")} AS Now,
                   n.name AS Name, n.host AS Host, n.host_id AS HostId, n.pid AS Pid, n.process_start AS ProcessStart, n.version AS Version,
                   n.started_at AS StartedAt, n.heartbeat AS Heartbeat, n.heartbeat_at AS HeartbeatAt, n.heartbeat_ms AS HeartbeatMs,
                   n.state AS State, n.stopped_at AS StoppedAt, n.ami_servers AS AmiServers
            FROM leases l LEFT JOIN nodes n ON n.name = l.owner
            WHERE l.key = @key
            """, new { key = LeaseKeys.Campaign(campaignId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        return (row.Owner, row.Name is null ? null : row.ToNode(row.Now ?? time.GetUtcNow()));
    }

    /// <summary>
    /// Every node with its liveness and the AMI servers it describes, without the leases and calls of
    /// <see cref="ReadClusterAsync"/>: what a node reads at each beat to compare its servers with the others'.
    /// </summary>
    public async Task<IReadOnlyList<ClusterNode>> ReadNodesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<DialerRow>(new CommandDefinition(
            $"""
            SELECT {(Postgres ? "clock_timestamp()" : "NULL")} AS Now, name AS Name, host AS Host, host_id AS HostId, pid AS Pid, process_start AS ProcessStart,
                   version AS Version, started_at AS StartedAt, heartbeat AS Heartbeat, heartbeat_at AS HeartbeatAt, heartbeat_ms AS HeartbeatMs,
                   state AS State, stopped_at AS StoppedAt, ami_servers AS AmiServers
            FROM nodes ORDER BY started_at, name
            """, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var now = rows.FirstOrDefault()?.Now ?? time.GetUtcNow();
        return [.. rows.Select(r => r.ToNode(now))];
    }

    private static string ServersJson(IReadOnlyList<ServerDescription> servers) =>
        JsonSerializer.Serialize([.. servers.Select(s => new NodeServerJson(s.Index, s.Name, s.Host, s.Port, s.MaxConcurrentCalls))], DataJson.Default.ListNodeServerJson);

    // A row a version before step 12 wrote has none: unknown, never "no servers".
    private static IReadOnlyList<ServerDescription>? ParseServers(string? json) =>
        json is null ? null
        : (JsonSerializer.Deserialize(json, DataJson.Default.ListNodeServerJson) ?? []).Select(s => new ServerDescription(s.Index, s.Name, s.Host, s.Port, s.MaxConcurrentCalls)).ToList();

    private sealed class LeaseRow
    {
        public string Key { get; set; } = "";
        public string Owner { get; set; } = "";
        public DateTimeOffset AcquiredAt { get; set; }
        public long? CampaignId { get; set; }
        public string? Campaign { get; set; }
        public string? CampaignState { get; set; }
    }

    private sealed class CallsRow
    {
        public string Owner { get; set; } = "";
        public string Server { get; set; } = "";
        public long Calls { get; set; }
    }

    private sealed class DialerRow : NodeRow
    {
        public string Owner { get; set; } = "";
        public DateTimeOffset? Now { get; set; }
    }

    private class NodeRow
    {
        public string? Name { get; set; }
        public string Host { get; set; } = "";
        public string HostId { get; set; } = "";
        public long Pid { get; set; }
        public long ProcessStart { get; set; }
        public string Version { get; set; } = "";
        public DateTimeOffset StartedAt { get; set; }
        public long Heartbeat { get; set; }
        public DateTimeOffset HeartbeatAt { get; set; }
        public long HeartbeatMs { get; set; }
        public string State { get; set; } = "";
        public DateTimeOffset? StoppedAt { get; set; }
        public string? AmiServers { get; set; }

        public ClusterNode ToNode(DateTimeOffset now)
        {
            var age = now - HeartbeatAt;
            var interval = TimeSpan.FromMilliseconds(Math.Max(1, HeartbeatMs));
            var running = State == NodeStates.Stopped ? (bool?)false : ProcessIdentity.IsRunning(HostId, (int)Pid, ProcessStart);
            return new ClusterNode(Name ?? "", Host, Pid, Version, StartedAt, Heartbeat, HeartbeatAt, age < TimeSpan.Zero ? TimeSpan.Zero : age, interval, State, StoppedAt,
                NodeLiveness.Of(State, age, interval, running)) { Servers = ParseServers(AmiServers) };
        }
    }
}

/// <summary>What a node writes of itself. <paramref name="Process"/> is its lease identity (host id, pid, start), so a reader on the same host tells a dead process at once.</summary>
public sealed record NodeRegistration(string Name, string Host, LeaseIdentity Process, string Version, TimeSpan HeartbeatInterval)
{
    /// <summary>Its AMI servers as its settings give them (no login): compared with the other nodes'.</summary>
    public IReadOnlyList<ServerDescription> Servers { get; init; } = [];
}

/// <summary>The states a node writes.</summary>
public static class NodeStates
{
    public const string Running = "running";

    /// <summary>Stopping gracefully: no new Originate, live calls followed to their end (SIGTERM).</summary>
    public const string Draining = "draining";

    public const string Stopped = "stopped";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Running, Draining, Stopped };
}

/// <summary>How a reader judges a node, from its row and the store's clock.</summary>
public enum NodeStatus
{
    /// <summary>Beat within two of its intervals.</summary>
    Live,

    /// <summary>Two intervals without a beat: stalled, or its store link is slow.</summary>
    Late,

    /// <summary>Four intervals without a beat, or its process is gone from this host: its leases are another node's to take.</summary>
    Gone,

    /// <summary>Stopped gracefully: it said so in its last beat.</summary>
    Stopped,
}

/// <summary>The rule for <see cref="NodeStatus"/>: pure, so the pages, the API and the CLI agree.</summary>
public static class NodeLiveness
{
    /// <summary>Missed beats before a node is late.</summary>
    public const int LateAfterBeats = 2;

    /// <summary>Missed beats before a node is gone. With the default 10 s beat and 30 s lease: past the lease, so its campaigns are free by then.</summary>
    public const int GoneAfterBeats = 4;

    /// <param name="running">What <see cref="ProcessIdentity.IsRunning"/> says of its process: null on another host.</param>
    public static NodeStatus Of(string state, TimeSpan age, TimeSpan interval, bool? running) =>
        state == NodeStates.Stopped ? NodeStatus.Stopped
        : running == false || age > interval * GoneAfterBeats ? NodeStatus.Gone
        : age > interval * LateAfterBeats ? NodeStatus.Late
        : NodeStatus.Live;

    public static string Name(NodeStatus status) => status.ToString().ToLowerInvariant();
}

/// <summary>A node as a reader sees it. <paramref name="Age"/> is the store clock's now less its last beat.</summary>
public sealed record ClusterNode(string Name, string Host, long Pid, string Version, DateTimeOffset StartedAt, long Heartbeat, DateTimeOffset HeartbeatAt,
    TimeSpan Age, TimeSpan HeartbeatInterval, string State, DateTimeOffset? StoppedAt, NodeStatus Status)
{
    /// <summary>The AMI servers it described when it registered; null when a version before schema step 12 wrote its row.</summary>
    public IReadOnlyList<ServerDescription>? Servers { get; init; }

    /// <summary>
    /// Whether its description of the servers counts when nodes are compared and the smallest cap is taken: while it may
    /// still dial (live, or late: a late node still holds its leases), not once gone or stopped.
    /// </summary>
    public bool Counts => Status is NodeStatus.Live or NodeStatus.Late;
}

/// <summary>A lease row; for a campaign's lease, the campaign (null for click-to-call leases, or a campaign deleted meanwhile).</summary>
public sealed record HeldLease(string Key, string Owner, DateTimeOffset AcquiredAt, long? CampaignId, string? Campaign, string? CampaignState);

/// <summary>Calls open in the store on <paramref name="Server"/> whose lease <paramref name="Owner"/> holds (empty: no lease row: waiting for adoption).</summary>
public sealed record OpenCalls(string Owner, string Server, long Calls);

/// <summary>The cluster at one instant of the store's clock.</summary>
public sealed record ClusterSnapshot(DateTimeOffset At, IReadOnlyList<ClusterNode> Nodes, IReadOnlyList<HeldLease> Leases, IReadOnlyList<OpenCalls> Calls)
{
    /// <summary>Calls open in the store on each AMI server, whichever node placed them.</summary>
    public IReadOnlyDictionary<string, long> OpenByServer =>
        Calls.GroupBy(c => c.Server, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Calls), StringComparer.Ordinal);

    /// <summary>The servers each node that may still dial describes (<see cref="ClusterNode.Counts"/>; rows before step 12 have none).</summary>
    public IReadOnlyList<NodeServers> DescribedServers => NodeServersOf(Nodes);

    /// <summary>The descriptions of the nodes that count, to compare (<see cref="ServerAgreement"/>).</summary>
    public static IReadOnlyList<NodeServers> NodeServersOf(IEnumerable<ClusterNode> nodes) =>
        [.. (nodes ?? throw new ArgumentNullException(nameof(nodes))).Where(n => n.Counts && n.Servers is not null).Select(n => new NodeServers(n.Name, n.Servers!))];

    /// <summary>Who holds the campaign's lease, with that node when it has a row; null when nobody does.</summary>
    public (string Owner, ClusterNode? Node)? DialerOf(long campaignId) =>
        Leases.FirstOrDefault(l => l.CampaignId == campaignId) is { } lease
            ? (lease.Owner, Nodes.FirstOrDefault(n => n.Name == lease.Owner))
            : null;
}
