using System.Globalization;
using System.Text;
using AmiDialer.Core.ClickToCall;
using AmiDialer.Data.Repositories;
using AmiDialer.Hosting;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// Click-to-call: rings the agent, then dials the number, through <c>POST /api/calls</c>; shows the outcome when the
/// call ends, and the recent calls (from <c>GET /api/calls</c>, refreshed) with hang-up and transfer buttons on each live
/// one (a transfer moves the customer to a context of <c>Dialing:AllowedContexts</c>, offered as a list).
/// Its words are for agents: no configuration key names, the outcome says whose leg it was.
/// </summary>
internal static class ClickToCallPage
{
    private const int RecentCalls = 20;

    public static IEndpointRouteBuilder MapClickToCallPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/calls", ShowAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ShowAsync(HttpContext ctx, WebBackend backend, CancellationToken ct)
    {
        var c2c = backend.Settings.Dialing.ClickToCall;
        var (recent, _) = await backend.Services.ClickToCalls.ListAsync(new ClickToCallQuery { Limit = RecentCalls }, ct);
        var sb = new StringBuilder();
        sb.Append("<form id=\"call-form\" class=\"stack card\" onsubmit=\"return false\">")
          .Append("<label for=\"agent\">Your phone <span class=\"hint\">the endpoint rung first; allowed: ")
          .Append(E(c2c.AllowedAgents.Count == 0 ? "none (click-to-call is off)" : string.Join(", ", c2c.AllowedAgents))).Append("</span><input id=\"agent\" name=\"agent\" placeholder=\"PJSIP/101\"><span class=\"field-error\" id=\"err-agent\"></span></label>")
          .Append("<label for=\"number\">Number<input id=\"number\" name=\"number\" placeholder=\"(212) 555-0100\"><span class=\"field-error\" id=\"err-number\"></span></label>")
          .Append("<label for=\"context\">Context <span class=\"hint\">optional; default ").Append(E(c2c.Context))
          .Append("</span><input id=\"context\" name=\"context\"><span class=\"field-error\" id=\"err-context\"></span></label>")
          .Append("<span class=\"field-error\" id=\"call-error\" role=\"alert\"></span><div><button type=\"button\" id=\"call\">Call</button></div></form>")
          .Append("<section class=\"card\" id=\"call-status\" hidden><h2>Call <span id=\"call-id\"></span></h2><p>State: <strong id=\"call-state\"></strong> · outcome: <strong id=\"call-outcome\">—</strong></p></section>");
        var contexts = CallControlSettings.AllowedContexts(backend.Settings);
        sb.Append("<section class=\"card\"><h2>Recent calls</h2><span class=\"field-error\" id=\"recent-error\" role=\"alert\"></span>");
        // One form for the call picked with its row's Transfer button: outside the table, which the refresh redraws.
        sb.Append("<div id=\"transfer-box\" hidden><form id=\"transfer-form\" class=\"actions card\" onsubmit=\"return false\"><strong>Transfer call <span id=\"transfer-id\"></span></strong>")
          .Append("<span class=\"hint muted\">the customer is moved; your phone hangs up</span>")
          .Append("<label for=\"transfer-context\">Context<select id=\"transfer-context\" name=\"context\">");
        foreach (var allowed in contexts)
        {
            sb.Append("<option>").Append(E(allowed)).Append("</option>");
        }

        sb.Append("</select></label><label for=\"transfer-exten\">Extension<input id=\"transfer-exten\" name=\"exten\" placeholder=\"200\" size=\"10\"></label>")
          .Append("<span class=\"muted\">priority 1</span><button type=\"button\" id=\"transfer-go\">Move customer</button><button type=\"button\" class=\"secondary\" id=\"transfer-cancel\">Cancel</button></form></div>")
          .Append("<p id=\"transfer-result\" role=\"status\"></p>")
          .Append("<table id=\"recent-calls\"><thead><tr><th>Call</th><th>Started (UTC)</th><th>Agent</th><th>Number</th><th>State</th><th>Outcome</th><th>Talk</th><th></th></tr></thead><tbody>");
        foreach (var call in recent)
        {
            Row(sb, call);
        }

        sb.Append("</tbody></table></section>");
        sb.Append("""
            <script>(function(){
              function set(id,v){document.getElementById(id).textContent=v==null?'':v;}
              function cell(tr,v){var td=document.createElement('td');td.textContent=v==null?'':v;tr.appendChild(td);return td;}
              function when(s){return s?s.replace("T"," ").replace(/\.\d+/,""):"";}
              function problem(j){return j.detail||j.title||'failed';}
              function refresh(){fetch('/api/calls?limit=20',{credentials:'same-origin'}).then(function(r){return r.ok?r.json():null;}).then(function(p){if(!p)return;
                var body=document.querySelector('#recent-calls tbody');body.textContent='';
                p.calls.forEach(function(c){var tr=document.createElement('tr');tr.dataset.id=c.id;cell(tr,'#'+c.id);cell(tr,when(c.createdAt));cell(tr,c.agent||'');cell(tr,c.number||'');cell(tr,c.state);
                  cell(tr,c.outcomeText||c.outcome||'—');cell(tr,c.talkSeconds==null?'':Math.round(c.talkSeconds)+' s');var td=cell(tr,'');
                  if(c.state!=='ended'){var b=document.createElement('button');b.type='button';b.className='secondary hangup';b.dataset.id=c.id;b.textContent='Hang up';td.appendChild(b);
                    var x=document.createElement('button');x.type='button';x.className='secondary transfer';x.dataset.id=c.id;x.textContent='Transfer';td.appendChild(x);}
                  body.appendChild(tr);});});}
              var form=document.getElementById('transfer-box'),picked=null;
              document.getElementById('recent-calls').addEventListener('click',function(e){var t=e.target.closest('button.transfer');
                if(t){picked=t.dataset.id;set('transfer-id','#'+picked);set('transfer-result','');form.hidden=false;document.getElementById('transfer-exten').focus();return;}
                var b=e.target.closest('button.hangup');if(!b)return;set('recent-error','');b.disabled=true;
                // The refusals name the call already ("Call 12 had already ended."): no prefix of our own.
                amidialer.post('/api/calls/'+b.dataset.id+'/hangup').then(function(r){if(r.ok){refresh();return;}return r.json().then(function(j){set('recent-error',problem(j));b.disabled=false;});});});
              document.getElementById('transfer-cancel').addEventListener('click',function(){form.hidden=true;picked=null;});
              document.getElementById('transfer-go').addEventListener('click',function(){if(!picked)return;var id=picked,go=this;go.disabled=true;set('transfer-result','');
                var body={context:document.getElementById('transfer-context').value,exten:document.getElementById('transfer-exten').value,priority:1};
                amidialer.post('/api/calls/'+id+'/transfer',body).then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j};});}).then(function(x){go.disabled=false;
                  var out=document.getElementById('transfer-result');out.className=x.ok?'ok-box':'error-box';
                  if(x.ok){out.textContent='Call #'+id+': the customer was moved to '+x.j.context+','+x.j.exten+','+x.j.priority+'.';form.hidden=true;picked=null;refresh();}
                  else{out.textContent=x.j.errors?Object.keys(x.j.errors).map(function(k){return x.j.errors[k].join(' ');}).join(' '):problem(x.j);}
                });});
              setInterval(refresh,2000);
              document.getElementById('call').addEventListener('click',function(){
                ['err-agent','err-number','err-context','call-error'].forEach(function(i){set(i,'');});
                var body={agent:document.getElementById('agent').value,number:document.getElementById('number').value,context:document.getElementById('context').value||null};
                amidialer.post('/api/calls',body).then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j};});}).then(function(x){
                  if(!x.ok){if(x.j.errors){Object.keys(x.j.errors).forEach(function(k){var e=document.getElementById('err-'+k);(e||document.getElementById('call-error')).textContent=x.j.errors[k].join(' ');});}else{set('call-error',problem(x.j));}return;}
                  document.getElementById('call-status').hidden=false;set('call-id','#'+x.j.id);set('call-state',x.j.state);set('call-outcome',x.j.outcomeText||x.j.outcome||'—');refresh();
                  var t=setInterval(function(){fetch('/api/calls/'+x.j.id,{credentials:'same-origin'}).then(function(r){return r.json();}).then(function(c){set('call-state',c.state);set('call-outcome',c.outcomeText||c.outcome||'—');if(c.outcome){clearInterval(t);refresh();}});},1000);
                });
              });
            })();</script>
            """);
        return Layout.Page(ctx, "Click-to-call", sb.ToString());
    }

    /// <summary>The first render of a row; the script redraws the same cells from the API.</summary>
    private static void Row(StringBuilder sb, ClickToCallRecord call)
    {
        var a = call.Attempt;
        var live = a.State != Core.Model.AttemptState.Ended;
        sb.Append("<tr data-id=\"").Append(E(a.Id)).Append("\"><td>#").Append(E(a.Id)).Append("</td><td>")
          .Append(E(a.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture))).Append("</td><td>")
          .Append(E(call.Agent)).Append("</td><td>").Append(E(call.PhoneE164)).Append("</td><td>").Append(E(a.State.ToString().ToLowerInvariant())).Append("</td><td>")
          .Append(E(ClickToCallOutcomeText.Describe(a.Outcome, a.Reason, a.FailureReason) ?? "—")).Append("</td><td>")
          .Append(a.TalkSeconds is { } t ? E(((long)Math.Round(t)).ToString(CultureInfo.InvariantCulture) + " s") : "").Append("</td><td>")
          .Append(live ? $"<button type=\"button\" class=\"secondary hangup\" data-id=\"{a.Id}\">Hang up</button><button type=\"button\" class=\"secondary transfer\" data-id=\"{a.Id}\">Transfer</button>" : "").Append("</td></tr>");
    }
}
