using System.Security.Claims;
using AmiDialer.Web.Infrastructure;
using AmiDialer.Web.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Auth;

/// <summary>The login and logout pages: one admin, one password, a cookie.</summary>
internal static class LoginPages
{
    public static IEndpointRouteBuilder MapLoginPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", ShowAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/login", LoginAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/logout", LogoutAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ShowAsync(HttpContext ctx, WebBackend backend, string? returnUrl, CancellationToken ct) =>
        await Form(ctx, backend, returnUrl, error: null, StatusCodes.Status200OK, ct);

    private static async Task<IResult> LoginAsync(HttpContext ctx, WebBackend backend, IAntiforgery antiforgery, LoginThrottle throttle, LoginSessions sessions, ILoggerFactory loggers, CancellationToken ct)
    {
        var log = loggers.CreateLogger("AmiDialer.Web.Auth");
        var form = await ctx.Request.ReadFormAsync(ct);
        var returnUrl = form["returnUrl"].ToString();

        // Login CSRF: a third-party page must not log a victim's browser into the attacker's session.
        if (!await antiforgery.IsRequestValidAsync(ctx))
        {
            return await Form(ctx, backend, returnUrl, "The form expired; please try again.", StatusCodes.Status400BadRequest, ct);
        }

        if (!await backend.AdminPassword.IsSetAsync(ct))
        {
            return await Form(ctx, backend, returnUrl, null, StatusCodes.Status409Conflict, ct);
        }

        // Checked before the password, so a locked-out guesser learns nothing, not even from the right password.
        var address = ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var wait = throttle.RetryAfter(address);
        if (wait > TimeSpan.Zero)
        {
            var minutes = (int)Math.Ceiling(wait.TotalMinutes);
            WebLog.LoginLockedOut(log, address, LoginThrottle.MaxFailures);
            ctx.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await Form(ctx, backend, returnUrl,
                $"Too many failed logins from your address ({LoginThrottle.MaxFailures} in {LoginThrottle.Window.TotalMinutes:0} minutes). Try again in {minutes} minute{(minutes == 1 ? "" : "s")}.",
                StatusCodes.Status429TooManyRequests, ct);
        }

        var password = form["password"].ToString();
        if (password.Length == 0 || !await backend.AdminPassword.VerifyAsync(password, ct))
        {
            throttle.Failed(address);
            WebLog.LoginFailed(log, address);
            return await Form(ctx, backend, returnUrl, "Wrong password.", StatusCodes.Status401Unauthorized, ct);
        }

        throttle.Succeeded(address);

        var session = sessions.Start();
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, "admin"), new Claim(LoginSessions.ClaimType, session)], AuthSchemes.Cookie);
        await ctx.SignInAsync(AuthSchemes.Cookie, new ClaimsPrincipal(identity));
        WebLog.LoggedIn(log, ctx.Connection.RemoteIpAddress?.ToString());
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl : "/");
    }

    private static async Task<IResult> LogoutAsync(HttpContext ctx, LoginSessions sessions, ILoggerFactory loggers)
    {
        // Ended on the server first: deleting the browser's cookie does nothing to a copy of it.
        sessions.End(ctx.User.FindFirst(LoginSessions.ClaimType)?.Value);
        await ctx.SignOutAsync(AuthSchemes.Cookie);
        WebLog.LoggedOut(loggers.CreateLogger("AmiDialer.Web.Auth"));
        return Results.Redirect("/login");
    }

    private static async Task<IResult> Form(HttpContext ctx, WebBackend backend, string? returnUrl, string? error, int status, CancellationToken ct)
    {
        string body;
        if (!await backend.AdminPassword.IsSetAsync(ct))
        {
            body = """
                <div class="card" id="no-password">
                <p><strong>No admin password is set yet</strong>, so nobody can log in.</p>
                <p>Set one on the server with</p>
                <pre><code>amidialer admin set-password</code></pre>
                <p>or put a hash made by that command in <code>Web:AdminPasswordHash</code>
                (for example as the environment variable <code>AMIDIALER_Web__AdminPasswordHash</code>), then reload this page.</p>
                <p class="muted">The HTTP API works meanwhile with a key from <code>Web:ApiKeys</code> in the <code>X-Api-Key</code> header.</p>
                </div>
                """;
        }
        else
        {
            body = (error is null ? "" : $"<div class=\"error-box\" role=\"alert\" id=\"login-error\">{E(error)}</div>")
                + "<form method=\"post\" action=\"/login\" class=\"stack card\">" + Layout.Field(ctx)
                + $"<input type=\"hidden\" name=\"returnUrl\" value=\"{Attr(IsLocal(returnUrl) ? returnUrl : "/")}\">"
                + "<label>Password<input type=\"password\" name=\"password\" id=\"password\" autocomplete=\"current-password\" autofocus required></label>"
                + "<div><button type=\"submit\" id=\"login\">Log in</button></div></form>";
        }

        return Layout.Page(ctx, "Log in", body, status);
    }

    /// <summary>Only a path on this site: an open redirect would make the login page a phishing tool.</summary>
    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
