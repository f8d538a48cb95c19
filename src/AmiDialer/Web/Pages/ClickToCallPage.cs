using System.Text;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>Click-to-call: rings the agent, then dials the number, through <c>POST /api/calls</c>; shows the outcome when the call ends.</summary>
internal static class ClickToCallPage
{
    public static IEndpointRouteBuilder MapClickToCallPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/calls", Show).ExcludeFromDescription();
        return app;
    }

    private static IResult Show(HttpContext ctx, WebBackend backend)
    {
        var sb = new StringBuilder();
        sb.Append("<form id=\"call-form\" class=\"stack card\" onsubmit=\"return false\">")
          .Append("<label for=\"agent\">Agent endpoint <span class=\"hint\">must match Dialing:ClickToCall:AllowedAgents (")
          .Append(E(string.Join(", ", backend.Settings.Dialing.ClickToCall.AllowedAgents))).Append(")</span><input id=\"agent\" name=\"agent\" placeholder=\"PJSIP/101\"><span class=\"field-error\" id=\"err-agent\"></span></label>")
          .Append("<label for=\"number\">Number<input id=\"number\" name=\"number\" placeholder=\"(212) 555-0100\"><span class=\"field-error\" id=\"err-number\"></span></label>")
          .Append("<label for=\"context\">Context <span class=\"hint\">optional; default ").Append(E(backend.Settings.Dialing.ClickToCall.Context))
          .Append("</span><input id=\"context\" name=\"context\"><span class=\"field-error\" id=\"err-context\"></span></label>")
          .Append("<span class=\"field-error\" id=\"call-error\" role=\"alert\"></span><div><button type=\"button\" id=\"call\">Call</button></div></form>")
          .Append("<section class=\"card\" id=\"call-status\" hidden><h2>Call <span id=\"call-id\"></span></h2><p>State: <strong id=\"call-state\"></strong> · outcome: <strong id=\"call-outcome\">—</strong></p></section>");
        sb.Append("""
            <script>(function(){
              function set(id,v){document.getElementById(id).textContent=v==null?'':v;}
              document.getElementById('call').addEventListener('click',function(){
                ['err-agent','err-number','err-context','call-error'].forEach(function(i){set(i,'');});
                var body={agent:document.getElementById('agent').value,number:document.getElementById('number').value,context:document.getElementById('context').value||null};
                amidialer.post('/api/calls',body).then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j};});}).then(function(x){
                  if(!x.ok){if(x.j.errors){Object.keys(x.j.errors).forEach(function(k){var e=document.getElementById('err-'+k);(e||document.getElementById('call-error')).textContent=x.j.errors[k].join(' ');});}else{set('call-error',x.j.detail||x.j.title);}return;}
                  document.getElementById('call-status').hidden=false;set('call-id','#'+x.j.id);set('call-state',x.j.state);set('call-outcome',x.j.outcome||'—');
                  var t=setInterval(function(){fetch('/api/calls/'+x.j.id,{credentials:'same-origin'}).then(function(r){return r.json();}).then(function(c){set('call-state',c.state);set('call-outcome',c.outcome||'—');if(c.outcome)clearInterval(t);});},1000);
                });
              });
            })();</script>
            """);
        return Layout.Page(ctx, "Click-to-call", sb.ToString());
    }
}
