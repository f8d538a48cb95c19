using System.Data;
using System.Security.Claims;
using AmiDialer.Core.Model;
using AmiDialer.Hosting;
using AmiDialer.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AmiDialer.Web.Api;

/// <summary>Campaign CRUD and its start/pause/resume/stop under <c>/api/campaigns</c>.</summary>
internal static class CampaignsApi
{
    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/campaigns").WithTags("Campaigns");
        api.MapGet("/", ListAsync).WithName("ListCampaigns");
        api.MapGet("/{id:long}", GetAsync).WithName("GetCampaign");
        api.MapPost("/", CreateAsync).WithName("CreateCampaign");
        api.MapPut("/{id:long}", UpdateAsync).WithName("UpdateCampaign")
            .WithSummary("Changes the settings given; settings left out keep their value.");
        api.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteCampaign");
        api.MapPost("/{id:long}/start", (long id, bool? force, WebData data, ClaimsPrincipal user, CancellationToken ct) => CampaignControl.ChangeAsync(id, CampaignCommand.Start, data, user, ct, force == true)).WithName("StartCampaign")
            .WithSummary("Starts (or schedules) the campaign after a pre-flight check of the AMI servers for it (GET /api/doctor's checks): a blocking failure (refused login, no originate class, its destination missing, the ledger configured but missing) or no server logged in to answers 409 with the reasons in refusals; force=true starts it anyway.");
        api.MapPost("/{id:long}/pause", (long id, WebData data, ClaimsPrincipal user, CancellationToken ct) => CampaignControl.ChangeAsync(id, CampaignCommand.Pause, data, user, ct)).WithName("PauseCampaign");
        api.MapPost("/{id:long}/resume", (long id, WebData data, ClaimsPrincipal user, CancellationToken ct) => CampaignControl.ChangeAsync(id, CampaignCommand.Resume, data, user, ct)).WithName("ResumeCampaign");
        api.MapPost("/{id:long}/stop", (long id, WebData data, ClaimsPrincipal user, CancellationToken ct) => CampaignControl.ChangeAsync(id, CampaignCommand.Stop, data, user, ct)).WithName("StopCampaign");
        return app;
    }

    public static string Actor(ClaimsPrincipal user) => "web:" + (user.Identity?.Name ?? "unknown");

    private static async Task<Ok<IReadOnlyList<CampaignDto>>> ListAsync(WebData data, CancellationToken ct)
    {
        var campaigns = await (await data.CampaignsAsync(ct)).ListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<CampaignDto>>([.. campaigns.Select(CampaignDto.From)]);
    }

    private static async Task<Results<Ok<CampaignDto>, ProblemHttpResult>> GetAsync(long id, WebData data, CancellationToken ct) =>
        await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is { } c ? TypedResults.Ok(CampaignDto.From(c)) : NotFound(id);

    private static async Task<Results<Created<CampaignDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CampaignInput input, WebData data, WebBackend backend, ClaimsPrincipal user, CancellationToken ct)
    {
        var (campaign, errors) = CampaignInputRules.Apply(CampaignInputRules.NewCampaign(backend.Settings, backend.IsSimulated), input, creating: true, CallControlSettings.AllowedContexts(backend.Settings));
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The campaign has invalid settings");
        }

        try
        {
            var created = await (await data.CampaignsAsync(ct)).CreateAsync(campaign, Actor(user), ct);
            return TypedResults.Created($"/api/campaigns/{created.Id}", CampaignDto.From(created));
        }
        catch (DuplicateNameException ex)
        {
            return Problems.Taken("name", ex.Message);
        }
    }

    private static async Task<Results<Ok<CampaignDto>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, CampaignInput input, WebData data, WebBackend backend, ClaimsPrincipal user, CancellationToken ct)
    {
        var repo = await data.CampaignsAsync(ct);
        if (await repo.GetAsync(id, ct) is not { } current)
        {
            return NotFound(id);
        }

        var (campaign, errors) = CampaignInputRules.Apply(current, input, creating: false, CallControlSettings.AllowedContexts(backend.Settings));
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The campaign has invalid settings");
        }

        try
        {
            await repo.UpdateAsync(campaign, Actor(user), ct);
        }
        catch (DuplicateNameException ex)
        {
            return Problems.Taken("name", ex.Message);
        }

        return TypedResults.Ok(CampaignDto.From((await repo.GetAsync(id, ct))!));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        var repo = await data.CampaignsAsync(ct);
        if (await repo.GetAsync(id, ct) is not { } current)
        {
            return NotFound(id);
        }

        if (CampaignControl.Refused(current, "delete") is { } refused)
        {
            return refused;
        }

        if (current.State is CampaignState.Running or CampaignState.Paused)
        {
            return TypedResults.Problem($"Campaign {id} is {current.State.ToString().ToLowerInvariant()}; stop it before deleting it.", statusCode: StatusCodes.Status409Conflict, title: "Campaign in use");
        }

        return await repo.DeleteAsync(id, Actor(user), ct) ? TypedResults.NoContent() : NotFound(id);
    }

    public static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem($"No campaign has id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Campaign not found");
}
