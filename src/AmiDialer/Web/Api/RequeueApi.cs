using System.Security.Claims;
using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AmiDialer.Web.Api;

/// <summary>POST /api/campaigns/{id}/requeue: which leads go back to pending.</summary>
/// <param name="Force">Requeue even leads whose call was abandoned within <c>Dialing:AbandonRetryDelay</c> (otherwise a 409 names them); audited as forced.</param>
public sealed record RequeueInput(string? Outcome, bool? Force = null);

/// <summary>What a requeue did: leads back to pending, and the campaign's state after it.</summary>
public sealed record RequeueDto(long Id, string Name, string Outcome, long Requeued, string State);

/// <summary>
/// <c>POST /api/campaigns/{id}/requeue</c> with <c>{"outcome":"unknown"}</c>: an operator's decision to call again the
/// leads whose call ended while the dialer was down, as <c>amidialer campaign requeue NAME --outcome unknown</c> does.
/// </summary>
internal static class RequeueApi
{
    public static IEndpointRouteBuilder MapRequeueApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/campaigns/{id:long}/requeue", RequeueAsync).WithTags("Campaigns").WithName("RequeueCampaign")
            .WithSummary("Returns the leads whose final outcome is unknown (ended while the dialer was down) to pending, keeping their attempt history; audited. "
                + "Leads whose call was abandoned (answered, no agent in time) within Dialing:AbandonRetryDelay are refused with a 409 naming each and when it may be called (insideAbandonDelay), unless force is true.");
        return app;
    }

    private static async Task<Results<Ok<RequeueDto>, ValidationProblem, ProblemHttpResult>> RequeueAsync(long id, RequeueInput? input, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!string.Equals(input?.Outcome, "unknown", StringComparison.Ordinal))
        {
            return Infrastructure.Problems.Field("outcome", string.IsNullOrEmpty(input?.Outcome)
                ? "Say which leads to requeue: \"unknown\" (those whose call ended while the dialer was down)."
                : $"Only \"unknown\" can be requeued (was \"{input.Outcome}\"): every other outcome is settled by the retry policy.");
        }

        return await UnknownAsync(id, data, user, input?.Force == true, ct) switch
        {
            { Result: { } done } => TypedResults.Ok(done),
            { Problem: { } problem } => problem,
            _ => CampaignsApi.NotFound(id),
        };
    }

    /// <summary>The title of the 409 for leads inside their abandon retry delay (the campaign page offers "Requeue anyway" on it).</summary>
    public const string InsideDelayTitle = "Some leads were abandoned too recently to call again";

    /// <summary>
    /// The requeue itself, shared with the campaign page's button: its result, or a 409 naming why not (for leads inside
    /// their abandon retry delay: each with when it may be called, in <c>insideAbandonDelay</c>), or neither when the
    /// campaign does not exist.
    /// </summary>
    public static async Task<(RequeueDto? Result, ProblemHttpResult? Problem)> UnknownAsync(long id, WebData data, ClaimsPrincipal user, bool force, CancellationToken ct)
    {
        if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is not { } campaign)
        {
            return (null, null);
        }

        if (BuiltInCampaign.Refusal(campaign, "requeue") is { } why)
        {
            return (null, TypedResults.Problem(why, statusCode: StatusCodes.Status409Conflict, title: "The built-in campaign cannot be requeued"));
        }

        try
        {
            var requeue = new CampaignRequeue(await data.DatabaseAsync(ct), data.Time) { AbandonRetryDelay = data.Services.Settings.Dialing.AbandonRetryDelay };
            var result = await requeue.UnknownAsync(id, CampaignsApi.Actor(user), force, ct);
            return (new RequeueDto(id, campaign.Name, CallOutcome.Unknown.ToWireName(), result.LeadsReturned, result.State.ToString().ToLowerInvariant()), null);
        }
        catch (CampaignRequeueException e) when (e.InsideAbandonDelay.Count > 0)
        {
            var leads = e.InsideAbandonDelay.Select(l => new Dictionary<string, object?> { ["leadId"] = l.LeadId, ["phone"] = l.Phone, ["answeredAt"] = l.AnsweredAt, ["notBefore"] = l.NotBefore }).ToList();
            return (null, TypedResults.Problem(e.Message + " Send \"force\": true to requeue them now.", statusCode: StatusCodes.Status409Conflict, title: InsideDelayTitle,
                extensions: new Dictionary<string, object?> { ["insideAbandonDelay"] = leads, ["notBefore"] = e.InsideAbandonDelay.Max(l => l.NotBefore) }));
        }
        catch (CampaignRequeueException e)
        {
            return (null, TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Cannot requeue the campaign"));
        }
    }
}
