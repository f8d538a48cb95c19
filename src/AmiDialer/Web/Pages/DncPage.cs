using System.Security.Claims;
using System.Text;
using AmiDialer.Data.Repositories;
using AmiDialer.Reports;
using AmiDialer.Web.Api;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>The do-not-call list: add, remove, list (import goes through the API's import, from a form here).</summary>
internal static class DncPage
{
    public static IEndpointRouteBuilder MapDncPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dnc", (HttpContext ctx, WebData data, CancellationToken ct) => RenderAsync(ctx, data, null, null, null, ct)).ExcludeFromDescription();
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
            return await RenderAsync(ctx, data, number, $"'{number}': {error}.", null, ct);
        }

        var note = form["note"].ToString();
        await (await data.DncAsync(ct)).AddAsync(e164, null, DncSource.Manual, CampaignsApi.Actor(user), note.Length == 0 ? null : note, ct);
        return await RenderAsync(ctx, data, null, null, $"{e164} is on the do-not-call list.", ct);
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
            return await RenderAsync(ctx, data, null, $"{number} was not on the list.", null, ct);
        }

        // Not unblocked: offer it, for the leads no entry lists any more (a global entry may still hold some).
        var (_, unlisted) = unblock ? (0, 0) : await (await data.DncAsync(ct)).CountBlockedAsync(number, campaignId, ct);
        return await RenderAsync(ctx, data, null, null, DncRemovalText.Describe(number, removal, unblock), ct, unlisted > 0 ? (number, campaignId, unlisted) : null);
    }

    private static async Task<IResult> UnblockAsync(HttpContext ctx, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        var form = await ctx.Request.ReadFormAsync(ct);
        var number = form["number"].ToString();
        long? campaignId = long.TryParse(form["campaignId"], out var cid) ? cid : null;
        var removal = await (await data.DncAsync(ct)).UnblockAsync(number, campaignId, CampaignsApi.Actor(user), ct);
        return await RenderAsync(ctx, data, null, null, DncRemovalText.Describe(number, removal, unblock: true), ct);
    }

    private static async Task<IResult> RenderAsync(HttpContext ctx, WebData data, string? value, string? error, string? ok, CancellationToken ct, (string Number, long? CampaignId, int Leads)? offer = null)
    {
        var entries = await (await data.DncAsync(ct)).ListAsync(null, 500, 0, ct);
        var token = Layout.AntiforgeryToken(ctx);
        var sb = new StringBuilder();
        if (ok is not null)
        {
            sb.Append("<div class=\"ok-box\" role=\"status\" id=\"dnc-ok\">").Append(E(ok));
            if (offer is { } o)
            {
                sb.Append("<form method=\"post\" action=\"/dnc/unblock\" id=\"dnc-unblock\">").Append(Layout.Field(token))
                  .Append("<input type=\"hidden\" name=\"number\" value=\"").Append(Attr(o.Number)).Append("\">")
                  .Append(o.CampaignId is { } oc ? $"<input type=\"hidden\" name=\"campaignId\" value=\"{oc}\">" : "")
                  .Append("<button type=\"submit\">Unblock ").Append(E(o.Leads == 1 ? "its 1 lead" : $"its {o.Leads} leads")).Append(" so they are dialed</button></form>");
            }

            sb.Append("</div>");
        }

        sb.Append("<form method=\"post\" action=\"/dnc\" class=\"stack card\">").Append(Layout.Field(token))
          .Append("<label for=\"dnc-number\">Number<input id=\"dnc-number\" name=\"number\" value=\"").Append(Attr(value)).Append('"')
          .Append(error is null ? "" : " aria-invalid=\"true\"").Append('>');
        if (error is not null)
        {
            sb.Append("<span class=\"field-error\" id=\"err-number\">").Append(E(error)).Append("</span>");
        }

        sb.Append("</label><label for=\"dnc-note\">Note <span class=\"hint\">optional: why, who asked</span><input id=\"dnc-note\" name=\"note\"></label>")
          .Append("<div><button type=\"submit\" id=\"dnc-add\">Add to the list</button></div></form>");
        sb.Append("<section class=\"card\"><h2>Import numbers</h2><p class=\"muted\">A file with one number per line (or a CSV whose first column is the number).</p>")
          .Append("<input type=\"file\" id=\"dnc-file\" accept=\".csv,.txt,text/csv,text/plain\"> <button type=\"button\" id=\"dnc-import\">Import</button> <span id=\"dnc-import-result\"></span></section>");
        sb.Append("<section class=\"card\"><h2>On the list (").Append(E(entries.Count)).Append(")</h2><table id=\"dnc-list\"><thead><tr><th>Number</th><th>Scope</th><th>Source</th><th>Added</th><th>By</th><th>Note</th><th></th></tr></thead><tbody>");
        foreach (var e in entries)
        {
            sb.Append("<tr><td>").Append(E(e.Number)).Append("</td><td>").Append(e.CampaignId is { } c ? $"campaign {c}" : "all campaigns").Append("</td><td>")
              .Append(E(e.Source.ToString().ToLowerInvariant())).Append("</td><td>").Append(E(e.AddedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture)))
              .Append("</td><td>").Append(E(e.AddedBy)).Append("</td><td>").Append(E(e.Note)).Append("</td><td><form method=\"post\" action=\"/dnc/remove\">").Append(Layout.Field(token))
              .Append("<input type=\"hidden\" name=\"number\" value=\"").Append(Attr(e.Number)).Append("\">")
              .Append(e.CampaignId is { } cid ? $"<input type=\"hidden\" name=\"campaignId\" value=\"{cid}\">" : "")
              .Append("<label><input type=\"checkbox\" name=\"unblock\"> unblock its leads</label> ")
              .Append("<button type=\"submit\" class=\"secondary\">Remove</button></form></td></tr>");
        }

        sb.Append("</tbody></table></section>");
        sb.Append("""
            <script>document.getElementById('dnc-import').addEventListener('click',function(){var f=document.getElementById('dnc-file').files[0];if(!f)return;
            fetch('/api/dnc/import',{method:'POST',credentials:'same-origin',headers:{'X-CSRF-TOKEN':amidialer.token,'Content-Type':'text/csv'},body:f}).then(function(r){return r.json();})
            .then(function(r){document.getElementById('dnc-import-result').textContent=r.added!==undefined?(r.added+' added, '+r.alreadyListed+' already listed, '+r.rejected.length+' refused'):(r.title||'failed');if(r.added!==undefined)setTimeout(function(){location.reload();},800);});});</script>
            """);
        return Layout.Page(ctx, "Do-not-call list", sb.ToString(), error is null ? 200 : 400);
    }
}
