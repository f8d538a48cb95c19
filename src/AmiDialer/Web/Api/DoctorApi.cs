using AmiDialer.Hosting;
using AmiDialer.Reports;
using AmiDialer.Web.Infrastructure;

namespace AmiDialer.Web.Api;

/// <summary><c>GET /api/doctor</c>: <c>amidialer doctor --format json</c> over HTTP, the same document.</summary>
internal static class DoctorApi
{
    public static IEndpointRouteBuilder MapDoctorApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/doctor", GetAsync)
            .WithName("GetDoctor")
            .WithTags("Setup")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesValidationProblem()
            .WithSummary("Logs in to each AMI server (or only ?server=name) and checks it as `amidialer doctor` does: {checkedAt, ok, servers:[{name, address, result, checks:[{check, result (OK, WARN, FAIL), detail, fix, blocking}]}]}. ok is false when a check FAILs; blocking marks a failure that refuses a campaign start.");
        return app;
    }

    private static async Task<IResult> GetAsync(WebBackend backend, string? server, CancellationToken ct)
    {
        var servers = DoctorRunner.Servers(backend.Services, server);
        if (servers is null)
        {
            return Problems.Field("server", $"No AMI server is named '{server}'; configured: {string.Join(", ", backend.Settings.Ami.Servers.Select(s => s.Name))}.");
        }

        var report = await DoctorRunner.RunAsync(backend.Services, servers, await DoctorRunner.NeedsAsync(backend.Services, ct), ct);
        return Results.Text(DoctorOutput.Json(report), "application/json");
    }
}
