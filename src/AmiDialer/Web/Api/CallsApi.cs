using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
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
        api.MapGet("/", ListAsync).WithName("ListCalls")
            .WithSummary("Click-to-calls, newest first: agent (exact endpoint, e.g. PJSIP/101), from and to (ISO 8601 start times, from inclusive, to exclusive), limit (1-500, default 50) and offset. Answers the page and the total that match.");
        api.MapGet("/{id:long}", GetAsync).WithName("GetCall");
        api.MapPost("/{id:long}/hangup", HangupAsync).WithName("HangupCall")
            .WithSummary("Hangs up the live call (for a click-to-call, the agent's leg and with it the customer's). Answers 202; the call ends through its events: poll GET /api/calls/{id}.");
        api.MapPost("/{id:long}/transfer", TransferAsync).WithName("TransferCall")
            .WithSummary("Redirects the live call to context/exten/priority; the context must be in Dialing:AllowedContexts. For a click-to-call it moves the customer's leg (the agent's phone then hangs up); before the customer answers it is 409.");
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
            return TypedResults.Accepted($"/api/calls/{started.AttemptId}", CallDto.From(status!, started.PhoneE164, started.Agent, started.Destination.ToString()));
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

        if (status is null)
        {
            return TypedResults.Problem($"No call has id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Call not found");
        }

        var record = await backend.Services.ClickToCalls.GetAsync(id, ct);
        return TypedResults.Ok(CallDto.From(status, record?.PhoneE164, record?.Agent, record?.Destination));
    }

    private static async Task<Results<Ok<CallPageDto>, ValidationProblem>> ListAsync(WebBackend backend, string? agent, string? from, string? to, int? limit, int? offset, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var fromAt = Instant(from, "from", errors);
        var toAt = Instant(to, "to", errors);
        if (fromAt is { } f && toAt is { } t && t <= f)
        {
            errors["to"] = ["Must be later than from."];
        }

        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"Must be from 1 to {MaxPageSize}."];
        }

        if (offset is < 0)
        {
            errors["offset"] = ["Must be 0 or more."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The call list query is invalid");
        }

        var query = new ClickToCallQuery
        {
            Agent = string.IsNullOrWhiteSpace(agent) ? null : agent.Trim(),
            From = fromAt,
            To = toAt,
            Limit = limit ?? 50,
            Offset = offset ?? 0,
        };
        var (calls, total) = await backend.Services.ClickToCalls.ListAsync(query, ct);
        var rows = new List<CallDto>(calls.Count);
        foreach (var call in calls)
        {
            // A call still up is shown as the engine sees it (live, channel, the customer's answer so far).
            var status = call.Attempt.State != AttemptState.Ended && backend.Services.Engine is { } engine
                ? await engine.CallControl.GetCallAsync(call.Attempt.Id, ct)
                : null;
            rows.Add(CallDto.From(status ?? new CallStatus(call.Attempt, false, null, call.Attempt.AnsweredAt), call.PhoneE164, call.Agent, call.Destination));
        }

        return TypedResults.Ok(new CallPageDto(rows, total, query.Limit, query.Offset));
    }

    private const int MaxPageSize = 500;

    private static DateTimeOffset? Instant(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        errors[field] = [$"'{text}' is not a date and time; use ISO 8601, e.g. 2026-12-07T09:00:00Z."];
        return null;
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

    private static async Task<Results<Accepted, ProblemHttpResult>> HangupAsync(long id, WebBackend backend, CancellationToken ct)
    {
        if (backend.Services.Engine is not { } engine)
        {
            return EngineDown();
        }

        try
        {
            await engine.CallControl.HangupAsync(id, ct);
            return TypedResults.Accepted($"/api/calls/{id}");
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
    string? Number = null,
    string? Agent = null,
    string? Destination = null,
    string? OutcomeText = null)
{
    /// <summary><paramref name="s"/>'s answer time is the customer's (a click-to-call's agent answers first).</summary>
    public static CallDto From(CallStatus s, string? number = null, string? agent = null, string? destination = null)
    {
        var a = s.Attempt;
        return new CallDto(
            a.Id, a.CampaignId, a.LeadId, a.State.ToString().ToLowerInvariant(), a.Outcome?.ToWireName(), a.FailureReason, a.Reason, a.DialStatus,
            a.HangupCause, a.HangupCauseText, a.CreatedAt, s.AnsweredAt ?? a.AnsweredAt, a.EndedAt, a.TalkSeconds, a.Server, s.IsLive, s.Channel,
            number, agent, destination, ClickToCallOutcomeText.Describe(a.Outcome, a.Reason, a.FailureReason));
    }
}

/// <summary>GET /api/calls: one page of click-to-calls, newest first, and how many match in all.</summary>
public sealed record CallPageDto(IReadOnlyList<CallDto> Calls, long Total, int Limit, int Offset);
