using System.Text;
using AmiDialer.Web.Api;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// The home page: every campaign with its state, progress, answer rates, calls per minute, ETA and controls, the active
/// calls and the AMI servers' state, kept live by one Server-Sent Events feed (<see cref="DashboardFeed"/>) without reloading.
/// </summary>
internal static class DashboardPage
{
    public static IEndpointRouteBuilder MapDashboardPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", ShowAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ShowAsync(HttpContext ctx, WebBackend backend, WebData data, CancellationToken ct)
    {
        var live = await DashboardFeed.SnapshotAsync(data, backend, ct);
        var campaigns = (await (await data.CampaignsAsync(ct)).ListAsync(ct)).ToDictionary(c => c.Id);
        var token = Layout.AntiforgeryToken(ctx);
        var sb = new StringBuilder();
        sb.Append("<div class=\"error-box\" role=\"alert\" id=\"dashboard-error\" hidden></div>");
        sb.Append("<div class=\"grid\"><div class=\"card\"><div class=\"muted\">Campaigns</div><div class=\"stat\" id=\"campaign-count\">").Append(E(live.Campaigns.Count)).Append("</div></div>")
          .Append("<div class=\"card\"><div class=\"muted\">Active calls</div><div class=\"stat\" id=\"active-calls\">").Append(E(live.ActiveCalls)).Append("</div></div></div>");
        sb.Append("<section class=\"card\"><div class=\"actions\"><h2 style=\"flex:1\">Campaigns</h2><a class=\"button\" href=\"/campaigns/new\" id=\"new-campaign\">New campaign</a></div>")
          .Append("<p class=\"muted\" id=\"campaigns-changed\" hidden>Campaigns were added or removed: <a href=\"/\">reload the list</a>.</p>");
        if (live.Campaigns.Count == 0)
        {
            sb.Append("<p class=\"muted\" id=\"no-campaigns\">No campaign yet. Create one, then upload its CSV of numbers.</p>");
        }
        else
        {
            sb.Append("<table id=\"campaigns\"><thead><tr><th>Name</th><th>State</th><th>Progress</th>")
              .Append("<th class=\"num\" title=\"Answered leads over finished leads\">Answer rate (leads)</th><th class=\"num\" title=\"Answered attempts over ended attempts\">Answer rate (attempts)</th>")
              .Append("<th class=\"num\">Calls per minute</th><th class=\"num\" title=\"Remaining leads at the calls per minute of the last minute, one call each; retries make it longer\">ETA</th>")
              .Append("<th class=\"num\">Active calls</th><th title=\"The node holding the campaign's lease; the same on every node\">Dialed by</th><th>Controls</th></tr></thead><tbody>");
            foreach (var line in live.Campaigns)
            {
                if (campaigns.TryGetValue(line.Id, out var c))
                {
                    AppendRow(sb, line, c, data.Now, token);
                }
            }

            sb.Append("</tbody></table>");
        }

        sb.Append("</section>");
        sb.Append("<section class=\"card\" id=\"ami-status\"><h2>AMI servers</h2><p class=\"muted\" id=\"engine-state\">").Append(E(live.Engine))
          .Append("</p><p class=\"muted\" id=\"cluster-state\">").Append(E(live.Cluster)).Append(" <a href=\"/cluster\">Cluster</a></p>");
        sb.Append("<div class=\"warn-box\" role=\"alert\" id=\"server-warnings\"").Append(live.ServerWarnings.Count == 0 ? " hidden" : "").Append('>');
        foreach (var warning in live.ServerWarnings)
        {
            sb.Append("<p>").Append(E(warning)).Append("</p>");
        }

        sb.Append("</div><table><thead><tr><th>Server</th><th>State</th>")
          .Append("<th title=\"Calls open over every node against the cap in force (the smallest a live node gives the server), and this node's share\">Calls (every node)</th>")
          .Append("<th class=\"num\" title=\"The cap in force less every node's calls\">Free slots</th></tr></thead><tbody id=\"servers\">");
        foreach (var server in live.Servers)
        {
            sb.Append("<tr data-server=\"").Append(Attr(server.Name)).Append("\"><td>").Append(E(server.Name)).Append("</td><td class=\"")
              .Append(server.IsUp ? "up" : server.ConfiguredHere ? "down" : "muted").Append("\">").Append(E(server.State)).Append("</td><td data-k=\"inUse\">")
              .Append(E(server.InUse ?? "")).Append("</td><td class=\"num\" data-k=\"free\">").Append(E(server.FreeSlots?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "—")).Append("</td></tr>");
        }

        sb.Append("</tbody></table></section>");
        sb.Append("<script>").Append(Script).Append("</script>");
        return Layout.Page(ctx, "Dashboard", sb.ToString());
    }

    private static void AppendRow(StringBuilder sb, DashboardCampaignDto line, Core.Model.Campaign c, DateTimeOffset now, string token)
    {
        var id = E(line.Id);
        sb.Append("<tr data-campaign=\"").Append(id).Append("\"><td><a href=\"/campaigns/").Append(id).Append("\">").Append(E(line.Name)).Append("</a>")
          .Append(line.Simulated ? " <span class=\"badge\">simulated</span>" : "").Append(" <a class=\"muted\" href=\"/campaigns/").Append(id).Append("/report\">report</a></td>")
          .Append("<td><span class=\"badge state-").Append(Attr(line.State)).Append("\" data-k=\"state\">").Append(E(line.State)).Append("</span></td>")
          .Append("<td><progress max=\"").Append(E(Math.Max(1, line.Leads))).Append("\" value=\"").Append(E(line.Done)).Append("\"></progress> <span class=\"muted\">")
          .Append("<span data-k=\"done\">").Append(E(line.Done)).Append("</span> / <span data-k=\"leads\">").Append(E(line.Leads)).Append("</span></span></td>")
          .Append("<td class=\"num\" data-k=\"answerRate\">").Append(E(Percent(line.AnswerRate))).Append("</td>")
          .Append("<td class=\"num\" data-k=\"attemptAnswerRate\">").Append(E(Percent(line.AttemptAnswerRate))).Append("</td>")
          .Append("<td class=\"num\" data-k=\"callsPerMinute\">").Append(E(line.CallsPerMinute)).Append("</td>")
          .Append("<td class=\"num\" data-k=\"eta\">").Append(E(line.Eta)).Append("</td>")
          .Append("<td class=\"num\" data-k=\"active\">").Append(E(line.ActiveCalls)).Append("</td>")
          .Append("<td data-k=\"dialedBy\">").Append(E(DialedBy(line.DialedBy, line.DialedByStatus))).Append("</td><td><div class=\"actions\">");
        if (line.BuiltIn)
        {
            // Click-to-call's own campaign is never started or stopped: its calls are placed one by one.
            sb.Append("<span class=\"muted\">click-to-call</span>");
        }
        else
        {
            // The campaign page's buttons and state rules; posted through the API so the page stays, and the feed shows the new state.
            foreach (var (command, label, css, states) in CampaignPage.Commands(c, now))
            {
                var stop = command == "stop";
                sb.Append("<form method=\"post\" action=\"/campaigns/").Append(id).Append('/').Append(command).Append("\" data-api=\"/api/campaigns/").Append(id).Append('/').Append(command)
                  .Append("\" data-states=\"").Append(Attr(states)).Append('"')
                  .Append(stop ? " class=\"apart\" onsubmit=\"return confirm('" + CampaignPage.StopConfirmation + "')\"" : "")
                  .Append(states.Split(' ').Contains(line.State) ? "" : " hidden").Append('>').Append(Layout.Field(token))
                  .Append("<button type=\"submit\" data-command=\"").Append(command).Append("\" class=\"").Append(css).Append("\">").Append(label).Append("</button></form>");
            }
        }

        sb.Append("</div></td></tr>");
    }

    /// <summary>"node-a (live)", or "—" when no node holds the campaign; the script writes the same.</summary>
    public static string DialedBy(string? node, string? status) => node is null ? "—" : $"{node} ({status})";

    /// <summary>
    /// Applies each 'dashboard' event to the rows in place; the controls post to the API and show a refusal above the
    /// table. A campaign added or removed elsewhere is only announced: rows are rendered by the server, with their forms.
    /// </summary>
    private const string Script = """
        (function(){
          function set(e,v){if(e&&e.textContent!==String(v))e.textContent=v;}
          function pct(x){return (x*100).toFixed(1)+' %';}
          function showState(tr,state){var st=tr.querySelector('[data-k=state]');set(st,state);st.className='badge state-'+state;
            tr.querySelectorAll('[data-states]').forEach(function(f){f.hidden=f.getAttribute('data-states').split(' ').indexOf(state)<0;});}
          var es=new EventSource('/api/campaigns/events');
          es.addEventListener('dashboard',function(ev){var d=JSON.parse(ev.data);
            set(document.getElementById('campaign-count'),d.campaigns.length);set(document.getElementById('active-calls'),d.activeCalls);set(document.getElementById('engine-state'),d.engine);set(document.getElementById('cluster-state').firstChild,d.cluster+' ');
            var rows=document.querySelectorAll('tr[data-campaign]'),known=0;
            d.campaigns.forEach(function(c){var tr=document.querySelector('tr[data-campaign="'+c.id+'"]');if(!tr)return;known++;
              function cell(k,v){set(tr.querySelector('[data-k='+k+']'),v);}
              showState(tr,c.state);cell('done',c.done);cell('leads',c.leads);var p=tr.querySelector('progress');p.max=Math.max(1,c.leads);p.value=c.done;
              cell('answerRate',pct(c.answerRate));cell('attemptAnswerRate',pct(c.attemptAnswerRate));cell('callsPerMinute',c.callsPerMinute);cell('eta',c.eta);cell('active',c.activeCalls);cell('dialedBy',c.dialedBy?c.dialedBy+' ('+c.dialedByStatus+')':'\u2014');});
            document.getElementById('campaigns-changed').hidden=known===d.campaigns.length&&known===rows.length;
            var body=document.getElementById('servers');body.textContent='';
            d.servers.forEach(function(s){var tr=document.createElement('tr');tr.setAttribute('data-server',s.name);
              function td(text,cls,k){var e=document.createElement('td');e.textContent=text;if(cls)e.className=cls;if(k)e.setAttribute('data-k',k);tr.appendChild(e);}
              td(s.name);td(s.state,s.isUp?'up':s.configuredHere?'down':'muted');td(s.inUse||'',null,'inUse');td(s.freeSlots==null?'\u2014':String(s.freeSlots),'num','free');body.appendChild(tr);});
            var warn=document.getElementById('server-warnings');warn.textContent='';(d.serverWarnings||[]).forEach(function(w){var p=document.createElement('p');p.textContent=w;warn.appendChild(p);});warn.hidden=!(d.serverWarnings||[]).length;});
          document.querySelectorAll('form[data-api]').forEach(function(f){f.addEventListener('submit',function(ev){
            if(ev.defaultPrevented)return;ev.preventDefault();var b=f.querySelector('button'),box=document.getElementById('dashboard-error');b.disabled=true;
            amidialer.post(f.getAttribute('data-api')).then(function(r){return r.json().catch(function(){return {};}).then(function(j){
              if(r.ok&&j.state){box.hidden=true;showState(f.closest('tr'),j.state);return;}
              box.textContent=j.detail||j.title||('The server refused ('+r.status+'): reload the page; the login may have ended.');box.hidden=false;});})
            .catch(function(){box.textContent='The server did not answer; try again.';box.hidden=false;})
            .then(function(){b.disabled=false;});});});
        })();
        """;
}
