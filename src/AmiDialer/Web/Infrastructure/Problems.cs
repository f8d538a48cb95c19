using System.Text.Json;
using System.Text.RegularExpressions;
using AmiDialer.Data.Database;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AmiDialer.Web.Infrastructure;

/// <summary>RFC 7807 problem documents, written the same way from middleware, handlers and endpoints.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    public static Task WriteAsync(HttpContext ctx, int status, string title, string? detail, IDictionary<string, string[]>? errors = null)
    {
        ctx.Response.StatusCode = status;
        ProblemDetails problem = errors is null
            ? new ProblemDetails()
            : new HttpValidationProblemDetails(errors);
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        problem.Type = $"https://tools.ietf.org/html/rfc9110#section-15.{(status >= 500 ? "6" : "5")}.{(status >= 500 ? status - 499 : status - 399)}";
        return ctx.Response.WriteAsJsonAsync(problem, problem.GetType(), (JsonSerializerOptions?)null, ContentType, ctx.RequestAborted);
    }

    /// <summary>
    /// A 409 naming the field whose value another record already holds: the request is well formed but conflicts
    /// with the stored state, so create and rename answer alike.
    /// </summary>
    public static ProblemHttpResult Taken(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status409Conflict,
            Title = $"The {field} is already taken",
            Detail = message,
        });

    /// <summary>A 400 naming one field, for handlers that validate by hand.</summary>
    public static ValidationProblem Field(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"Invalid {field}");
}

/// <summary>
/// Turns a request the binder could not read into a 400 naming what was wrong (the body, a field by its JSON path, a
/// query parameter) in words a client can act on, never .NET type names; a page gets the same as an HTML page. A store
/// that cannot be reached (PostgreSQL down, restarting, failing over) is a 503 naming the server and the setting, with a
/// Retry-After: the request was fine and will work once the store is back. Any other unhandled error becomes a 500 that
/// says nothing internal.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(ILoggerFactory loggerFactory, WebBackend backend) : IExceptionHandler
{
    /// <summary>What a 503 asks a client to wait before trying again: a restart or a failover takes seconds.</summary>
    private const int RetryAfterSeconds = 5;

    private readonly ILogger log = loggerFactory.CreateLogger("AmiDialer.Web");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException bad)
        {
            var (title, detail, field, message) = Explain(bad);
            if (!Auth.AuthSetup.IsApi(httpContext.Request) && bad.StatusCode == StatusCodes.Status400BadRequest)
            {
                await Pages.Layout.Page(httpContext, title,
                    $"<div class=\"error-box\" role=\"alert\" id=\"bad-request\">{Pages.Html.E(message ?? detail)}</div>"
                    + $"<p><a href=\"{Pages.Html.Attr(httpContext.Request.Path)}\">Open this page without it</a></p>",
                    StatusCodes.Status400BadRequest).ExecuteAsync(httpContext);
                return true;
            }

            await Problems.WriteAsync(httpContext, bad.StatusCode, title, detail,
                field is null ? null : new Dictionary<string, string[]> { [field] = [message!] });
            return true;
        }

        if (StoreErrors.IsUnavailable(exception))
        {
            await WriteUnavailableAsync(httpContext, exception);
            return true;
        }

        WebLog.Unhandled(log, exception, httpContext.Request.Method, httpContext.Request.Path);
        await Problems.WriteAsync(httpContext, StatusCodes.Status500InternalServerError, "Internal error", "The server hit an error; it has been logged.");
        return true;
    }

    /// <summary>The 503 for a store that cannot be reached: a problem for the API, an HTML page for a browser; logged without a stack trace.</summary>
    private async Task WriteUnavailableAsync(HttpContext httpContext, Exception exception)
    {
        var database = backend.Services.Database;
        var what = database.Provider == StoreProvider.Postgres
            ? Hosting.PostgresFailures.Unreachable(database.ConnectionString, exception)
            : $"Cannot open the database {database.Where}: {StoreErrors.Reason(exception)}.";
        const string Wait = "The dialer keeps its calls meanwhile and resumes by itself when the database is back; try again in a moment.";
        WebLog.StoreUnavailable(log, httpContext.Request.Method, httpContext.Request.Path, what);
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        const string Title = "The database is unavailable";
        if (!Auth.AuthSetup.IsApi(httpContext.Request))
        {
            await Pages.Layout.Page(httpContext, Title,
                $"<div class=\"error-box\" role=\"alert\" id=\"store-unavailable\">{Pages.Html.E(what)}</div><p>{Pages.Html.E(Wait)}</p>",
                StatusCodes.Status503ServiceUnavailable).ExecuteAsync(httpContext);
            return;
        }

        await Problems.WriteAsync(httpContext, StatusCodes.Status503ServiceUnavailable, Title, what + " " + Wait);
    }

    private static (string Title, string Detail, string? Field, string? Message) Explain(BadHttpRequestException bad)
    {
        if (FindJsonException(bad) is { } json)
        {
            var converted = ConvertedTo().Match(json.Message);
            if (!converted.Success)
            {
                // A syntax error: the path is where the reader stopped, not a field that was wrong.
                var where = json.LineNumber is { } line ? $" at line {line + 1}, position {(json.BytePositionInLine ?? 0) + 1}" : "";
                return ("The request body is not valid JSON", "Send the body as one well-formed JSON document.", "body", $"Malformed JSON{where}.");
            }

            var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
            return ($"Invalid {field}", "A value in the request body has the wrong type.", field, $"Must be {Kind(converted.Groups[1].Value)}.");
        }

        if (BindFailure().Match(bad.Message) is { Success: true } bind)
        {
            var name = bind.Groups["name"].Value;
            return ($"Invalid {name}", $"The query or route value {name} could not be read.", name,
                $"'{bind.Groups["value"].Value}' is not {Kind(bind.Groups["type"].Value)}.");
        }

        return (bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Bad request", bad.Message, null, null);
    }

    /// <summary>What a client should send, in words, for the .NET type the binder wanted.</summary>
    private static string Kind(string type)
    {
        if (type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal)
            || type.StartsWith("int", StringComparison.Ordinal) || type.StartsWith("long", StringComparison.Ordinal))
        {
            return "a whole number";
        }

        if (type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) || type.StartsWith("double", StringComparison.Ordinal))
        {
            return "a number";
        }

        if (type.Contains("DateTimeOffset", StringComparison.Ordinal) || type.Contains("DateTime", StringComparison.Ordinal))
        {
            return "a date and time such as 2026-12-07T09:00:00Z";
        }

        if (type.Contains("Boolean", StringComparison.Ordinal) || type.StartsWith("bool", StringComparison.Ordinal))
        {
            return "true or false";
        }

        if (type == "System.String" || type.StartsWith("string", StringComparison.Ordinal))
        {
            return "text (a JSON string)";
        }

        if (type.Contains("List", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal) || type.Contains("Enumerable", StringComparison.Ordinal))
        {
            return "a list (a JSON array)";
        }

        return "an object of the documented shape (see /openapi/v1.json)";
    }

    private static JsonException? FindJsonException(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^The JSON value could not be converted to ([^ ]+)\.")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex("^Failed to bind parameter \"(?<type>.+) (?<name>[^ ]+)\" from \"(?<value>.*)\"\\.?$")]
    private static partial Regex BindFailure();
}
