using AmiDialer.Core.Cluster;
using AmiDialer.Core.Doctor;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Core.Model;
using AmiDialer.Engine;
using AmiDialer.Engine.Preflight;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Hosting;

/// <summary>
/// The doctor as every front end runs it (<c>amidialer doctor</c>, <c>GET /api/doctor</c>, the Setup page, the
/// pre-flight of a campaign start): the configured servers, each named by its settings key, checked against what
/// the campaigns that may still dial and click-to-call need.
/// </summary>
public static class DoctorRunner
{
    /// <summary>The configured servers; with <paramref name="serverName"/>, only that one (null when no server has that name).</summary>
    public static IReadOnlyList<ServerToCheck>? Servers(AppServices services, string? serverName = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var all = services.EngineOptions().Servers.Select((s, i) => new ServerToCheck(s, $"Ami:Servers:{i}")).ToList();
        if (serverName is null)
        {
            return all;
        }

        var one = all.Where(s => string.Equals(s.Config.Name, serverName, StringComparison.Ordinal)).ToList();
        return one.Count == 0 ? null : one;
    }

    /// <summary>What every campaign that may still dial, click-to-call and transfers need.</summary>
    public static async Task<DoctorNeeds> NeedsAsync(AppServices services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        var campaigns = await services.Campaigns.ListAsync(ct);
        var callControl = CallControlSettings.From(services.Settings);
        return DoctorNeeds.From(campaigns, callControl.ClickToCall.Context, callControl.ClickToCall.AllowedAgents, callControl.AllowedContexts, services.IsSimulated);
    }

    /// <summary>What one campaign needs: its own places and technology, nothing of click-to-call's.</summary>
    public static DoctorNeeds NeedsOf(Campaign campaign, bool simulated) => DoctorNeeds.From([campaign with { State = CampaignState.Draft }], simulated: simulated);

    public static async Task<DoctorReport> RunAsync(AppServices services, IReadOnlyList<ServerToCheck> servers, DoctorNeeds needs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        var report = await Doctor.RunAsync(servers, needs, new DoctorOptions { QueueWrapUps = services.Settings.Dialing.QueueWrapUp }, services.Time, services.LoggerFactory.CreateLogger("AmiDialer.Doctor"), ct);
        return await WithClusterChecksAsync(services, report, ct);
    }

    /// <summary>This configuration as the doctor compares it with the live nodes' when this process is no node itself.</summary>
    public const string ThisConfiguration = "(this configuration)";

    /// <summary>
    /// Each server's <c>cluster</c> check (<see cref="ClusterCheck"/>): the live nodes' descriptions of it against this
    /// node's (or, from the CLI, this configuration's, which a node started with it would write). A store that cannot be
    /// read leaves the report as it is: the doctor is about the servers.
    /// </summary>
    private static async Task<DoctorReport> WithClusterChecksAsync(AppServices services, DoctorReport report, CancellationToken ct)
    {
        IReadOnlyList<ClusterNode> nodes;
        try
        {
            nodes = await new NodeRepository(services.Database, services.Time).ReadNodesAsync(ct);
        }
        catch (Exception e) when (StoreErrors.IsStoreError(e) || e is InvalidOperationException)
        {
            return report;
        }

        var self = services.Engine?.Options.InstanceName ?? ThisConfiguration;
        // In the store's order (by start), this node's entry where it stands, so the warning reads as the cluster view's.
        var mine = new NodeServers(self, services.EngineOptions().DescribeServers());
        var described = ClusterSnapshot.NodeServersOf(nodes).Select(n => n.Node == self ? mine : n).ToList();
        if (!described.Contains(mine))
        {
            described.Add(mine);
        }

        return report with
        {
            Servers = [.. report.Servers.Select(s => ClusterCheck.For(s.Server, described, self) is { Count: > 0 } checks ? s with { Checks = [.. s.Checks, .. checks] } : s)],
        };
    }
}
