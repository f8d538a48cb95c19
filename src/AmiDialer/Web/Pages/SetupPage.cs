using System.Text;
using AmiDialer.Core.Doctor;
using AmiDialer.Hosting;
using AmiDialer.Reports;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// Setup: the doctor's checks of every AMI server, run when the page is opened (as <c>GET /api/doctor</c> and
/// <c>amidialer doctor</c> run them), one table per server with what was found and how to fix each WARN and FAIL.
/// </summary>
internal static class SetupPage
{
    public static IEndpointRouteBuilder MapSetupPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/setup", ShowAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ShowAsync(HttpContext ctx, WebBackend backend, CancellationToken ct)
    {
        var servers = DoctorRunner.Servers(backend.Services)!;
        var report = await DoctorRunner.RunAsync(backend.Services, servers, await DoctorRunner.NeedsAsync(backend.Services, ct), ct);
        var sb = new StringBuilder();
        var failed = report.Servers.Count(s => s.Level == CheckLevel.Fail);
        var warned = report.Servers.Count(s => s.Level == CheckLevel.Warn);
        sb.Append("<p class=\"actions\" id=\"setup-summary\"><span>")
          .Append(E(report.Servers.Count == 0
              ? "No AMI server is configured (Ami:Servers)."
              : failed > 0 ? $"{failed} of {report.Servers.Count} server(s) fail a check: calls through them will fail until the lines marked FAIL are fixed."
              : warned > 0 ? $"Nothing fails; {warned} server(s) have warnings." : "Every check is OK."))
          .Append("</span><a class=\"button secondary\" href=\"/setup\" id=\"check-again\">Check again</a></p>")
          .Append("<p class=\"muted\">Checked ").Append(E(report.CheckedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)))
          .Append(" with the dialer's own settings, against the dialplan the campaigns that may still dial and click-to-call use. The same checks: <code>amidialer doctor</code>, <code>GET /api/doctor</code>.</p>");
        foreach (var server in report.Servers)
        {
            sb.Append("<section class=\"card server\" data-server=\"").Append(Attr(server.Server)).Append("\"><h2>").Append(E(server.Server))
              .Append(" <span class=\"muted\">").Append(E(server.Address)).Append("</span> ")
              .Append(Badge(server.Level)).Append("</h2><table class=\"checks\"><thead><tr><th>Check</th><th>Result</th><th>Found</th><th>How to fix</th></tr></thead><tbody>");
            foreach (var check in server.Checks)
            {
                sb.Append("<tr data-check=\"").Append(Attr(check.Check)).Append("\" data-result=\"").Append(DoctorOutput.Word(check.Level)).Append("\"><td>").Append(E(check.Check))
                  .Append("</td><td>").Append(Badge(check.Level)).Append(check.Blocking ? " <span class=\"muted\" title=\"a campaign start is refused on it\">blocks start</span>" : "")
                  .Append("</td><td>").Append(E(check.Detail)).Append("</td><td>").Append(E(check.Fix)).Append("</td></tr>");
            }

            sb.Append("</tbody></table></section>");
        }

        return Layout.Page(ctx, "Setup", sb.ToString());
    }

    private static string Badge(CheckLevel level) => level switch
    {
        CheckLevel.Ok => "<span class=\"badge check-ok\">OK</span>",
        CheckLevel.Warn => "<span class=\"badge check-warn\">WARN</span>",
        _ => "<span class=\"badge check-fail\">FAIL</span>",
    };
}
