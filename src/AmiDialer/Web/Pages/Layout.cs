using System.Text;
using AmiDialer.Web.Auth;
using AmiDialer.Web.Infrastructure;
using Microsoft.AspNetCore.Antiforgery;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>The frame every page shares: navigation, the simulated-calls banner, CSS and the little JS there is.</summary>
internal static class Layout
{
    public static HtmlResult Page(HttpContext ctx, string title, string body, int status = StatusCodes.Status200OK)
    {
        var backend = ctx.RequestServices.GetRequiredService<WebBackend>();
        var loggedIn = ctx.User.Identity?.IsAuthenticated == true;
        var token = loggedIn || ctx.Request.Path.StartsWithSegments("/login") ? AntiforgeryToken(ctx) : "";
        var sb = new StringBuilder(4096);
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          // No icon of our own: an empty one keeps the browser from asking for /favicon.ico (a 404 on every page).
          .Append("<link rel=\"icon\" href=\"data:,\">")
          .Append("<meta name=\"csrf-token\" content=\"").Append(Attr(token)).Append("\">")
          .Append("<title>").Append(E(title)).Append(" · AmiDialer</title><style>").Append(Assets.Css).Append("</style></head><body>");
        sb.Append("<header><a class=\"brand\" href=\"/\">AmiDialer</a>");
        if (loggedIn)
        {
            sb.Append("<nav><a href=\"/\">Dashboard</a><a href=\"/campaigns/new\">New campaign</a><a href=\"/agents\">Agents</a><a href=\"/cluster\">Cluster</a><a href=\"/calls\">Click-to-call</a><a href=\"/dnc\">Do-not-call</a><a href=\"/setup\">Setup</a></nav>")
              .Append("<form method=\"post\" action=\"/logout\" class=\"logout\">").Append(Field(token))
              .Append("<button type=\"submit\" class=\"link\">Log out</button></form>");
        }

        sb.Append("</header>");
        if (backend.IsSimulated)
        {
            sb.Append("<div class=\"banner simulated\" role=\"alert\" id=\"simulated-banner\">Simulated calls: this server dials the built-in PBX simulator, not a real Asterisk. No real phone rings.</div>");
        }

        sb.Append("<main><h1>").Append(E(title)).Append("</h1>");
        if (loggedIn && PostRedirectGet.Notice(ctx) is { } notice)
        {
            sb.Append(notice.Refused ? "<div class=\"error-box\" role=\"alert\" id=\"notice\">" : "<div class=\"ok-box\" role=\"status\" id=\"notice\">")
              .Append(E(notice.Text)).Append("</div>");
        }

        sb.Append(body).Append("</main>");
        sb.Append("<script>").Append(Assets.Js).Append("</script></body></html>");
        return new HtmlResult(sb.ToString(), status);
    }

    public static string AntiforgeryToken(HttpContext ctx) =>
        ctx.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(ctx).RequestToken ?? "";

    /// <summary>The hidden antiforgery field every state-changing form carries.</summary>
    public static string Field(string token) =>
        $"<input type=\"hidden\" name=\"{AuthSchemes.AntiforgeryField}\" value=\"{Attr(token)}\">";

    public static string Field(HttpContext ctx) => Field(AntiforgeryToken(ctx));
}
