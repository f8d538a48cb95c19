using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;
using AmiDialer.Data.Repositories;
using Microsoft.Extensions.Hosting;

namespace AmiDialer.Web.Api;

/// <summary>One campaign's line on the dashboard: the campaign page's figures (<see cref="CampaignStatusDto"/>) and an ETA.</summary>
/// <param name="Done">Leads final: all leads less the not-final ones (the campaign page's progress).</param>
/// <param name="EtaSeconds">Time left by <see cref="CampaignEta"/>; null when it cannot be estimated.</param>
/// <param name="Eta">The same in words, "—" when null.</param>
public sealed record DashboardCampaignDto(long Id, string Name, string State, bool Simulated, bool BuiltIn, long Leads, long Done, long Pending, int ActiveCalls,
    double AnswerRate, double AttemptAnswerRate, int CallsPerMinute, double? EtaSeconds, string Eta)
{
    /// <summary>The node that dials it (the campaign page's <see cref="CampaignStatusDto.DialedBy"/>); null when none does.</summary>
    public string? DialedBy { get; init; }

    /// <summary>That node's status by its heartbeat (live, late, gone, stopped, unknown).</summary>
    public string? DialedByStatus { get; init; }
}

/// <summary>Everything the dashboard shows, and what each of its Server-Sent Events carries.</summary>
/// <param name="Engine">What the dialing engine of this process is doing, in a sentence.</param>
/// <param name="Servers">
/// The cluster's AMI servers: this node's first (their state as its engine sees it), then those only other nodes dial;
/// on each, the calls open over every node, this node's share, the cap in force and the slots left.
/// </param>
public sealed record DashboardDto(IReadOnlyList<DashboardCampaignDto> Campaigns, int ActiveCalls, string Engine, IReadOnlyList<AmiServerHealth> Servers)
{
    /// <summary>The cluster in a sentence: nodes live, and which node answered (the Cluster page has the rest).</summary>
    public string Cluster { get; init; } = "";

    /// <summary>Each server two live nodes describe differently, in a sentence naming the key and the nodes.</summary>
    public IReadOnlyList<string> ServerWarnings { get; init; } = [];
}

/// <summary>The dashboard's figures for every campaign at once, as JSON and as one event stream built on the campaign page's status.</summary>
internal static class DashboardFeed
{
    public static IEndpointRouteBuilder MapDashboardFeed(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/campaigns").WithTags("Reports");
        api.MapGet("/live", async (WebData data, WebBackend backend, CancellationToken ct) => TypedResults.Ok(await SnapshotAsync(data, backend, ct)))
            .WithName("GetDashboard")
            .WithSummary("Every campaign's state, progress, answer rates, calls per minute and ETA, with active calls and the AMI servers' state.");
        api.MapGet("/events", Events).WithName("DashboardEvents")
            .WithSummary("Server-Sent Events for every campaign: a 'dashboard' event with the /live document whenever it changes.")
            .Produces(200, contentType: "text/event-stream");
        return app;
    }

    public static async Task<DashboardDto> SnapshotAsync(WebData data, WebBackend backend, CancellationToken ct)
    {
        var campaigns = await (await data.CampaignsAsync(ct)).ListAsync(ct);
        // One read of the cluster for every line's "dialed by", rather than one per campaign.
        var cluster = await new NodeRepository(await data.DatabaseAsync(ct), data.Time).ReadClusterAsync(ct);
        var lines = new List<DashboardCampaignDto>(campaigns.Count);
        foreach (var c in campaigns)
        {
            // Deleted between the list and its status: it simply leaves the list.
            if (await ReportsApi.StatusOfAsync(c.Id, data, ct, cluster) is not { } s)
            {
                continue;
            }

            var eta = CampaignEta.Estimate(c.State, s.Pending, s.CallsPerMinute);
            lines.Add(new DashboardCampaignDto(c.Id, c.Name, s.State, s.Simulated, Core.ClickToCall.BuiltInCampaign.IsBuiltIn(c), s.Leads, s.Leads - s.Pending, s.Pending,
                s.ActiveCalls, s.AnswerRate, s.AttemptAnswerRate, s.CallsPerMinute, eta?.TotalSeconds, CampaignEta.Describe(eta))
            {
                DialedBy = s.DialedBy,
                DialedByStatus = s.DialedByStatus,
            });
        }

        var servers = Cluster.ServerFigures.Of(cluster);
        return new DashboardDto(lines, lines.Sum(l => l.ActiveCalls), EngineLine(data), Cluster.ServerFigures.With(backend.Health.AmiServers(), servers, othersToo: true))
        {
            Cluster = ClusterLine(cluster, data),
            ServerWarnings = [.. servers.Disagreements.Select(d => d.Message)],
        };
    }

    private static string ClusterLine(ClusterSnapshot cluster, WebData data)
    {
        var live = cluster.Nodes.Count(n => n.Status == NodeStatus.Live);
        var self = data.Engine?.Options.InstanceName;
        return $"{live} node(s) live of {cluster.Nodes.Count} listed" + (self is null ? "; this process runs no dialing engine." : $"; this page is answered by node {self}.");
    }

    private static string EngineLine(WebData data)
    {
        if (data.Engine is not { } engine)
        {
            return "The dialing engine does not run in this process: amidialer serve runs it.";
        }

        var live = engine.GetSnapshot();
        return $"Dialing engine running: {live.Campaigns.Count(l => l.Status == Engine.Live.DialerStatus.Dialing)} campaign(s) dialing, {live.ActiveCalls.Count} call(s) live.";
    }

    private static IResult Events(WebData data, WebBackend backend, IHostApplicationLifetime lifetime, CancellationToken ct) =>
        TypedResults.ServerSentEvents(Stream(data, backend, lifetime.ApplicationStopping, ct));

    /// <summary>The document at once, then again when it changes (read every second: one read per campaign, so slower than a campaign page's).</summary>
    private static async IAsyncEnumerable<SseItem<string>> Stream(WebData data, WebBackend backend, CancellationToken stopping, [EnumeratorCancellation] CancellationToken aborted)
    {
        // Ends when the host stops too: an open wall screen must not hold a graceful stop for its whole timeout.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        var ct = linked.Token;
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        WebServer.Configure(options);
        string? last = null;
        var quiet = 0;
        while (!ct.IsCancellationRequested)
        {
            string json;
            try
            {
                json = JsonSerializer.Serialize(await SnapshotAsync(data, backend, ct), options);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            // Sent again now and then even unchanged: it doubles as the keep-alive proxies need.
            if (json != last || ++quiet >= 15)
            {
                last = json;
                quiet = 0;
                yield return new SseItem<string>(json, "dashboard");
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), backend.Time, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }
}
