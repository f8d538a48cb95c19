using System.Text;

namespace AmiDialer.Web.Infrastructure;

/// <summary>A server-rendered page.</summary>
internal sealed class HtmlResult(string html, int statusCode = StatusCodes.Status200OK) : IResult, IContentTypeHttpResult, IStatusCodeHttpResult
{
    public string Html { get; } = html;

    public string ContentType => "text/html; charset=utf-8";

    public int? StatusCode { get; } = statusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode ?? 200;
        httpContext.Response.ContentType = ContentType;
        httpContext.Response.Headers.CacheControl = "no-store";
        httpContext.Response.Headers.XContentTypeOptions = "nosniff";
        httpContext.Response.Headers.XFrameOptions = "DENY";
        var bytes = Encoding.UTF8.GetBytes(Html);
        httpContext.Response.ContentLength = bytes.Length;
        return httpContext.Response.Body.WriteAsync(bytes, httpContext.RequestAborted).AsTask();
    }
}
