using System.Text;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>The home page: campaigns with state and progress, active calls, and the AMI servers' state.</summary>
internal static class DashboardPage
{
    public static IEndpointRouteBuilder MapDashboardPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", ShowAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ShowAsync(HttpContext ctx, WebBackend backend, WebData data, CancellationToken ct)
    {
        var campaigns = await (await data.CampaignsAsync(ct)).ListAsync(ct);
        var reports = await data.ReportsAsync(ct);
        var sb = new StringBuilder();
        long activeCalls = 0;
        var rows = new StringBuilder();
        foreach (var c in campaigns)
        {
            var summary = await reports.GetSummaryAsync(c.Id, ct);
            var leads = summary.Leads;
            var pending = summary.LeadsByState.Where(p => p.Key is Core.Model.LeadState.Pending or Core.Model.LeadState.InProgress or Core.Model.LeadState.WaitingRetry).Sum(p => p.Value);
            var active = summary.LeadsByState.GetValueOrDefault(Core.Model.LeadState.InProgress);
            activeCalls += active;
            var done = leads - pending;
            var state = c.State.ToString().ToLowerInvariant();
            rows.Append("<tr data-campaign=\"").Append(E(c.Id)).Append("\"><td><a href=\"/campaigns/").Append(E(c.Id)).Append("\">").Append(E(c.Name)).Append("</a>")
                .Append(c.IsSimulated ? " <span class=\"badge\">simulated</span>" : "").Append("</td>")
                .Append("<td><span class=\"badge state-").Append(state).Append("\">").Append(state).Append("</span></td>")
                .Append("<td><progress max=\"").Append(E(Math.Max(1, leads))).Append("\" value=\"").Append(E(done)).Append("\"></progress> <span class=\"muted\">")
                .Append(E(done)).Append(" / ").Append(E(leads)).Append("</span></td>")
                .Append("<td class=\"num\">").Append(E(active)).Append("</td>")
                .Append("<td><a href=\"/campaigns/").Append(E(c.Id)).Append("/report\">Report</a></td></tr>");
        }

        sb.Append("<div class=\"grid\"><div class=\"card\"><div class=\"muted\">Campaigns</div><div class=\"stat\" id=\"campaign-count\">").Append(E(campaigns.Count)).Append("</div></div>")
          .Append("<div class=\"card\"><div class=\"muted\">Active calls</div><div class=\"stat\" id=\"active-calls\">").Append(E(activeCalls)).Append("</div></div></div>");
        sb.Append("<section class=\"card\"><div class=\"actions\"><h2 style=\"flex:1\">Campaigns</h2><a class=\"button\" href=\"/campaigns/new\" id=\"new-campaign\">New campaign</a></div>");
        if (campaigns.Count == 0)
        {
            sb.Append("<p class=\"muted\">No campaign yet. Create one, then upload its CSV of numbers.</p>");
        }
        else
        {
            sb.Append("<table id=\"campaigns\"><thead><tr><th>Name</th><th>State</th><th>Progress</th><th class=\"num\">Active calls</th><th></th></tr></thead><tbody>")
              .Append(rows).Append("</tbody></table>");
        }

        sb.Append("</section>");
        sb.Append("<section class=\"card\" id=\"ami-status\"><h2>AMI servers</h2><p class=\"muted\" id=\"engine-state\">");
        if (data.Engine is { } engine)
        {
            var live = engine.GetSnapshot();
            sb.Append("Dialing engine running: ").Append(E(live.Campaigns.Count(l => l.Status == Engine.Live.DialerStatus.Dialing))).Append(" campaign(s) dialing, ")
              .Append(E(live.ActiveCalls.Count)).Append(" call(s) live.");
        }
        else
        {
            sb.Append("The dialing engine does not run in this process: <code>amidialer serve</code> runs it.");
        }

        sb.Append("</p><table><thead><tr><th>Server</th><th>State</th></tr></thead><tbody>");
        foreach (var server in backend.Health.AmiServers())
        {
            sb.Append("<tr><td>").Append(E(server.Name)).Append("</td><td class=\"").Append(server.IsUp ? "up" : "down").Append("\">")
              .Append(E(server.State)).Append("</td></tr>");
        }

        sb.Append("</tbody></table></section>");
        // Live enough for a wall screen without a socket per campaign.
        sb.Append("<script>setTimeout(function(){location.reload();},10000);</script>");
        return Layout.Page(ctx, "Dashboard", sb.ToString());
    }
}
