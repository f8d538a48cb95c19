using System.Text;
using AmiDialer.Core.Model;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// Upload a CSV to a campaign: a preview of its first rows (detected delimiter, columns, phone column, region),
/// then the streamed import with progress, then the summary with the error CSV to download.
/// </summary>
internal static class UploadPage
{
    public static IEndpointRouteBuilder MapUploadPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/campaigns/{id:long}/upload", ShowAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ShowAsync(long id, HttpContext ctx, WebBackend backend, WebData data, CancellationToken ct)
    {
        if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is not { } c)
        {
            return CampaignFormPage.NotFoundPage(ctx, id);
        }

        var sb = new StringBuilder();
        sb.Append("<p><a href=\"/campaigns/").Append(E(id)).Append("\">← ").Append(E(c.Name)).Append("</a></p>");
        sb.Append("<form id=\"upload-form\" class=\"stack card\" onsubmit=\"return false\">")
          .Append("<label for=\"file\">CSV file <span class=\"hint\">a header row; the phone column is found by its name (phone, number, mobile, tel, ...); at most ")
          .Append(E(backend.Settings.Web.MaxUploadBytes / (1024 * 1024))).Append(" MB</span><input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,text/csv,text/plain\"></label>")
          .Append("<div id=\"preview\" hidden><h2>Preview</h2><p id=\"detected\"></p><div style=\"overflow-x:auto\"><table id=\"preview-table\"></table></div></div>")
          .Append("<label for=\"phoneColumn\">Phone column <span class=\"hint\">leave as detected, or pick one</span><select id=\"phoneColumn\" name=\"phoneColumn\"><option value=\"\">(detect)</option></select></label>")
          .Append("<label for=\"region\">Default region <span class=\"hint\">for numbers written without a country code</span><input id=\"region\" name=\"region\" value=\"")
          .Append(Attr(backend.Settings.Dialing.DefaultRegion)).Append("\" maxlength=\"2\"></label>")
          .Append(c.State == CampaignState.Completed
              ? "<label id=\"reopen-offer\"><input type=\"checkbox\" id=\"reopen\" name=\"reopen\" value=\"true\"> Reopen the campaign <span class=\"hint\">it is completed: without this the new leads are imported but never dialed; reopened, it is paused until you resume it</span></label>"
              : "")
          .Append("<span class=\"field-error\" id=\"upload-error\" role=\"alert\"></span>")
          .Append("<div><button type=\"button\" id=\"import\" disabled>Import</button></div>")
          .Append("<div id=\"progress-box\" hidden><progress id=\"upload-progress\" max=\"100\" value=\"0\"></progress> <span id=\"progress-text\" class=\"muted\"></span></div>")
          .Append("</form><section id=\"result\" class=\"card\" hidden></section>");
        sb.Append("<script>").Append(Script.Replace("{ID}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)).Append("</script>");
        return Layout.Page(ctx, "Upload leads", sb.ToString());
    }

    private const string Script = """
        (function(){
          var file=document.getElementById('file'),btn=document.getElementById('import'),err=document.getElementById('upload-error');
          function esc(s){var d=document.createElement('div');d.textContent=s==null?'':String(s);return d.innerHTML;}
          file.addEventListener('change',function(){
            err.textContent='';document.getElementById('result').hidden=true;
            var f=file.files[0];if(!f){btn.disabled=true;return;}
            f.slice(0,65536).arrayBuffer().then(function(buf){
              return fetch('/api/imports/preview?region='+encodeURIComponent(document.getElementById('region').value),{method:'POST',credentials:'same-origin',headers:{'X-CSRF-TOKEN':amidialer.token,'Content-Type':'text/csv'},body:buf});
            }).then(function(r){return r.json();}).then(function(p){
              var box=document.getElementById('preview');box.hidden=false;
              document.getElementById('detected').innerHTML='Delimiter <code>'+esc(p.delimiter)+'</code> · encoding '+esc(p.encoding)+' · phone column <strong id="detected-phone">'+esc(p.phoneColumn||'none found')+'</strong> · region '+esc(p.region)+(p.problem?'<br><span class="field-error">'+esc(p.problem)+'</span>':'');
              var t='<thead><tr>'+p.columns.map(function(c){return '<th'+(c===p.phoneColumn?' style="background:#e6f4ea"':'')+'>'+esc(c)+'</th>';}).join('')+'</tr></thead><tbody>';
              p.rows.forEach(function(r){t+='<tr>'+r.map(function(c){return '<td>'+esc(c)+'</td>';}).join('')+'</tr>';});
              document.getElementById('preview-table').innerHTML=t+'</tbody>';
              var sel=document.getElementById('phoneColumn');sel.innerHTML='<option value="">(detect)</option>'+p.columns.map(function(c){return '<option>'+esc(c)+'</option>';}).join('');
              btn.disabled=false;
            }).catch(function(e){err.textContent='Could not read the file: '+e;});
          });
          btn.addEventListener('click',function(){
            var f=file.files[0];if(!f)return;
            btn.disabled=true;err.textContent='';
            var fd=new FormData();fd.append('region',document.getElementById('region').value);fd.append('phoneColumn',document.getElementById('phoneColumn').value);var ro=document.getElementById('reopen');if(ro&&ro.checked){fd.append('reopen','true');}fd.append('file',f,f.name);
            var id=Math.random().toString(36).slice(2);var pb=document.getElementById('upload-progress'),pt=document.getElementById('progress-text');
            document.getElementById('progress-box').hidden=false;
            var finished=false;
            function show(p){if(finished||!p)return;
              if(p.phase==='importing'){pb.value=p.percent==null?pb.value:Math.round(p.percent);pt.textContent='Importing: '+(p.percent==null?'':Math.round(p.percent)+'%, ')+p.rowsRead+' rows read, '+p.imported+' imported';}
              else if(p.phase==='receiving'&&p.percent!=null){pb.value=Math.round(p.percent);pt.textContent='Uploading: '+pb.value+'%';}}
            var poll=setInterval(function(){fetch('/api/imports/progress/'+id,{credentials:'same-origin'}).then(function(r){return r.ok?r.json():null;}).then(show).catch(function(){});},300);
            var x=new XMLHttpRequest();x.open('POST','/api/campaigns/{ID}/imports');
            x.setRequestHeader('X-CSRF-TOKEN',amidialer.token);x.setRequestHeader('X-Upload-Id',id);
            x.upload.onprogress=function(e){if(e.lengthComputable&&!finished){pb.value=Math.round(100*e.loaded/e.total);pt.textContent='Uploading: '+pb.value+'%';}};
            x.upload.onload=function(){if(!finished){pb.value=0;pt.textContent='Uploaded; importing...';}};
            x.onload=function(){
              finished=true;clearInterval(poll);pb.value=100;btn.disabled=false;var r;try{r=JSON.parse(x.responseText);}catch(e){r={};}
              if(x.status!==200){var msg=r.detail||r.title||('HTTP '+x.status);if(r.errors){msg=Object.keys(r.errors).map(function(k){return k+': '+r.errors[k].join(' ');}).join(' ');}err.textContent=msg;return;}
              pt.textContent='done';
              var h='<h2>Import finished</h2><table id="import-summary"><tbody>'+
                '<tr><th>Rows read</th><td class="num" id="rows-read">'+r.rowsRead+'</td></tr><tr><th>Imported</th><td class="num" id="imported">'+r.imported+'</td></tr>'+
                '<tr><th>Rejected</th><td class="num" id="rejected">'+r.rejected+'</td></tr><tr><th>Duplicates skipped</th><td class="num" id="duplicates">'+r.duplicates+'</td></tr>'+
                '<tr><th>Blocked (do-not-call)</th><td class="num" id="blocked">'+r.blocked+'</td></tr></tbody></table>';
              if(r.firstErrors&&r.firstErrors.length){h+='<h2>Rejected rows</h2><table id="import-errors"><thead><tr><th>Line</th><th>Column</th><th>Reason</th></tr></thead><tbody>'+r.firstErrors.map(function(e){return '<tr><td class="num">'+e.line+'</td><td>'+esc(e.column)+'</td><td>'+esc(e.reason)+'</td></tr>';}).join('')+'</tbody></table>';}
              if(r.errorCsv){h+='<p><a class="button secondary" id="error-csv" href="'+esc(r.errorCsv)+'">Download the rejected rows (CSV)</a> fix them and upload that file again.</p>';}
              if(r.notDialable){h+='<p id="not-dialable" class="field-error">'+r.notDialable+' lead(s) will not be dialed: '+esc(r.notDialableReason)+'</p>';}
              if(r.campaignNote){h+='<p id="campaign-note" class="'+(r.reopened?'muted':'field-error')+'">'+esc(r.campaignNote)+'</p>';}
              h+='<p><a class="button" href="/campaigns/{ID}" id="back-to-campaign">Back to the campaign</a></p>';
              var res=document.getElementById('result');res.innerHTML=h;res.hidden=false;
            };
            x.onerror=function(){finished=true;clearInterval(poll);btn.disabled=false;err.textContent='The upload failed (connection lost?).';};
            x.send(fd);
          });
        })();
        """;
}
