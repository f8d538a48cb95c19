using System.Globalization;
using System.Security.Claims;
using System.Text;
using AmiDialer.Agents;
using AmiDialer.Web.Api;
using AmiDialer.Web.Infrastructure;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// The queues' agents: per queue its figures and utilisation and the campaigns it paces, per agent its state, pause
/// reason and the attempt it talks on; pause (with a reason) and unpause buttons, audited. Read from Asterisk on each
/// view; the page reloads itself every 10 s.
/// </summary>
internal static class AgentsPage
{
    public static IEndpointRouteBuilder MapAgentsPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/agents", RenderAsync).ExcludeFromDescription();
        app.MapPost("/agents/pause", PauseAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> PauseAsync(HttpContext ctx, WebBackend backend, ClaimsPrincipal user, CancellationToken ct)
    {
        var form = await ctx.Request.ReadFormAsync(ct);
        var queue = form["queue"].ToString();
        var reason = form["reason"].ToString();
        var result = await AgentPause.SetAsync(backend.Services, NullIfEmpty(form["server"].ToString()), form["interface"].ToString(), NullIfEmpty(queue),
            form["paused"] == "true", NullIfEmpty(reason), CampaignsApi.Actor(user), ct);
        return PostRedirectGet.SeeOther(ctx, "/agents", result.Message, refused: !result.Done);
    }

    private static string? NullIfEmpty(string text) => text.Trim().Length == 0 ? null : text.Trim();

    private static async Task<IResult> RenderAsync(HttpContext ctx, WebBackend backend, string? queue, CancellationToken ct)
    {
        var token = Layout.AntiforgeryToken(ctx);
        var servers = await QueueAgentsReader.ReadAsync(backend.Services, queue is not null && Cli.CampaignValueParsers.QueueName(queue) is null ? queue : null, ct);
        var sb = new StringBuilder();
        foreach (var server in servers)
        {
            if (server.Problem is not null)
            {
                sb.Append("<div class=\"error-box\" role=\"alert\">Server ").Append(E(server.Server)).Append(": ").Append(E(server.Problem)).Append("</div>");
            }
            else if (server.Queues.Count == 0)
            {
                sb.Append("<p class=\"card\">Server ").Append(E(server.Server)).Append(" has no queue.</p>");
            }

            foreach (var q in server.Queues)
            {
                var pct = (q.Utilisation * 100).ToString("0", CultureInfo.InvariantCulture);
                sb.Append("<section class=\"card\" data-queue=\"").Append(Attr(q.Queue)).Append("\"><h2>Queue ").Append(E(q.Queue))
                  .Append(servers.Count > 1 ? " on " + E(server.Server) : "").Append("</h2>")
                  .Append("<p><span class=\"stat\" data-figure=\"loggedIn\">").Append(E(q.LoggedIn)).Append("</span> logged in, ")
                  .Append("<span class=\"stat\" data-figure=\"paused\">").Append(E(q.Paused)).Append("</span> paused, ")
                  .Append("<span class=\"stat\" data-figure=\"talking\">").Append(E(q.Talking)).Append("</span> talking, ")
                  .Append("<span class=\"stat\" data-figure=\"free\">").Append(E(q.Free)).Append("</span> free, ")
                  .Append("<span class=\"stat\" data-figure=\"waiting\">").Append(E(q.Waiting)).Append("</span> caller(s) waiting. ")
                  .Append("Utilisation <span class=\"stat\" data-figure=\"utilisation\">").Append(pct).Append(" %</span> (agents on a call per agent not paused)")
                  .Append(q.Campaigns.Count == 0 ? "." : "; paces campaign(s) " + E(string.Join(", ", q.Campaigns)) + ".").Append("</p>")
                  // Where the states come from: this node's engine follows the queue (wrap-up and attempts from its events),
                  // or a QueueStatus read for this page (no wrap-up: a list does not carry it).
                  .Append("<p class=\"muted\" data-source=\"").Append(Attr(q.Source)).Append("\">")
                  .Append(q.Source == "engine" ? "As this node's dialer follows it; wrap-up " + E(q.WrapUp) + "." : "From QueueStatus just now (no dialer here follows it: wrap-up not known).")
                  .Append("</p>");
                sb.Append("<table class=\"agents\"><thead><tr><th>Agent</th><th>Interface</th><th>State</th><th>Pause reason</th><th class=\"num\">Calls taken</th><th>On attempt</th><th></th></tr></thead><tbody>");
                foreach (var a in q.Agents)
                {
                    sb.Append("<tr data-agent=\"").Append(Attr(a.Interface)).Append("\" data-state=\"").Append(Attr(a.State)).Append("\"><td>").Append(E(a.Name ?? a.Interface)).Append("</td><td>").Append(E(a.Interface))
                      .Append("</td><td><span class=\"badge agent-").Append(Attr(a.State)).Append("\">").Append(E(a.State)).Append("</span></td><td>").Append(E(a.PausedReason))
                      .Append("</td><td class=\"num\">").Append(E(a.CallsTaken)).Append("</td><td>");
                    if (a.AttemptId is { } attempt)
                    {
                        sb.Append("#").Append(E(attempt)).Append(" of <a href=\"/campaigns/").Append(E(a.CampaignId ?? 0)).Append("\">").Append(E(a.Campaign)).Append("</a>");
                    }

                    sb.Append("</td><td><form method=\"post\" action=\"/agents/pause\" class=\"inline\">").Append(Layout.Field(token))
                      .Append("<input type=\"hidden\" name=\"server\" value=\"").Append(Attr(server.Server)).Append("\">")
                      .Append("<input type=\"hidden\" name=\"interface\" value=\"").Append(Attr(a.Interface)).Append("\">")
                      .Append("<input type=\"hidden\" name=\"queue\" value=\"").Append(Attr(q.Queue)).Append("\">")
                      .Append("<input type=\"hidden\" name=\"paused\" value=\"").Append(a.Paused ? "false" : "true").Append("\">");
                    if (!a.Paused)
                    {
                        sb.Append("<input type=\"text\" name=\"reason\" placeholder=\"reason\" aria-label=\"Pause reason for ").Append(Attr(a.Name ?? a.Interface)).Append("\" maxlength=\"80\"> ");
                    }

                    sb.Append("<button type=\"submit\" class=\"secondary\">").Append(a.Paused ? "Unpause" : "Pause").Append("</button></form></td></tr>");
                }

                sb.Append("</tbody></table></section>");
            }
        }

        // Read from Asterisk on each view: a reload every 10 s keeps it current without a follower in this process.
        sb.Append("<script>setTimeout(function(){if(!document.activeElement||document.activeElement.tagName!=='INPUT')location.reload();},10000);</script>");
        return Layout.Page(ctx, "Agents", sb.ToString());
    }
}
