using System.Security.Claims;
using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Model;
using AmiDialer.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AmiDialer.Web.Api;

public enum CampaignCommand
{
    Start,
    Pause,
    Resume,
    Stop,
}

/// <summary>Start, pause, resume and stop: one rule table shared by the API and the pages.</summary>
internal static class CampaignControl
{
    public static (CampaignState[] From, CampaignState To) Rule(CampaignCommand command, Campaign campaign, DateTimeOffset now) => command switch
    {
        CampaignCommand.Start => ([CampaignState.Draft, CampaignState.Scheduled, CampaignState.Paused],
            campaign.StartAt is { } start && start > now ? CampaignState.Scheduled : CampaignState.Running),
        CampaignCommand.Pause => ([CampaignState.Running, CampaignState.Scheduled], CampaignState.Paused),
        CampaignCommand.Resume => ([CampaignState.Paused], CampaignState.Running),
        CampaignCommand.Stop => ([CampaignState.Draft, CampaignState.Scheduled, CampaignState.Running, CampaignState.Paused], CampaignState.Stopped),
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };

    /// <param name="force">For a start: skip the pre-flight check (<see cref="CampaignStartCheck"/>) that otherwise refuses it on a blocking failure.</param>
    public static async Task<Results<Ok<CampaignDto>, ProblemHttpResult>> ChangeAsync(long id, CampaignCommand command, WebData data, ClaimsPrincipal user, CancellationToken ct, bool force = false)
    {
        var repo = await data.CampaignsAsync(ct);
        if (await repo.GetAsync(id, ct) is not { } campaign)
        {
            return CampaignsApi.NotFound(id);
        }

        if (Refused(campaign, command.ToString().ToLowerInvariant()) is { } refused)
        {
            return refused;
        }

        var (from, to) = Rule(command, campaign, data.Now);
        if (command == CampaignCommand.Start && !force && from.Contains(campaign.State)
            && await CampaignStartCheck.RunAsync(data.Services, campaign, ct) is { Refused: true } check)
        {
            return PreflightRefused(campaign, check);
        }

        if (!from.Contains(campaign.State) || !await ApplyAsync(id, command, from, to, data, CampaignsApi.Actor(user), ct))
        {
            var verb = command.ToString().ToLowerInvariant();
            var current = (await repo.GetAsync(id, ct))?.State ?? campaign.State;
            return TypedResults.Problem($"Campaign '{campaign.Name}' is {current.ToString().ToLowerInvariant()}: it cannot {verb} from there.",
                statusCode: StatusCodes.Status409Conflict, title: $"Cannot {verb} the campaign");
        }

        return TypedResults.Ok(CampaignDto.From((await repo.GetAsync(id, ct))!));
    }

    /// <summary>What the API's refusal adds to the reasons: where to see every check and how to start anyway.</summary>
    public const string ApiHint = " GET /api/doctor shows every check; start with force=true to start it anyway.";

    /// <summary>409: what the pre-flight found, one entry per reason in <c>refusals</c>; <c>force=true</c> starts it anyway.</summary>
    private static ProblemHttpResult PreflightRefused(Campaign campaign, CampaignStartCheckResult check) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "The pre-flight check refused the start",
            Detail = check.Sentence(campaign.Name) + ApiHint,
            Extensions = { ["refusals"] = check.Refusals },
        });

    /// <summary>409 naming why, for the built-in click-to-call campaign; null for any other.</summary>
    public static ProblemHttpResult? Refused(Campaign campaign, string verb) =>
        BuiltInCampaign.Refusal(campaign, verb) is { } why
            ? TypedResults.Problem(why, statusCode: StatusCodes.Status409Conflict, title: $"The built-in campaign cannot be {(verb == "delete" ? "deleted" : "changed")}")
            : null;

    /// <summary>Through the engine when it runs (it schedules, dials and drains); else the stored state alone changes.</summary>
    private static async Task<bool> ApplyAsync(long id, CampaignCommand command, CampaignState[] from, CampaignState to, WebData data, string actor, CancellationToken ct)
    {
        if (data.Engine is not { } engine)
        {
            return await (await data.CampaignsAsync(ct)).TransitionAsync(id, from, to, actor, ct);
        }

        try
        {
            switch (command)
            {
                case CampaignCommand.Start: await engine.StartCampaignAsync(id, ct); break;
                case CampaignCommand.Pause: await engine.PauseCampaignAsync(id, ct); break;
                case CampaignCommand.Resume: await engine.ResumeCampaignAsync(id, ct); break;
                case CampaignCommand.Stop: await engine.StopCampaignAsync(id, ct); break;
            }

            return true;
        }
        catch (InvalidOperationException)
        {
            // Somebody moved the campaign first; the caller reports its current state.
            return false;
        }
    }
}
