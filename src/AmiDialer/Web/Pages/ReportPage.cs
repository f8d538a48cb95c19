using System.Globalization;
using System.Text;
using AmiDialer.Web.Api;
using AmiDialer.Web.Charts;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>The report: outcome chart, calls by hour, answer rate, talk time, and the per-lead table with paging and CSV export.</summary>
internal static class ReportPage
{
    private const int PageSize = 25;

    public static IEndpointRouteBuilder MapReportPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/campaigns/{id:long}/report", ShowAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ShowAsync(long id, long? after, HttpContext ctx, WebData data, CancellationToken ct)
    {
        if (await ReportsApi.BuildReportAsync(id, data, ct) is not { } built)
        {
            return CampaignFormPage.NotFoundPage(ctx, id);
        }

        var (campaign, report) = built;
        var sb = new StringBuilder();
        sb.Append("<p><a href=\"/campaigns/").Append(E(id)).Append("\">← ").Append(E(campaign.Name)).Append("</a></p>");
        if (report.Simulated)
        {
            sb.Append("<div class=\"banner simulated\" id=\"report-simulated\">This campaign's calls were made against the simulator, not a real PBX.</div>");
        }

        sb.Append("<div class=\"grid\">");
        Stat(sb, "Leads", "r-leads", report.Leads.ToString(CultureInfo.InvariantCulture));
        Stat(sb, "Attempts", "r-attempts", report.Attempts.ToString(CultureInfo.InvariantCulture));
        Stat(sb, "Answer rate (leads)", "r-answer-rate", Percent(report.AnswerRate));
        Stat(sb, "Answer rate (attempts)", "r-attempt-answer-rate", Percent(report.AttemptAnswerRate));
        Stat(sb, "Average talk time", "r-talk", Number(report.AvgTalkSeconds) + " s");
        Stat(sb, "Not final yet", "r-pending", report.Pending.ToString(CultureInfo.InvariantCulture));
        if (report.OutcomeUnknown > 0)
        {
            Stat(sb, CampaignStatusDto.UnknownTitle, "r-unknown", report.OutcomeUnknown.ToString(CultureInfo.InvariantCulture));
        }

        sb.Append("</div>");

        var outcomes = report.Outcomes.Select(o => new ChartItem(o.Key, o.Value)).ToList();
        sb.Append("<div class=\"grid\"><section class=\"card chart\" id=\"outcome-chart\"><h2>Outcomes (leads)</h2>")
          .Append(SvgCharts.Donut("Outcomes by lead", outcomes)).Append("</section>")
          .Append("<section class=\"card chart\" id=\"outcome-bars\"><h2>Outcomes (attempts)</h2>")
          .Append(SvgCharts.HorizontalBars("Outcomes by attempt", [.. report.AttemptOutcomes.Select(o => new ChartItem(o.Key, o.Value))], 480)).Append("</section></div>");
        var tz = TimeZoneInfo.TryFindSystemTimeZoneById(campaign.TimeZoneId, out var zone) ? zone : TimeZoneInfo.Utc;
        var columns = report.ByHour.Select(h => new HourColumn(TimeZoneInfo.ConvertTime(h.Hour, tz).ToString("MM-dd HH'h'", CultureInfo.InvariantCulture), h.Attempts, h.Answered)).ToList();
        sb.Append("<section class=\"card chart\" id=\"hour-chart\"><h2>Calls by hour <span class=\"muted\">(").Append(E(campaign.TimeZoneId)).Append(")</span></h2>")
          .Append(SvgCharts.HourColumns("Calls by hour", columns)).Append("</section>");

        var page = await ReportsApi.PageAsync(id, after ?? 0, PageSize, data, ct);
        sb.Append("<section class=\"card\"><div class=\"actions\"><h2 style=\"flex:1\">Leads</h2><a class=\"button secondary\" id=\"export-csv\" href=\"/api/campaigns/")
          .Append(E(id)).Append("/leads.csv\">Export CSV</a></div>");
        sb.Append("<table id=\"leads\"><thead><tr><th>Number</th><th>Fields</th><th>State</th><th>Outcome</th><th class=\"num\">Attempts</th><th>Last attempt (").Append(E(tz.Id)).Append(")</th><th class=\"num\">Talk (s)</th><th>Hangup cause</th></tr></thead><tbody>");
        foreach (var lead in page?.Leads ?? [])
        {
            sb.Append("<tr><td>").Append(E(lead.Phone)).Append("</td><td>").Append(E(string.Join("; ", lead.Fields.Select(f => $"{f.Key}: {f.Value}"))))
              .Append("</td><td>").Append(E(lead.State)).Append("</td><td>").Append(E(lead.Outcome ?? ""));
            if (lead.OutcomeNote is { } note)
            {
                sb.Append(" <span class=\"muted\" data-note=\"outcome\">(").Append(E(note)).Append(")</span>");
            }

            sb.Append("</td><td class=\"num\">").Append(E(lead.Attempts))
              .Append("</td><td>").Append(E(lead.LastAttemptAt is { } last ? TimeZoneInfo.ConvertTime(last, tz).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : null)).Append("</td><td class=\"num\">")
              .Append(E(lead.TalkSeconds is { } t ? Number(t) : "")).Append("</td><td>").Append(E(lead.HangupCause is { } hc ? $"{hc} {lead.HangupCauseText}" : "")).Append("</td></tr>");
        }

        sb.Append("</tbody></table><div class=\"pager\">");
        if ((after ?? 0) > 0)
        {
            sb.Append("<a href=\"/campaigns/").Append(E(id)).Append("/report\" id=\"first-page\">First page</a>");
        }

        if (page?.NextAfter is { } next)
        {
            sb.Append("<a href=\"/campaigns/").Append(E(id)).Append("/report?after=").Append(E(next)).Append("\" id=\"next-page\">Next page →</a>");
        }

        sb.Append("</div></section>");
        return Layout.Page(ctx, $"Report: {campaign.Name}", sb.ToString());
    }

    private static void Stat(StringBuilder sb, string label, string id, string value) =>
        sb.Append("<div class=\"card\"><div class=\"muted\">").Append(E(label)).Append("</div><div class=\"stat\" id=\"").Append(id).Append("\">").Append(E(value)).Append("</div></div>");
}
