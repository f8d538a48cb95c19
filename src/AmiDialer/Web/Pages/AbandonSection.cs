using System.Globalization;
using System.Text;
using AmiDialer.Reports;
using AmiDialer.Web.Charts;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// A queue campaign's abandon rate over the operator's window against the limit, with its chart (limit and fallback
/// lines): on the report page, and on the campaign page where a script refreshes the figures from the report API.
/// </summary>
internal static class AbandonSection
{
    /// <param name="dialer">When this node's dialer runs the campaign (predictive): whether its pacing fell back to
    /// progressive and its own reason. The notice then says what the dialer does, not what the stored rate suggests.</param>
    public static void Append(StringBuilder sb, AbandonReport? abandon, long campaignId, bool live, (bool FellBack, string? Reason)? dialer = null)
    {
        if (abandon is null)
        {
            return;
        }

        sb.Append("<section class=\"card\" id=\"abandon\"><h2>Abandoned calls <span class=\"muted\">(over ").Append(E(abandon.Window)).Append(", limit ")
          .Append(Pct(abandon.Limit, "0.##")).Append(")</span></h2>")
          .Append("<p><span class=\"stat\" id=\"abandon-rate\">").Append(Pct(abandon.Rate, "0.00")).Append("</span> abandoned: ")
          .Append("<span id=\"abandon-count\">").Append(E(abandon.Abandoned)).Append("</span> of <span id=\"abandon-answered\">").Append(E(abandon.Answered))
          .Append("</span> answered queue calls reached no agent within 2 s of the answer (or left the queue, or their fate is unknown).</p>")
          .Append(FallbackNotice(abandon, dialer))
          .Append("<div class=\"chart\" id=\"abandon-chart\">")
          .Append(SvgCharts.AbandonRate("Abandon rate by day", [.. abandon.Days.Select(d => new AbandonColumn(d.Day.ToString("MM-dd", CultureInfo.InvariantCulture), d.Answered, d.Abandoned))], abandon.Limit, abandon.FallbackRate))
          .Append("</div></section>");
        if (live && dialer is not null)
        {
            // The dialer runs here: its own pacing state says whether it fell back, as its status reports it.
            sb.Append("<script>(function(){setInterval(function(){fetch('/api/campaigns/").Append(E(campaignId))
              .Append("/status').then(function(r){return r.ok?r.json():null;}).then(function(s){if(!s||s.pacingFallback==null)return;var n=document.getElementById('abandon-fallback');")
              .Append("n.hidden=!s.pacingFallback;if(s.pacing)document.getElementById('abandon-fallback-why').textContent=s.pacing;}).catch(function(){});},10000);})();</script>");
        }

        if (live)
        {
            // The figures change with every answered queue call; a look every 10 s is enough.
            sb.Append("<script>(function(){function pct(x){return (x*100).toFixed(2)+' %';}setInterval(function(){fetch('/api/campaigns/").Append(E(campaignId))
              .Append("/report').then(function(r){return r.ok?r.json():null;}).then(function(r){if(!r||!r.abandon)return;var a=r.abandon;")
              .Append("document.getElementById('abandon-rate').textContent=pct(a.rate);document.getElementById('abandon-count').textContent=a.abandoned;")
              .Append("document.getElementById('abandon-answered').textContent=a.answered;var n=document.getElementById('abandon-fallback');if(n.dataset.source==='store')n.hidden=!a.atFallback;}).catch(function(){});},10000);})();</script>");
        }
    }

    /// <summary>
    /// "Fell back to progressive": from this node's dialer when it runs the campaign (its pacing state, with its reason),
    /// else from the stored rate against 80 % of the limit (another node, or none, dials it).
    /// </summary>
    private static string FallbackNotice(AbandonReport abandon, (bool FellBack, string? Reason)? dialer)
    {
        if (dialer is { } d)
        {
            return "<p id=\"abandon-fallback\" class=\"warning\" data-source=\"engine\"" + (d.FellBack ? "" : " hidden")
                + ">The dialer fell back to progressive pacing (one call per free agent): <span id=\"abandon-fallback-why\">" + E(d.Reason) + "</span></p>";
        }

        return "<p id=\"abandon-fallback\" class=\"warning\" data-source=\"store\"" + (abandon.AtFallback ? "" : " hidden") + ">At or past "
            + Pct(abandon.FallbackRate, "0.##") + " (80 % of the limit): predictive pacing runs as progressive, one call per free agent, until the rate falls.</p>";
    }

    private static string Pct(double share, string format) => (share * 100).ToString(format, CultureInfo.InvariantCulture) + " %";
}
