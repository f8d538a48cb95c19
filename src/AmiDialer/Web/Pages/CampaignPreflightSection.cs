using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Reports;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// The campaign page's pre-flight: what starting (or resuming) it now would do, from <c>GET /api/campaigns/{id}/preflight</c>'s
/// rules. Shown while something is left to dial; a stopped or completed campaign has no flight left.
/// </summary>
internal static class CampaignPreflightSection
{
    public static async Task AppendAsync(StringBuilder sb, WebBackend backend, Campaign campaign, CancellationToken ct)
    {
        if (campaign.State is CampaignState.Stopped or CampaignState.Completed || AmiDialer.Core.ClickToCall.BuiltInCampaign.IsBuiltIn(campaign))
        {
            return;
        }

        var preflight = await PreflightText.BuildAsync(backend.Services, campaign, ct);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(campaign.TimeZoneId, out var z) ? z : TimeZoneInfo.Utc;
        sb.Append("<section class=\"card\" id=\"preflight\"><h2>Pre-flight <span class=\"muted\">(if dialed now; times in ").Append(E(zone.Id)).Append(")</span></h2><table><tbody>");
        foreach (var (label, value) in PreflightText.Lines(preflight, zone))
        {
            sb.Append("<tr><th>").Append(E(label)).Append("</th><td data-preflight=\"").Append(Attr(label)).Append("\">").Append(E(value)).Append("</td></tr>");
        }

        sb.Append("</tbody></table></section>");
    }
}
