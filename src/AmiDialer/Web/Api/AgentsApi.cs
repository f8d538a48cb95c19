using System.Security.Claims;
using System.Text.Json;
using AmiDialer.Agents;
using AmiDialer.Reports;
using AmiDialer.Web.Infrastructure;

namespace AmiDialer.Web.Api;

/// <summary>A pause or unpause of a queue member: <c>queue</c> null pauses it in every queue.</summary>
public sealed record AgentPauseInput(string? Interface, string? Queue, string? Reason, string? Server, bool? Paused);

/// <summary><c>GET /api/agents</c> (what <c>amidialer agents --format json</c> prints) and <c>POST /api/agents/pause</c>.</summary>
internal static class AgentsApi
{
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/agents").WithTags("Agents");
        api.MapGet("/", GetAsync).WithName("ListAgents")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesValidationProblem()
            .WithSummary("The queues' agents, read from each AMI server's QueueStatus (?queue= for one queue): {servers:[{server, problem, queues:[{queue, loggedIn, paused, talking, free, waiting, utilisation, campaigns, agents:[{interface, name, state (free, paused, ringing, talking, wrapping-up, unavailable), paused, pausedReason, callsTaken, lastCall, attemptId, campaignId, campaign}]}]}]}.");
        api.MapPost("/pause", PauseAsync).WithName("PauseAgent")
            .ProducesValidationProblem()
            .WithSummary("Pauses (paused true, the default, with an optional reason) or unpauses (paused false) a member by its interface with QueuePause, in one queue or (queue left out) every queue; audited as agent.pause / agent.unpause.");
        return app;
    }

    private static async Task<IResult> GetAsync(WebBackend backend, string? queue, CancellationToken ct)
    {
        if (queue is not null && Cli.CampaignValueParsers.QueueName(queue) is { } problem)
        {
            return Problems.Field("queue", problem);
        }

        var servers = await QueueAgentsReader.ReadAsync(backend.Services, queue, ct);
        return Results.Text(JsonSerializer.Serialize(AgentsOutput.Dto(servers), AgentsOutput.Json), "application/json");
    }

    private static async Task<IResult> PauseAsync(AgentPauseInput input, WebBackend backend, ClaimsPrincipal user, CancellationToken ct)
    {
        var result = await AgentPause.SetAsync(backend.Services, input.Server, input.Interface ?? "", input.Queue, input.Paused ?? true, input.Reason, CampaignsApi.Actor(user), ct);
        if (result.Done)
        {
            return Results.Ok(new { message = result.Message });
        }

        return result.Field is { } field
            ? Problems.Field(field, result.Message)
            : TypedResults.Problem(result.Message, statusCode: StatusCodes.Status502BadGateway, title: "The PBX did not pause the agent");
    }
}
