using Microsoft.AspNetCore.Http.HttpResults;
using AmiDialer.Data.Database;

namespace AmiDialer.Web.Api;

public sealed record HealthReport(string Status, bool Simulated, DatabaseHealth Database, IReadOnlyList<AmiServerHealth> AmiServers, DateTimeOffset CheckedAt);

public sealed record DatabaseHealth(bool Ok, string? Error);

/// <summary><c>GET /health</c>: the one endpoint that answers without auth; says nothing secret. 503 only when the database is down.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetAsync)
            .AllowAnonymous()
            .WithName("GetHealth")
            .WithTags("Health")
            .WithSummary("The database and each AMI server's connection state, with its calls open over every node (calls), this node's share (thisNodeCalls), "
                + "the cap in force over the cluster (maxConcurrentCalls: the smallest a live node gives it) and the slots left (freeSlots); 503 when the database is down, \"degraded\" when an AMI server is.");
        return app;
    }

    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> GetAsync(WebBackend backend, WebData data, CancellationToken ct)
    {
        var dbError = await CheckDatabaseAsync(data, ct);
        var servers = backend.Health.AmiServers();
        // Without the database nothing works; without AMI the pages, reports and imports still do.
        var ok = dbError is null;
        var degraded = ok && servers.Any(s => !s.IsUp);
        // Each server's calls over every node and the cap in force beside this node's own: the slots left are the cluster's.
        servers = ok ? await Cluster.ServerFigures.WithClusterAsync(servers, await data.DatabaseAsync(ct), data.Time, ct) : servers;
        var report = new HealthReport(ok ? (degraded ? "degraded" : "healthy") : "unhealthy", backend.IsSimulated,
            new DatabaseHealth(dbError is null, dbError), servers, backend.Time.GetUtcNow());
        return ok ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<string?> CheckDatabaseAsync(WebData data, CancellationToken ct)
    {
        var db = await data.DatabaseAsync(ct);
        try
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(ct);
            return null;
        }
        catch (Exception ex) when (StoreErrors.IsStoreError(ex) || ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The same words as the CLI and the 503 pages: the server and the setting to check, never the password.
            return db.Provider == StoreProvider.Postgres
                ? ex is Npgsql.NpgsqlException npgsql
                    ? Hosting.PostgresFailures.Describe(npgsql, db.ConnectionString)[0]
                    : Hosting.PostgresFailures.Unreachable(db.ConnectionString, ex)
                : ex.Message;
        }
    }
}
