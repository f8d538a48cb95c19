using System.Text.Json;
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

    /// <summary>A 400 naming one field, for handlers that validate by hand.</summary>
    public static ValidationProblem Field(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"Invalid {field}");
}

/// <summary>
/// Turns a body the JSON binder could not read into a 400 naming the field (its JSON path), and any other
/// unhandled error into a 500 that says nothing internal.
/// </summary>
internal sealed class BadRequestExceptionHandler(ILoggerFactory loggerFactory) : IExceptionHandler
{
    private readonly ILogger log = loggerFactory.CreateLogger("AmiDialer.Web");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException bad)
        {
            var json = FindJsonException(bad);
            if (json is not null)
            {
                var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
                await Problems.WriteAsync(httpContext, StatusCodes.Status400BadRequest, $"Invalid {field}",
                    "The request body is not valid JSON for this endpoint.",
                    new Dictionary<string, string[]> { [field] = [Describe(json)] });
                return true;
            }

            await Problems.WriteAsync(httpContext, bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Bad request", bad.Message);
            return true;
        }

        WebLog.Unhandled(log, exception, httpContext.Request.Method, httpContext.Request.Path);
        await Problems.WriteAsync(httpContext, StatusCodes.Status500InternalServerError, "Internal error", "The server hit an error; it has been logged.");
        return true;
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

    private static string Describe(JsonException json)
    {
        // The serializer's message names .NET types; keep only the part a client can act on.
        var message = json.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
