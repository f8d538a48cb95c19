using System.Globalization;
using System.Text;
using AmiDialer.Cluster;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// The cluster: every node on the store with its heartbeat (live, late, gone, stopped), the campaigns it dials and its
/// open calls per AMI server, the same on whichever node answers. Kept current by reading <c>/api/cluster</c> every 2 s.
/// </summary>
internal static class ClusterPage
{
    public static IEndpointRouteBuilder MapClusterPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cluster", RenderAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>The badge of a node's status: live in the running colours, late in the paused ones, gone and stopped muted.</summary>
    public static string StatusClass(string status) => status switch
    {
        "live" => "state-running",
        "late" => "state-paused",
        _ => "state-stopped",
    };

    private static async Task<IResult> RenderAsync(HttpContext ctx, WebBackend backend, CancellationToken ct)
    {
        var cluster = await ClusterView.ReadAsync(backend.Services, ct);
        var sb = new StringBuilder();
        sb.Append("<div class=\"grid\"><div class=\"card\"><div class=\"muted\">Nodes live</div><div class=\"stat\" id=\"nodes-live\">").Append(E(cluster.Live))
          .Append("</div></div><div class=\"card\"><div class=\"muted\">Nodes listed</div><div class=\"stat\" id=\"nodes-listed\">").Append(E(cluster.Nodes.Count))
          .Append("</div></div></div>");
        sb.Append("<section class=\"card\"><p class=\"muted\" id=\"cluster-about\">Store ").Append(E(cluster.Store)).Append(". ")
          .Append(cluster.ThisNode is { } self ? "This page was answered by node " + E(self) + "." : "This process runs no dialing engine.")
          .Append(" A node beats every few seconds; late after two missed beats, gone after four (or at once when its process is gone from this host): another node then takes its campaigns.</p>");
        sb.Append("<table id=\"nodes\"><thead><tr><th>Node</th><th>Status</th><th>State</th><th>Last heartbeat</th><th>Host</th><th class=\"num\">PID</th><th>Version</th>")
          .Append("<th>Started (UTC)</th><th>Dials</th><th>Open calls</th></tr></thead><tbody id=\"node-rows\">");
        foreach (var n in cluster.Nodes)
        {
            sb.Append("<tr data-node=\"").Append(Attr(n.Name)).Append("\" data-status=\"").Append(Attr(n.Status)).Append("\"><td>").Append(E(n.Name))
              .Append(n.This ? " <span class=\"badge\">this node</span>" : "").Append("</td><td><span class=\"badge ").Append(StatusClass(n.Status)).Append("\">").Append(E(n.Status))
              .Append("</span></td><td>").Append(E(n.State)).Append("</td><td>").Append(E(ClusterView.Ago(n.HeartbeatAgeSeconds))).Append("</td><td>").Append(E(n.Host))
              .Append("</td><td class=\"num\">").Append(E(n.Pid)).Append("</td><td>").Append(E(n.Version.Split('+')[0])).Append("</td><td>")
              .Append(E(n.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append("</td><td>");
            AppendCampaigns(sb, n.Campaigns);
            sb.Append("</td><td>").Append(E(ClusterView.Calls(n.OpenCalls))).Append("</td></tr>");
        }

        sb.Append("</tbody></table>");
        sb.Append("<p class=\"muted\" id=\"no-nodes\"").Append(cluster.Nodes.Count == 0 ? "" : " hidden").Append(">No node has registered: amidialer serve (or run) registers one.</p>");
        sb.Append("<p id=\"unowned\"").Append(cluster.Unowned.Count == 0 ? " hidden" : "").Append(">Open calls no node holds yet (adopted when a node takes their lease): <span id=\"unowned-calls\">")
          .Append(E(ClusterView.Calls(cluster.Unowned))).Append("</span></p></section>");
        AppendServers(sb, cluster);
        sb.Append("<script>").Append(Script).Append("</script>");
        return Layout.Page(ctx, "Cluster", sb.ToString());
    }

    /// <summary>
    /// The cluster's AMI servers (calls over every node against the cap in force, who describes each) and, above them, a
    /// warning for each setting two live nodes give one server differently.
    /// </summary>
    private static void AppendServers(StringBuilder sb, ClusterDto cluster)
    {
        sb.Append("<section class=\"card\" id=\"cluster-servers\"><h2>AMI servers</h2><div class=\"warn-box\" role=\"alert\" id=\"server-warnings\"")
          .Append(cluster.Disagreements.Count == 0 ? " hidden" : "").Append('>');
        foreach (var d in cluster.Disagreements)
        {
            sb.Append("<p data-server=\"").Append(Attr(d.Server)).Append("\" data-setting=\"").Append(Attr(d.Setting)).Append("\">").Append(E(d.Message)).Append("</p>");
        }

        sb.Append("</div><p class=\"muted\">Calls open over every node. Every node must give an Asterisk the same Name, Host, Port and MaxConcurrentCalls; ")
          .Append("while live nodes disagree on a cap, each claims with the smallest.</p>")
          .Append("<table><thead><tr><th>Server</th><th>Calls (every node)</th><th class=\"num\">Max concurrent</th><th class=\"num\">Free slots</th><th>Described by</th></tr></thead><tbody id=\"server-rows\">");
        foreach (var s in cluster.Servers)
        {
            sb.Append("<tr data-server=\"").Append(Attr(s.Name)).Append("\"><td>").Append(E(s.Name)).Append("</td><td data-k=\"inUse\">").Append(E(s.InUse))
              .Append("</td><td class=\"num\" data-k=\"cap\">").Append(E(s.MaxConcurrentCalls?.ToString(CultureInfo.InvariantCulture) ?? "—"))
              .Append("</td><td class=\"num\" data-k=\"free\">").Append(E(s.FreeSlots?.ToString(CultureInfo.InvariantCulture) ?? "—"))
              .Append("</td><td data-k=\"nodes\">").Append(E(Described(s, cluster))).Append("</td></tr>");
        }

        sb.Append("</tbody></table></section>");
    }

    /// <summary>"node-a 40 (10.0.0.5:5038), node-b 60 (10.0.0.5:5038)": each live node's cap and address for the server.</summary>
    public static string Described(ClusterServerDto server, ClusterDto cluster)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(cluster);
        if (server.Nodes.Count == 0)
        {
            return "no live node";
        }

        return string.Join(", ", server.Nodes.Select(node => cluster.Nodes.FirstOrDefault(n => n.Name == node)?.AmiServers?.FirstOrDefault(x => x.Name == server.Name) is { } d
            ? $"{node} {d.MaxConcurrentCalls.ToString(CultureInfo.InvariantCulture)} ({d.Endpoint})"
            : node));
    }

    private static void AppendCampaigns(StringBuilder sb, IReadOnlyList<NodeCampaignDto> campaigns)
    {
        if (campaigns.Count == 0)
        {
            sb.Append("<span class=\"muted\">none</span>");
            return;
        }

        for (var i = 0; i < campaigns.Count; i++)
        {
            sb.Append(i > 0 ? ", " : "").Append("<a href=\"/campaigns/").Append(E(campaigns[i].Id)).Append("\">").Append(E(campaigns[i].Name)).Append("</a> (")
              .Append(E(campaigns[i].State)).Append(')');
        }
    }

    /// <summary>Rebuilds the rows from /api/cluster every 2 s, with text nodes only (names come from the store).</summary>
    private const string Script = """
        (function(){
          function el(tag,text,cls){var e=document.createElement(tag);if(text!==undefined)e.textContent=text;if(cls)e.className=cls;return e;}
          function ago(s){return s<60?(Math.round(s*10)/10)+' s ago':s<7200?Math.round(s/60)+' min ago':(Math.round(s/360)/10)+' h ago';}
          function calls(c){return c.length?c.map(function(x){return x.server+' '+x.calls;}).join(', '):'none';}
          function cls(s){return s==='live'?'state-running':s==='late'?'state-paused':'state-stopped';}
          function refresh(){fetch('/api/cluster').then(function(r){return r.ok?r.json():null;}).then(function(d){if(!d)return;
            document.getElementById('nodes-live').textContent=d.live;document.getElementById('nodes-listed').textContent=d.nodes.length;
            var body=document.getElementById('node-rows');body.textContent='';
            d.nodes.forEach(function(n){var tr=el('tr');tr.setAttribute('data-node',n.name);tr.setAttribute('data-status',n.status);
              var name=el('td',n.name);if(n.this){name.appendChild(document.createTextNode(' '));name.appendChild(el('span','this node','badge'));}tr.appendChild(name);
              var st=el('td');st.appendChild(el('span',n.status,'badge '+cls(n.status)));tr.appendChild(st);
              tr.appendChild(el('td',n.state));tr.appendChild(el('td',ago(n.heartbeatAgeSeconds)));tr.appendChild(el('td',n.host));tr.appendChild(el('td',String(n.pid),'num'));
              tr.appendChild(el('td',n.version.split('+')[0]));tr.appendChild(el('td',n.startedAt.replace('T',' ').substring(0,19)));
              var dials=el('td');if(!n.campaigns.length)dials.appendChild(el('span','none','muted'));
              n.campaigns.forEach(function(c,i){if(i)dials.appendChild(document.createTextNode(', '));var a=el('a',c.name);a.href='/campaigns/'+c.id;dials.appendChild(a);dials.appendChild(document.createTextNode(' ('+c.state+')'));});
              tr.appendChild(dials);tr.appendChild(el('td',calls(n.openCalls)));body.appendChild(tr);});
            document.getElementById('no-nodes').hidden=d.nodes.length>0;document.getElementById('unowned').hidden=!d.unowned.length;document.getElementById('unowned-calls').textContent=calls(d.unowned);
            var warn=document.getElementById('server-warnings');warn.textContent='';
            d.disagreements.forEach(function(x){var p=el('p',x.message);p.setAttribute('data-server',x.server);p.setAttribute('data-setting',x.setting);warn.appendChild(p);});warn.hidden=!d.disagreements.length;
            var rows=document.getElementById('server-rows');rows.textContent='';
            d.servers.forEach(function(s){var tr=el('tr');tr.setAttribute('data-server',s.name);
              function td(text,cls,k){var e=el('td',text,cls);if(k)e.setAttribute('data-k',k);tr.appendChild(e);}
              var by=s.nodes.length?s.nodes.map(function(node){var n=d.nodes.filter(function(x){return x.name===node;})[0];
                var a=n&&n.amiServers?n.amiServers.filter(function(x){return x.name===s.name;})[0]:null;return a?node+' '+a.maxConcurrentCalls+' ('+a.endpoint+')':node;}).join(', '):'no live node';
              td(s.name);td(s.inUse,null,'inUse');td(s.maxConcurrentCalls==null?'\u2014':String(s.maxConcurrentCalls),'num','cap');td(s.freeSlots==null?'\u2014':String(s.freeSlots),'num','free');td(by,null,'nodes');rows.appendChild(tr);});
          }).catch(function(){});}
          setInterval(refresh,2000);
        })();
        """;
}
