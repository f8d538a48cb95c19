using System.Globalization;
using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Reports;
using AmiDialer.Web.Api;
using AmiDialer.Web.Charts;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>The report: outcome chart, calls by hour, answer rate, talk time, and the per-lead table with filters, numbered pages and CSV export.</summary>
internal static class ReportPage
{
    private const int PageSize = 25;

    public static IEndpointRouteBuilder MapReportPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/campaigns/{id:long}/report", ShowAsync).ExcludeFromDescription();
        app.MapGet("/campaigns/{id:long}/report/leads/{leadId:long}", LeadPage.ShowAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ShowAsync(long id, long? after, HttpContext ctx, WebData data, WebBackend backend, CancellationToken ct)
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
        AbandonSection.Append(sb, report.Abandon, id, live: false);

        var view = LeadView.Read(ctx.Request.Query, tz, backend.Settings.Dialing.DefaultRegion);
        await LeadTableAsync(sb, id, tz, view, after, data, ct);
        return Layout.Page(ctx, $"Report: {campaign.Name}", sb.ToString(), view.Error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task LeadTableAsync(StringBuilder sb, long id, TimeZoneInfo tz, LeadView view, long? after, WebData data, CancellationToken ct)
    {
        var reports = await data.ReportsAsync(ct);
        var total = view.Error is null ? await reports.CountFilteredLeadsAsync(id, view.Filter, cancellationToken: ct) : 0;
        var pages = Math.Max(1, (total + PageSize - 1) / PageSize);
        // A link from before numbered pages names the last lead of the page before: its position gives the page.
        var number = after is { } a && view.Error is null
            ? (await reports.CountFilteredLeadsAsync(id, view.Filter, a, ct) / PageSize) + 1
            : Math.Clamp(view.Page, 1, pages);
        number = Math.Min(number, pages);
        var rows = view.Error is null
            ? await reports.ListFilteredLeadRowsAsync(id, view.Filter, 0, PageSize, (int)Math.Min(int.MaxValue, (number - 1) * PageSize), ct)
            : [];

        sb.Append("<section class=\"card\" id=\"leads-section\"><div class=\"actions\"><h2 style=\"flex:1\">Leads</h2><a class=\"button secondary\" id=\"export-csv\" href=\"/api/campaigns/")
          .Append(E(id)).Append("/leads.csv").Append(Attr(view.ApiQuery())).Append("\">Export CSV").Append(view.Filter.IsEmpty ? "" : " (filtered)").Append("</a></div>");
        FilterForm(sb, id, tz, view);
        if (view.Error is { } error)
        {
            sb.Append("<div class=\"error-box\" role=\"alert\" id=\"filter-error\" data-parameter=\"").Append(Attr(error.Parameter)).Append("\">")
              .Append(E(FilterLabel(error.Parameter))).Append(": ").Append(E(error.Message)).Append("</div>");
        }

        if (view.Error is not null)
        {
            // No count and no pages for a filter that could not be read: "0 leads" would read as an answer.
            sb.Append("</section>");
            return;
        }

        sb.Append("<p class=\"muted\" id=\"lead-count\">").Append(E(total)).Append(total == 1 ? " lead" : " leads").Append(view.Filter.IsEmpty ? "" : " match").Append("</p>");
        sb.Append("<table id=\"leads\"><thead><tr><th>Number</th><th>Fields</th><th>State</th><th>Outcome</th><th class=\"num\">Attempts</th><th>Last attempt (").Append(E(tz.Id)).Append(")</th><th class=\"num\">Talk (s)</th><th>Hangup cause</th></tr></thead><tbody>");
        var back = view.PageQuery(number);
        foreach (var lead in rows)
        {
            sb.Append("<tr data-lead=\"").Append(E(lead.LeadId)).Append("\"><td><a class=\"lead-link\" href=\"/campaigns/").Append(E(id)).Append("/report/leads/").Append(E(lead.LeadId)).Append(Attr(back)).Append("\">")
              .Append(E(lead.PhoneE164)).Append("</a></td><td>").Append(E(string.Join("; ", lead.Fields.Select(f => $"{f.Key}: {f.Value}"))))
              .Append("</td><td>").Append(E(lead.State.ToWireName())).Append("</td><td>").Append(E(lead.FinalOutcome?.ToWireName() ?? ""));
            if (LeadReport.OutcomeNote(lead) is { } note)
            {
                sb.Append(" <span class=\"muted\" data-note=\"outcome\">(").Append(E(note)).Append(")</span>");
            }

            sb.Append("</td><td class=\"num\">").Append(E(lead.Attempts))
              .Append("</td><td>").Append(E(Local(lead.LastAttemptAt, tz))).Append("</td><td class=\"num\">")
              .Append(E(lead.TalkSeconds is { } t ? Number(t) : "")).Append("</td><td>").Append(E(lead.LastHangupCause is { } hc ? $"{hc} {lead.LastHangupCauseText}" : "")).Append("</td></tr>");
        }

        sb.Append("</tbody></table><div class=\"pager\">");
        if (number > 1)
        {
            sb.Append("<a href=\"/campaigns/").Append(E(id)).Append("/report").Append(Attr(view.PageQuery(number - 1))).Append("\" id=\"prev-page\">← Previous page</a>");
        }

        sb.Append("<span id=\"page-of\">Page ").Append(E(number)).Append(" of ").Append(E(pages)).Append("</span>");
        if (number < pages)
        {
            sb.Append("<a href=\"/campaigns/").Append(E(id)).Append("/report").Append(Attr(view.PageQuery(number + 1))).Append("\" id=\"next-page\">Next page →</a>");
        }

        sb.Append("</div></section>");
    }

    private static void FilterForm(StringBuilder sb, long id, TimeZoneInfo tz, LeadView view)
    {
        sb.Append("<form method=\"get\" class=\"filters\" id=\"lead-filters\" action=\"/campaigns/").Append(E(id)).Append("/report\">");
        Select(sb, "state", "State", view.State, LeadFilterInput.States.Keys, view.Error?.Parameter);
        Select(sb, "outcome", "Outcome", view.Outcome, LeadFilterInput.Outcomes, view.Error?.Parameter);
        Input(sb, "q", "Number (or part)", "search", view.Q, view.Error?.Parameter);
        Input(sb, "from", $"Last attempt from ({tz.Id})", "datetime-local", view.From, view.Error?.Parameter);
        Input(sb, "to", $"to ({tz.Id}, inclusive)", "datetime-local", view.To, view.Error?.Parameter);
        sb.Append("<button type=\"submit\" id=\"filter-apply\">Filter</button><a class=\"button secondary\" id=\"filter-clear\" href=\"/campaigns/").Append(E(id)).Append("/report\">Clear</a></form>");
    }

    private static void Select(StringBuilder sb, string name, string label, string? value, IEnumerable<string> options, string? invalid)
    {
        sb.Append("<label>").Append(E(label)).Append(" <select name=\"").Append(name).Append("\" id=\"filter-").Append(name).Append('"')
          .Append(invalid == name ? " aria-invalid=\"true\"" : "").Append("><option value=\"\">any</option>");
        foreach (var option in options)
        {
            sb.Append("<option").Append(string.Equals(option, value, StringComparison.OrdinalIgnoreCase) ? " selected" : "").Append('>').Append(E(option)).Append("</option>");
        }

        sb.Append("</select></label>");
    }

    private static void Input(StringBuilder sb, string name, string label, string type, string? value, string? invalid) =>
        sb.Append("<label>").Append(E(label)).Append(" <input type=\"").Append(type).Append("\" name=\"").Append(name).Append("\" id=\"filter-").Append(name)
          .Append("\" value=\"").Append(Attr(value)).Append('"').Append(invalid == name ? " aria-invalid=\"true\"" : "").Append("></label>");

    private static string FilterLabel(string parameter) => parameter switch
    {
        "q" => "Number",
        "from" => "Last attempt from",
        "to" => "Last attempt to",
        "page" => "Page",
        _ => char.ToUpperInvariant(parameter[0]) + parameter[1..],
    };

    internal static string Local(DateTimeOffset? at, TimeZoneInfo tz) =>
        at is { } t ? TimeZoneInfo.ConvertTime(t, tz).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";

    private static void Stat(StringBuilder sb, string label, string id, string value) =>
        sb.Append("<div class=\"card\"><div class=\"muted\">").Append(E(label)).Append("</div><div class=\"stat\" id=\"").Append(id).Append("\">").Append(E(value)).Append("</div></div>");
}
