using System.Globalization;
using System.Text;
using AmiDialer.Web.Api;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>One lead of the report with each of its attempts, times in the campaign's zone; the way back keeps the report's filters and page.</summary>
internal static class LeadPage
{
    public static async Task<IResult> ShowAsync(long id, long leadId, HttpContext ctx, WebData data, CancellationToken ct)
    {
        if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is not { } campaign)
        {
            return CampaignFormPage.NotFoundPage(ctx, id);
        }

        var back = "/campaigns/" + E(id) + "/report" + Attr(ctx.Request.QueryString.Value);
        if (await ReportsApi.LeadDetailAsync(id, leadId, data, ct) is not { } detail)
        {
            return Layout.Page(ctx, "Lead not found", $"<div class=\"error-box\" role=\"alert\" id=\"not-found\">Campaign {E(campaign.Name)} has no lead {E(leadId)}.</div><p><a href=\"{back}\">← Report</a></p>",
                StatusCodes.Status404NotFound);
        }

        var tz = TimeZoneInfo.TryFindSystemTimeZoneById(campaign.TimeZoneId, out var zone) ? zone : TimeZoneInfo.Utc;
        var lead = detail.Lead;
        var sb = new StringBuilder();
        sb.Append("<p><a id=\"back-to-report\" href=\"").Append(back).Append("\">← Report: ").Append(E(campaign.Name)).Append("</a></p>");
        sb.Append("<section class=\"card\" id=\"lead\"><dl class=\"grid\">");
        Item(sb, "Number", "lead-phone", lead.Phone);
        Item(sb, "State", "lead-state", lead.State);
        Item(sb, "Outcome", "lead-outcome", lead.Outcome is { } o ? o + (lead.OutcomeNote is { } note ? $" ({note})" : "") : lead.OutcomeNote ?? "—");
        Item(sb, "Attempts", "lead-attempts", lead.Attempts.ToString(CultureInfo.InvariantCulture));
        if (detail.Abandoned is { } abandoned)
        {
            // The abandoned-call rule, where the operator looks before calling or requeueing the lead.
            Item(sb, "Abandoned", "lead-abandoned", abandoned.Waiting
                ? $"abandoned; not before {ReportPage.Local(abandoned.NotBefore, tz)} ({tz.Id})"
                : $"abandoned {ReportPage.Local(abandoned.AnsweredAt, tz)}; may be called again since {ReportPage.Local(abandoned.NotBefore, tz)} ({tz.Id})");
        }

        Item(sb, "Fields", "lead-fields", lead.Fields.Count == 0 ? "—" : string.Join("; ", lead.Fields.Select(f => $"{f.Key}: {f.Value}")));
        sb.Append("</dl></section>");

        sb.Append("<section class=\"card\"><h2>Attempts <span class=\"muted\">(").Append(E(tz.Id)).Append(")</span></h2>");
        if (detail.Attempts.Count == 0)
        {
            sb.Append("<p class=\"muted\" id=\"no-attempts\">Not called yet.</p>");
        }
        else
        {
            sb.Append("<table id=\"attempts\"><thead><tr><th class=\"num\">#</th><th>Started</th><th>Answered</th><th>Ended</th><th>Server</th><th>Outcome</th><th>Hangup cause</th><th class=\"num\">Talk (s)</th></tr></thead><tbody>");
            var n = 0;
            foreach (var a in detail.Attempts)
            {
                var outcome = a.Outcome ?? a.State;
                if (a.FailureReason is { } reason)
                {
                    outcome += $" ({reason})";
                }

                sb.Append("<tr data-attempt=\"").Append(E(a.Id)).Append("\"><td class=\"num\">").Append(E(++n)).Append("</td><td>").Append(E(ReportPage.Local(a.StartedAt, tz)))
                  .Append("</td><td>").Append(E(ReportPage.Local(a.AnsweredAt, tz))).Append("</td><td>").Append(E(ReportPage.Local(a.EndedAt, tz)))
                  .Append("</td><td>").Append(E(a.Server)).Append("</td><td>").Append(E(outcome))
                  .Append("</td><td>").Append(E(a.HangupCause is { } hc ? $"{hc} {a.HangupCauseText}" : "")).Append("</td><td class=\"num\">")
                  .Append(E(a.TalkSeconds is { } t ? Number(t) : "")).Append("</td></tr>");
            }

            sb.Append("</tbody></table>");
        }

        sb.Append("</section>");
        return Layout.Page(ctx, $"Lead {lead.Phone}", sb.ToString());
    }

    private static void Item(StringBuilder sb, string label, string id, string value) =>
        sb.Append("<div><dt class=\"muted\">").Append(E(label)).Append("</dt><dd class=\"stat\" style=\"font-size:1.05rem\" id=\"").Append(id).Append("\">").Append(E(value)).Append("</dd></div>");
}
