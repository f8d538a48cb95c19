using System.Security.Cryptography;
using AmiDialer.Web.Auth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace AmiDialer.Web.Infrastructure;

/// <summary>
/// Post/redirect/get for the pages: a form's POST answers 303 See Other to a GET page, so a reload or the back button
/// never sends the form again (a re-sent "pause" or "add" would act a second time). What the POST has to say travels
/// in the redirect as a notice the server protected, so nobody can put words on the page with a crafted link.
/// </summary>
internal static class PostRedirectGet
{
    public const string NoticeParameter = "notice";
    private const string Purpose = "AmiDialer.Web.Notice";

    /// <summary>Turns every page redirect answering a POST (or other write) into 303, whichever handler made it.</summary>
    public static IApplicationBuilder UsePostRedirectGet(this IApplicationBuilder app) =>
        app.Use((ctx, next) =>
        {
            if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method) && !AuthSetup.IsApi(ctx.Request))
            {
                ctx.Response.OnStarting(() =>
                {
                    if (ctx.Response.StatusCode is StatusCodes.Status302Found or StatusCodes.Status301MovedPermanently)
                    {
                        ctx.Response.StatusCode = StatusCodes.Status303SeeOther;
                    }

                    return Task.CompletedTask;
                });
            }

            return next(ctx);
        });

    /// <summary>303 to <paramref name="path"/>, which then shows <paramref name="notice"/> (a refusal when <paramref name="refused"/>).</summary>
    public static IResult SeeOther(HttpContext ctx, string path, string? notice = null, bool refused = false)
    {
        if (notice is not null)
        {
            var token = Protector(ctx).Protect((refused ? "!" : " ") + notice);
            path = QueryHelpers.AddQueryString(path, NoticeParameter, token);
        }

        ctx.Response.Headers.Location = path;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>The notice a redirect carried, or null when there is none or it was not made by this server.</summary>
    public static (string Text, bool Refused)? Notice(HttpContext ctx)
    {
        var token = ctx.Request.Query[NoticeParameter].ToString();
        if (token.Length == 0)
        {
            return null;
        }

        try
        {
            var text = Protector(ctx).Unprotect(token);
            return text.Length == 0 ? null : (text[1..], text[0] == '!');
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static IDataProtector Protector(HttpContext ctx) =>
        ctx.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
}
