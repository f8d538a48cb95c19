using System.Text.Json;
using AmiDialer.Cluster;

namespace AmiDialer.Web.Api;

/// <summary><c>GET /api/cluster</c>: what <c>amidialer cluster --format json</c> prints, answered by any node from the store.</summary>
internal static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster", GetAsync).WithTags("Cluster").WithName("GetCluster")
            .Produces<ClusterDto>(StatusCodes.Status200OK, contentType: "application/json")
            .WithSummary("Every node on the store (serve, run) with its heartbeat's age by the store's clock and its status (live; late: two beats missed; gone: four missed or "
                + "its process gone from this host; stopped), the campaigns it dials (by lease) and its calls open in the store per AMI server; calls no node holds yet under unowned.");
        return app;
    }

    private static async Task<IResult> GetAsync(WebBackend backend, CancellationToken ct) =>
        Results.Text(JsonSerializer.Serialize(await ClusterView.ReadAsync(backend.Services, ct), ClusterView.Json), "application/json");
}
