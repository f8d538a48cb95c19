using AmiDialer.Web.Infrastructure;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace AmiDialer.Web.Auth;

/// <summary>Wires the API key, the login cookie, antiforgery and the rule that everything needs auth.</summary>
internal static class AuthSetup
{
    /// <summary>How long a login lasts without use (sliding): the cookie's lifetime and the server session's.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static IServiceCollection AddWebAuth(this IServiceCollection services, IReadOnlyList<string> apiKeys)
    {
        services.AddAuthentication(AuthSchemes.Default)
            .AddPolicyScheme(AuthSchemes.Default, "API key or login cookie", o =>
                o.ForwardDefaultSelector = ctx => ctx.Request.Headers.ContainsKey(AuthSchemes.ApiKeyHeader) ? AuthSchemes.ApiKey : AuthSchemes.Cookie)
            .AddScheme<ApiKeyOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, o => o.Keys = [.. apiKeys])
            .AddCookie(AuthSchemes.Cookie, o =>
            {
                o.Cookie.Name = AuthSchemes.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.ExpireTimeSpan = SessionLifetime;
                o.SlidingExpiration = true;
                o.Events = new CookieAuthenticationEvents
                {
                    // API clients get a problem document, not an HTML redirect they cannot follow.
                    OnRedirectToLogin = ctx => IsApi(ctx.Request)
                        ? Problems.WriteAsync(ctx.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required", "Send an X-Api-Key header or log in.")
                        : Redirect(ctx),
                    OnRedirectToAccessDenied = ctx => Problems.WriteAsync(ctx.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", null),
                    // The cookie alone is not enough: its session must still be live on the server (logout ends it).
                    OnValidatePrincipal = async ctx =>
                    {
                        var sessions = ctx.HttpContext.RequestServices.GetRequiredService<LoginSessions>();
                        if (!sessions.IsLive(ctx.Principal?.FindFirst(LoginSessions.ClaimType)?.Value))
                        {
                            ctx.RejectPrincipal();
                            await ctx.HttpContext.SignOutAsync(AuthSchemes.Cookie);
                        }
                    },
                };
            });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(AuthSchemes.Default).RequireAuthenticatedUser().Build());

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = AuthSchemes.AntiforgeryCookieName;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.HeaderName = AuthSchemes.AntiforgeryHeader;
            o.FormFieldName = AuthSchemes.AntiforgeryField;
        });
        return services;
    }

    public static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments(WebServer.MetricsPath, StringComparison.OrdinalIgnoreCase)
        || request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase)
        || request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx)
    {
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A state-changing request authenticated by the login cookie must carry the antiforgery token
    /// (form field or X-CSRF-TOKEN header). API-key requests are exempt: a browser never adds that header by itself.
    /// </summary>
    public static IApplicationBuilder UseCookieAntiforgery(this IApplicationBuilder app) =>
        app.Use(async (ctx, next) =>
        {
            if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method) && !HttpMethods.IsOptions(ctx.Request.Method)
                && ctx.User.Identity is { IsAuthenticated: true, AuthenticationType: AuthSchemes.Cookie })
            {
                var antiforgery = ctx.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(ctx))
                {
                    WebLog.AntiforgeryFailed(ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AmiDialer.Web.Auth"), ctx.Request.Method, ctx.Request.Path);
                    await Problems.WriteAsync(ctx, StatusCodes.Status400BadRequest, "Antiforgery token missing or invalid",
                        $"Requests made with the login cookie must send the token in the {AuthSchemes.AntiforgeryHeader} header or the {AuthSchemes.AntiforgeryField} form field; reload the page and try again.");
                    return;
                }
            }

            await next(ctx);
        });
}
