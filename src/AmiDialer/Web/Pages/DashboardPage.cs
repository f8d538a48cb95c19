using System.Text;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>The home page: campaigns, live calls and the AMI servers' state.</summary>
internal static class DashboardPage
{
    public static IEndpointRouteBuilder MapDashboardPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Show).ExcludeFromDescription();
        return app;
    }

    private static IResult Show(HttpContext ctx, WebBackend backend)
    {
        var sb = new StringBuilder();
        sb.Append("<section class=\"card\" id=\"ami-status\"><h2>AMI servers</h2><table><thead><tr><th>Server</th><th>State</th></tr></thead><tbody>");
        foreach (var server in backend.Health.AmiServers())
        {
            sb.Append("<tr><td>").Append(E(server.Name)).Append("</td><td class=\"").Append(server.IsUp ? "up" : "down").Append("\">")
              .Append(E(server.State)).Append("</td></tr>");
        }

        sb.Append("</tbody></table></section>");
        return Layout.Page(ctx, "Dashboard", sb.ToString());
    }
}
