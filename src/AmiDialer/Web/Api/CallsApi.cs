using AmiDialer.Core.Model;
using AmiDialer.Engine.CallControl;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AmiDialer.Web.Api;

/// <summary>Click-to-call and live call control under <c>/api/calls</c>.</summary>
internal static class CallsApi
{
    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/calls").WithTags("Calls");
        api.MapPost("/", StartAsync).WithName("StartCall")
            .WithSummary("Click-to-call: rings the agent, then dials the number. Answers 202 with the attempt id at once; poll GET /api/calls/{id} for the outcome.");
        api.MapGet("/{id:long}", GetAsync).WithName("GetCall");
        api.MapPost("/{id:long}/transfer", TransferAsync).WithName("TransferCall")
            .WithSummary("Redirects the live call to context/exten/priority; the context must be in Dialing:AllowedContexts.");
        return app;
    }

    private static async Task<Results<Accepted<CallDto>, ValidationProblem, ProblemHttpResult>> StartAsync(CallInput input, WebBackend backend, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Number))
        {
            errors["number"] = ["The number is required."];
        }

        if (string.IsNullOrWhiteSpace(input.Agent))
        {
            errors["agent"] = ["The agent endpoint is required (e.g. PJSIP/101)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The call request is invalid");
        }

        if (backend.Services.Engine is not { } engine)
        {
            return EngineDown();
        }

        try
        {
            var started = await engine.CallControl.StartClickToCallAsync(new ClickToCallRequest(input.Number!, input.Agent!, string.IsNullOrEmpty(input.Context) ? null : input.Context), ct);
            var status = await engine.CallControl.GetCallAsync(started.AttemptId, ct);
            return TypedResults.Accepted($"/api/calls/{started.AttemptId}", CallDto.From(status!, started.Agent, started.Destination));
        }
        catch (CallControlException e)
        {
            return Problem(e);
        }
    }

    private static async Task<Results<Ok<CallDto>, ProblemHttpResult>> GetAsync(long id, WebBackend backend, CancellationToken ct)
    {
        CallStatus? status;
        if (backend.Services.Engine is { } engine)
        {
            status = await engine.CallControl.GetCallAsync(id, ct);
        }
        else
        {
            status = await backend.Services.Attempts.GetAsync(id, ct) is { } attempt ? new CallStatus(attempt, false, null, attempt.AnsweredAt) : null;
        }

        return status is null
            ? TypedResults.Problem($"No call has id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Call not found")
            : TypedResults.Ok(CallDto.From(status));
    }

    private static async Task<Results<Ok<TransferDto>, ValidationProblem, ProblemHttpResult>> TransferAsync(long id, TransferInput input, WebBackend backend, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Context))
        {
            errors["context"] = ["The destination context is required."];
        }

        if (string.IsNullOrWhiteSpace(input.Exten))
        {
            errors["exten"] = ["The destination extension is required."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The transfer request is invalid");
        }

        if (backend.Services.Engine is not { } engine)
        {
            return EngineDown();
        }

        try
        {
            var result = await engine.CallControl.TransferAsync(id, new DialplanTarget(input.Context!, input.Exten!, input.Priority ?? 1), ct);
            return TypedResults.Ok(new TransferDto(result.AttemptId, result.Server, result.Channel, result.Destination.Context, result.Destination.Extension, result.Destination.Priority));
        }
        catch (CallControlException e)
        {
            return Problem(e);
        }
    }

    private static ProblemHttpResult EngineDown() =>
        TypedResults.Problem("The dialing engine is not running in this process (amidialer serve runs it).", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Engine not running");

    /// <summary>Refusals as problem details; <c>errors</c> names the field at fault, like the other endpoints' validation problems.</summary>
    private static ProblemHttpResult Problem(CallControlException e)
    {
        var (status, title) = e.Error switch
        {
            CallControlError.InvalidInput => (StatusCodes.Status400BadRequest, "Invalid value"),
            CallControlError.NotAllowed => (StatusCodes.Status400BadRequest, "Not allowed by the configuration"),
            CallControlError.NotFound => (StatusCodes.Status404NotFound, "Call not found"),
            CallControlError.CallEnded => (StatusCodes.Status409Conflict, "The call has ended"),
            CallControlError.NotConnected => (StatusCodes.Status409Conflict, "The call is not connected"),
            CallControlError.DoNotCall => (StatusCodes.Status409Conflict, "Number on the do-not-call list"),
            CallControlError.OutsideCallingHours => (StatusCodes.Status409Conflict, "Outside calling hours"),
            CallControlError.CallInProgress => (StatusCodes.Status409Conflict, "Call already in progress"),
            CallControlError.NoServer => (StatusCodes.Status503ServiceUnavailable, "No AMI server available"),
            CallControlError.Unsupported => (StatusCodes.Status409Conflict, "Not supported for this call"),
            _ => (StatusCodes.Status502BadGateway, "Asterisk refused"),
        };
        var extensions = new Dictionary<string, object?> { ["error"] = e.Error.ToString() };
        if (e.Field is { } field)
        {
            extensions["errors"] = new Dictionary<string, string[]> { [field] = [e.Message] };
        }

        return TypedResults.Problem(e.Message, statusCode: status, title: title, extensions: extensions);
    }
}

/// <summary>POST /api/calls.</summary>
public sealed record CallInput(string? Number, string? Agent, string? Context);

/// <summary>POST /api/calls/{id}/transfer.</summary>
public sealed record TransferInput(string? Context, string? Exten, int? Priority);

public sealed record TransferDto(long Id, string Server, string Channel, string Context, string Exten, int Priority);

/// <summary>One call (attempt) as the API shows it; <c>outcome</c> is null until it has ended.</summary>
public sealed record CallDto(
    long Id,
    long CampaignId,
    long LeadId,
    string State,
    string? Outcome,
    string? FailureReason,
    string? Reason,
    string? DialStatus,
    int? HangupCause,
    string? HangupCauseText,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? EndedAt,
    double? TalkSeconds,
    string Server,
    bool Live,
    string? Channel,
    string? Agent = null,
    string? Destination = null)
{
    public static CallDto From(CallStatus s, string? agent = null, DialplanTarget? destination = null)
    {
        var a = s.Attempt;
        return new CallDto(
            a.Id, a.CampaignId, a.LeadId, a.State.ToString().ToLowerInvariant(), a.Outcome?.ToWireName(), a.FailureReason, a.Reason, a.DialStatus,
            a.HangupCause, a.HangupCauseText, a.CreatedAt, s.AnsweredAt ?? a.AnsweredAt, a.EndedAt, a.TalkSeconds, a.Server, s.IsLive, s.Channel,
            agent, destination?.ToString());
    }
}
