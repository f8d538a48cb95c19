using Microsoft.AspNetCore.Http.HttpResults;

namespace AmiDialer.Web.Api;

public sealed record HealthReport(string Status, bool Simulated, DatabaseHealth Database, IReadOnlyList<AmiServerHealth> AmiServers, DateTimeOffset CheckedAt);

public sealed record DatabaseHealth(bool Ok, string? Error);

/// <summary><c>GET /health</c>: the one endpoint that answers without auth; says nothing secret.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetAsync)
            .AllowAnonymous()
            .WithName("GetHealth")
            .WithTags("Health")
            .WithSummary("The database and each AMI server's connection state; 503 when something is down.");
        return app;
    }

    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> GetAsync(WebBackend backend, CancellationToken ct)
    {
        var dbError = await backend.Health.CheckDatabaseAsync(ct);
        var servers = backend.Health.AmiServers();
        var ok = dbError is null && (servers.Count == 0 || servers.Any(s => s.IsUp));
        var degraded = ok && servers.Any(s => !s.IsUp);
        var report = new HealthReport(ok ? (degraded ? "degraded" : "healthy") : "unhealthy", backend.IsSimulated,
            new DatabaseHealth(dbError is null, dbError), servers, backend.Time.GetUtcNow());
        return ok ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
