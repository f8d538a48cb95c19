using System.Globalization;
using System.Security.Claims;
using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Reports;
using AmiDialer.Web.Api;
using AmiDialer.Web.Infrastructure;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// The do-not-call list: add (for every campaign or one), remove (unblocking the leads on request), search, filter by
/// scope, export as CSV, and import a file through the API's import, each refused line listed with its reason.
/// </summary>
internal static class DncPage
{
    private const int PageSize = 200;

    public static IEndpointRouteBuilder MapDncPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dnc", (HttpContext ctx, WebData data, CancellationToken ct) => RenderAsync(ctx, data, null, null, ct)).ExcludeFromDescription();
        app.MapPost("/dnc", AddAsync).ExcludeFromDescription();
        app.MapPost("/dnc/remove", RemoveAsync).ExcludeFromDescription();
        app.MapPost("/dnc/unblock", UnblockAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> AddAsync(HttpContext ctx, WebData data, WebBackend backend, ClaimsPrincipal user, CancellationToken ct)
    {
        var form = await ctx.Request.ReadFormAsync(ct);
        var number = form["number"].ToString();
        if (!DncApi.TryNormalise(number, backend.Settings.Dialing.DefaultRegion, out var e164, out var error))
        {
            // Shown on the POST itself, with the value kept: nothing was written, so sending it again changes nothing.
            return await RenderAsync(ctx, data, number, $"'{number}': {error}.", ct);
        }

        long? campaignId = long.TryParse(form["campaignId"], NumberStyles.None, CultureInfo.InvariantCulture, out var cid) ? cid : null;
        if (campaignId is { } id && await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is null)
        {
            return await RenderAsync(ctx, data, number, $"No campaign has id {id}.", ct);
        }

        var note = form["note"].ToString();
        await (await data.DncAsync(ct)).AddAsync(e164, campaignId, DncSource.Manual, CampaignsApi.Actor(user), note.Length == 0 ? null : note, ct);
        return PostRedirectGet.SeeOther(ctx, "/dnc", $"{e164} is on the do-not-call list{(campaignId is null ? "" : " of campaign " + campaignId.Value.ToString(CultureInfo.InvariantCulture))}.");
    }

    private static async Task<IResult> RemoveAsync(HttpContext ctx, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        var form = await ctx.Request.ReadFormAsync(ct);
        var number = form["number"].ToString();
        long? campaignId = long.TryParse(form["campaignId"], out var cid) ? cid : null;
        var unblock = form["unblock"] == "on";
        var removal = await (await data.DncAsync(ct)).RemoveAsync(number, campaignId, unblock, CampaignsApi.Actor(user), "removed on the web", ct);
        if (!removal.Removed)
        {
            return PostRedirectGet.SeeOther(ctx, "/dnc", $"{number} was not on the list.", refused: true);
        }

        // Not unblocked: the page it redirects to offers it, for the leads no entry lists any more.
        var text = DncRemovalText.Describe(number, removal, unblock);
        return unblock || removal.StillBlocked == 0
            ? PostRedirectGet.SeeOther(ctx, "/dnc", text)
            : PostRedirectGet.SeeOther(ctx, "/dnc?offer=" + Uri.EscapeDataString(number) + (campaignId is { } c ? "&offerCampaign=" + c.ToString(CultureInfo.InvariantCulture) : ""), text);
    }

    private static async Task<IResult> UnblockAsync(HttpContext ctx, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        var form = await ctx.Request.ReadFormAsync(ct);
        var number = form["number"].ToString();
        long? campaignId = long.TryParse(form["campaignId"], out var cid) ? cid : null;
        var removal = await (await data.DncAsync(ct)).UnblockAsync(number, campaignId, CampaignsApi.Actor(user), ct);
        return PostRedirectGet.SeeOther(ctx, "/dnc", DncRemovalText.Describe(number, removal, unblock: true));
    }

    /// <summary>The page, filtered by the query string: <c>scope</c> (all, global or a campaign id), <c>q</c> (search) and <c>page</c>.</summary>
    /// <remarks><c>offer</c> (and <c>offerCampaign</c>) in the query, after a removal: the unblocking offered if the number still has leads no entry lists.</remarks>
    private static async Task<IResult> RenderAsync(HttpContext ctx, WebData data, string? value, string? error, CancellationToken ct)
    {
        var campaigns = await (await data.CampaignsAsync(ct)).ListAsync(ct);
        var names = campaigns.ToDictionary(c => c.Id, c => c.Name);
        var scope = ctx.Request.Query["scope"].ToString();
        var search = ctx.Request.Query["q"].ToString().Trim();
        var page = int.TryParse(ctx.Request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 1 ? p : 1;
        long? scopeCampaign = long.TryParse(scope, NumberStyles.None, CultureInfo.InvariantCulture, out var sc) ? sc : null;
        var query = new DncQuery
        {
            CampaignId = scopeCampaign,
            AllCampaignsOnly = scope == "global",
            Search = search.Length == 0 ? null : search,
            Limit = PageSize,
            Offset = (page - 1) * PageSize,
        };
        var repo = await data.DncAsync(ct);
        var entries = await repo.ListAsync(query, ct);
        var total = await repo.CountAsync(query, ct);
        var token = Layout.AntiforgeryToken(ctx);
        var sb = new StringBuilder();
        var offer = ctx.Request.Query["offer"].ToString();
        long? offerCampaign = long.TryParse(ctx.Request.Query["offerCampaign"], NumberStyles.None, CultureInfo.InvariantCulture, out var oc) ? oc : null;
        if (offer.Length > 0 && (await repo.CountBlockedAsync(offer, offerCampaign, ct)).Unlisted is var leads and > 0)
        {
            sb.Append("<div class=\"ok-box\" role=\"status\"><form method=\"post\" action=\"/dnc/unblock\" id=\"dnc-unblock\">").Append(Layout.Field(token))
              .Append(E(offer)).Append(" is off the list but ").Append(E(leads == 1 ? "1 lead of it is" : $"{leads} leads of it are")).Append(" still blocked. ")
              .Append("<input type=\"hidden\" name=\"number\" value=\"").Append(Attr(offer)).Append("\">")
              .Append(offerCampaign is { } c ? $"<input type=\"hidden\" name=\"campaignId\" value=\"{c}\">" : "")
              .Append("<button type=\"submit\">Unblock ").Append(E(leads == 1 ? "it" : "them")).Append(" so they are dialed</button></form></div>");
        }

        sb.Append("<form method=\"post\" action=\"/dnc\" class=\"stack card\">").Append(Layout.Field(token))
          .Append("<label for=\"dnc-number\">Number<input id=\"dnc-number\" name=\"number\" value=\"").Append(Attr(value)).Append('"')
          .Append(error is null ? "" : " aria-invalid=\"true\"").Append('>');
        if (error is not null)
        {
            sb.Append("<span class=\"field-error\" id=\"err-number\">").Append(E(error)).Append("</span>");
        }

        sb.Append("</label>");
        ScopeSelect(sb, "dnc-campaign", "campaignId", "For", campaigns, null);
        sb.Append("<label for=\"dnc-note\">Note <span class=\"hint\">optional: why, who asked</span><input id=\"dnc-note\" name=\"note\"></label>")
          .Append("<div><button type=\"submit\" id=\"dnc-add\">Add to the list</button></div></form>");
        sb.Append("<section class=\"card\"><h2>Import numbers</h2><p class=\"muted\">A file with one number per line (or a CSV whose first column is the number).</p>");
        ScopeSelect(sb, "dnc-import-campaign", "campaignId", "For", campaigns, null);
        sb.Append("<input type=\"file\" id=\"dnc-file\" accept=\".csv,.txt,text/csv,text/plain\"> <button type=\"button\" id=\"dnc-import\">Import</button> <span id=\"dnc-import-result\" role=\"status\"></span>")
          .Append("<table id=\"dnc-import-rejected\" hidden><caption>Lines refused</caption><thead><tr><th>Line</th><th>Value</th><th>Reason</th></tr></thead><tbody></tbody></table></section>");

        // The filters: a GET form, so a filtered view has its own address (and the export link follows it).
        sb.Append("<section class=\"card\"><form method=\"get\" action=\"/dnc\" id=\"dnc-filter\" class=\"row\">")
          .Append("<label for=\"dnc-q\">Search <span class=\"hint\">digits of the number, or words of the note</span><input id=\"dnc-q\" name=\"q\" value=\"").Append(Attr(search)).Append("\"></label>")
          .Append("<label for=\"dnc-scope\">Scope<select id=\"dnc-scope\" name=\"scope\">")
          .Append(Option("", "every entry", scope.Length == 0)).Append(Option("global", "for every campaign only", scope == "global"));
        foreach (var c in campaigns)
        {
            var id = c.Id.ToString(CultureInfo.InvariantCulture);
            sb.Append(Option(id, "campaign " + c.Name, scope == id));
        }

        var exportQuery = new List<string>();
        if (scopeCampaign is { } ec)
        {
            exportQuery.Add("campaignId=" + ec.ToString(CultureInfo.InvariantCulture));
        }
        else if (scope == "global")
        {
            exportQuery.Add("allCampaignsOnly=true");
        }

        if (search.Length > 0)
        {
            exportQuery.Add("search=" + Uri.EscapeDataString(search));
        }

        sb.Append("</select></label><div><button type=\"submit\" class=\"secondary\">Filter</button></div></form>")
          .Append("<h2>On the list (").Append(E(total)).Append(")</h2>")
          .Append("<p><a id=\"dnc-export\" href=\"/api/dnc/export").Append(exportQuery.Count == 0 ? "" : "?" + Attr(string.Join("&", exportQuery))).Append("\" download>Export these as CSV</a></p>")
          .Append("<table id=\"dnc-list\"><thead><tr><th>Number</th><th>Scope</th><th>Source</th><th>Added (UTC)</th><th>By</th><th>Note</th><th></th></tr></thead><tbody>");
        foreach (var e in entries)
        {
            sb.Append("<tr><td>").Append(E(e.Number)).Append("</td><td>")
              .Append(E(e.CampaignId is { } c ? "campaign " + names.GetValueOrDefault(c, "#" + c.ToString(CultureInfo.InvariantCulture)) : "all campaigns")).Append("</td><td>")
              .Append(E(e.Source.ToString().ToLowerInvariant())).Append("</td><td>").Append(E(e.AddedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)))
              .Append("</td><td>").Append(E(e.AddedBy)).Append("</td><td>").Append(E(e.Note)).Append("</td><td><form method=\"post\" action=\"/dnc/remove\">").Append(Layout.Field(token))
              .Append("<input type=\"hidden\" name=\"number\" value=\"").Append(Attr(e.Number)).Append("\">")
              .Append(e.CampaignId is { } cid ? $"<input type=\"hidden\" name=\"campaignId\" value=\"{cid}\">" : "")
              .Append("<label><input type=\"checkbox\" name=\"unblock\"> unblock its leads</label> ")
              .Append("<button type=\"submit\" class=\"secondary\">Remove</button></form></td></tr>");
        }

        sb.Append("</tbody></table>");
        Pager(sb, page, total, scope, search);
        sb.Append("</section>");
        sb.Append("""
            <script>document.getElementById('dnc-import').addEventListener('click',function(){var f=document.getElementById('dnc-file').files[0];if(!f)return;
            var scope=document.getElementById('dnc-import-campaign').value;var out=document.getElementById('dnc-import-result');var table=document.getElementById('dnc-import-rejected');
            fetch('/api/dnc/import'+(scope?'?campaignId='+encodeURIComponent(scope):''),{method:'POST',credentials:'same-origin',headers:{'X-CSRF-TOKEN':amidialer.token,'Content-Type':'text/csv'},body:f}).then(function(r){return r.json();})
            .then(function(r){if(r.added===undefined){out.textContent=r.detail||r.title||'failed';return;}
              out.textContent=r.added+' added, '+r.alreadyListed+' already listed, '+r.rejected.length+' refused';
              var body=table.querySelector('tbody');body.textContent='';
              r.rejected.forEach(function(x){var tr=document.createElement('tr');[x.line,x.text,x.reason].forEach(function(v){var td=document.createElement('td');td.textContent=v;tr.appendChild(td);});body.appendChild(tr);});
              table.hidden=r.rejected.length===0;
              if(r.added>0){var a=document.createElement('a');a.href='/dnc';a.textContent=' Show the updated list';out.appendChild(a);}});});</script>
            """);
        return Layout.Page(ctx, "Do-not-call list", sb.ToString(), error is null ? 200 : 400);
    }

    private static void ScopeSelect(StringBuilder sb, string id, string name, string label, IReadOnlyList<Campaign> campaigns, long? selected)
    {
        sb.Append("<label for=\"").Append(id).Append("\">").Append(E(label)).Append("<select id=\"").Append(id).Append("\" name=\"").Append(name).Append("\">")
          .Append(Option("", "every campaign", selected is null));
        foreach (var c in campaigns)
        {
            sb.Append(Option(c.Id.ToString(CultureInfo.InvariantCulture), "campaign " + c.Name, selected == c.Id));
        }

        sb.Append("</select></label>");
    }

    private static string Option(string value, string text, bool selected) =>
        $"<option value=\"{Attr(value)}\"{(selected ? " selected" : "")}>{E(text)}</option>";

    private static void Pager(StringBuilder sb, int page, long total, string scope, string search)
    {
        var pages = (int)Math.Max(1, (total + PageSize - 1) / PageSize);
        if (pages == 1)
        {
            return;
        }

        string Link(int to) => "/dnc?" + string.Join("&", new[] { scope.Length > 0 ? "scope=" + Uri.EscapeDataString(scope) : null, search.Length > 0 ? "q=" + Uri.EscapeDataString(search) : null, "page=" + to.ToString(CultureInfo.InvariantCulture) }.Where(x => x is not null));
        sb.Append("<nav class=\"pager\" id=\"dnc-pager\">");
        if (page > 1)
        {
            sb.Append("<a href=\"").Append(Attr(Link(page - 1))).Append("\" rel=\"prev\">Previous</a> ");
        }

        sb.Append("page ").Append(E(page)).Append(" of ").Append(E(pages));
        if (page < pages)
        {
            sb.Append(" <a href=\"").Append(Attr(Link(page + 1))).Append("\" rel=\"next\">Next</a>");
        }

        sb.Append("</nav>");
    }
}
