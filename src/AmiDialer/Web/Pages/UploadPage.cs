using System.Globalization;
using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Web.Api;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// Upload a CSV to a campaign: a preview of its first rows (detected delimiter, columns, phone column, region),
/// then the streamed import with progress, then the summary with the error CSV to download; below, the campaign's import history.
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
          .Append("<div class=\"actions\"><button type=\"button\" id=\"import\" disabled>Import</button><span class=\"field-error\" id=\"import-why\" role=\"status\"></span></div>")
          .Append("<div id=\"progress-box\" hidden><progress id=\"upload-progress\" max=\"100\" value=\"0\"></progress> <span id=\"progress-text\" class=\"muted\"></span></div>")
          .Append("</form><section id=\"result\" class=\"card\" hidden></section>");
        var tz = TimeZoneInfo.TryFindSystemTimeZoneById(c.TimeZoneId, out var zone) ? zone : TimeZoneInfo.Utc;
        History(sb, await ImportsApi.HistoryOfAsync(id, data, ct), tz);
        sb.Append("<script>").Append(Script.Replace("{ID}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{ZONE}", System.Text.Json.JsonSerializer.Serialize(tz.Id), StringComparison.Ordinal)).Append("</script>");
        return Layout.Page(ctx, "Upload leads", sb.ToString());
    }

    /// <summary>The campaign's imports, newest first, times in its zone; the script redraws the rows after an import.</summary>
    private static void History(StringBuilder sb, IReadOnlyList<ImportHistoryDto> imports, TimeZoneInfo tz)
    {
        sb.Append("<section class=\"card\" id=\"imports\"><h2>Import history</h2><p class=\"muted\" id=\"no-imports\"").Append(imports.Count > 0 ? " hidden" : "").Append(">Nothing imported yet.</p>")
          .Append("<table id=\"import-history\"").Append(imports.Count == 0 ? " hidden" : "").Append("><thead><tr><th>File</th><th>Started (").Append(E(tz.Id))
          .Append(")</th><th>By</th><th>Status</th><th class=\"num\">Rows read</th><th class=\"num\">Imported</th><th class=\"num\">Rejected</th><th class=\"num\">Duplicates</th><th class=\"num\">Blocked</th><th>Rejected rows</th></tr></thead><tbody>");
        foreach (var i in imports)
        {
            sb.Append("<tr data-import=\"").Append(E(i.Id)).Append("\"><td>").Append(E(i.FileName)).Append("</td><td>")
              .Append(E(TimeZoneInfo.ConvertTime(i.StartedAt, tz).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append("</td><td>").Append(E(i.Actor))
              .Append("</td><td><span class=\"badge import-").Append(E(i.Status)).Append("\" title=\"").Append(Attr(i.Message)).Append("\">").Append(E(i.Status)).Append("</span></td><td class=\"num\">")
              .Append(E(i.RowsRead)).Append("</td><td class=\"num\">").Append(E(i.Imported)).Append("</td><td class=\"num\">").Append(E(i.Rejected))
              .Append("</td><td class=\"num\">").Append(E(i.Duplicates)).Append("</td><td class=\"num\">").Append(E(i.Blocked)).Append("</td><td>");
            if (i.ErrorCsv is { } csv)
            {
                sb.Append("<a href=\"").Append(Attr(csv)).Append("\">error CSV</a>");
            }

            sb.Append("</td></tr>");
        }

        sb.Append("</tbody></table></section>");
    }

    private const string Script = """
        (function(){
          var file=document.getElementById('file'),btn=document.getElementById('import'),err=document.getElementById('upload-error'),why=document.getElementById('import-why'),sel=document.getElementById('phoneColumn');
          function esc(s){var d=document.createElement('div');d.textContent=s==null?'':String(s);return d.innerHTML;}
          var preview=null;
          // Import stays off while the preview shows a file the import would refuse, and says why next to the button.
          function gate(){
            var reason=!file.files[0]?'':!preview?'Reading the file...':preview.refused?'Cannot import this file: '+preview.problem:(!preview.phoneColumn&&!sel.value)?'Choose the phone column: no column is named like one.':'';
            btn.disabled=reason!==''||!file.files[0];why.textContent=reason;
          }
          sel.addEventListener('change',gate);
          var zone={ZONE};
          var when=new Intl.DateTimeFormat('sv-SE',{timeZone:zone,year:'numeric',month:'2-digit',day:'2-digit',hour:'2-digit',minute:'2-digit',second:'2-digit',hour12:false});
          function history(){
            fetch('/api/campaigns/{ID}/imports',{credentials:'same-origin'}).then(function(r){return r.json();}).then(function(list){
              var t=document.getElementById('import-history');
              t.tBodies[0].innerHTML=list.map(function(i){return '<tr data-import="'+i.id+'"><td>'+esc(i.fileName)+'</td><td>'+esc(when.format(new Date(i.startedAt)))+'</td><td>'+esc(i.actor)+'</td><td><span class="badge import-'+esc(i.status)+'" title="'+esc(i.message)+'">'+esc(i.status)+'</span></td><td class="num">'+i.rowsRead+'</td><td class="num">'+i.imported+'</td><td class="num">'+i.rejected+'</td><td class="num">'+i.duplicates+'</td><td class="num">'+i.blocked+'</td><td>'+(i.errorCsv?'<a href="'+esc(i.errorCsv)+'">error CSV</a>':'')+'</td></tr>';}).join('');
              t.hidden=list.length===0;document.getElementById('no-imports').hidden=list.length>0;
            }).catch(function(){});
          }
          file.addEventListener('change',function(){
            err.textContent='';document.getElementById('result').hidden=true;preview=null;gate();
            var f=file.files[0];if(!f){return;}
            f.slice(0,65536).arrayBuffer().then(function(buf){
              return fetch('/api/imports/preview?region='+encodeURIComponent(document.getElementById('region').value),{method:'POST',credentials:'same-origin',headers:{'X-CSRF-TOKEN':amidialer.token,'Content-Type':'text/csv'},body:buf});
            }).then(function(r){return r.json();}).then(function(p){
              preview=p;var box=document.getElementById('preview');box.hidden=false;
              document.getElementById('detected').innerHTML='Delimiter <code>'+esc(p.delimiter)+'</code> · encoding '+esc(p.encoding)+' · phone column <strong id="detected-phone">'+esc(p.phoneColumn||'none found')+'</strong> · region '+esc(p.region)+(p.problem?'<br><span class="field-error">'+esc(p.problem)+'</span>':'');
              var t='<thead><tr>'+p.columns.map(function(c){return '<th'+(c===p.phoneColumn?' style="background:#e6f4ea"':'')+'>'+esc(c)+'</th>';}).join('')+'</tr></thead><tbody>';
              p.rows.forEach(function(r){t+='<tr>'+r.map(function(c){return '<td>'+esc(c)+'</td>';}).join('')+'</tr>';});
              document.getElementById('preview-table').innerHTML=t+'</tbody>';
              sel.innerHTML='<option value="">(detect)</option>'+p.columns.map(function(c){return '<option>'+esc(c)+'</option>';}).join('');
              gate();
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
              finished=true;clearInterval(poll);pb.value=100;gate();history();var r;try{r=JSON.parse(x.responseText);}catch(e){r={};}
              if(x.status!==200){var msg=r.detail||r.title||('HTTP '+x.status);if(r.errors){msg=Object.keys(r.errors).map(function(k){return k+': '+r.errors[k].join(' ');}).join(' ');}err.textContent=msg;return;}
              pt.textContent='done';
              var h='<h2>Import finished</h2><table id="import-summary"><tbody>'+
                '<tr><th>Rows read</th><td class="num" id="rows-read">'+r.rowsRead+'</td></tr><tr><th>Imported</th><td class="num" id="imported">'+r.imported+'</td></tr>'+
                '<tr><th>Rejected</th><td class="num" id="rejected">'+r.rejected+'</td></tr><tr><th>Duplicates skipped</th><td class="num" id="duplicates">'+r.duplicates+'</td></tr>'+
                '<tr><th>Blocked (do-not-call)</th><td class="num" id="blocked">'+r.blocked+'</td></tr></tbody></table>';
              if(r.firstErrors&&r.firstErrors.length){h+='<h2>Rejected rows</h2><table id="import-errors"><thead><tr><th class="num">Line</th><th>Column</th><th>Value as uploaded</th><th>Reason</th></tr></thead><tbody>'+r.firstErrors.map(function(e){return '<tr><td class="num">'+e.line+'</td><td>'+esc(e.column)+'</td><td><code class="bad-value">'+esc(e.value)+'</code></td><td>'+esc(e.reason)+'</td></tr>';}).join('')+'</tbody></table>';}
              if(r.errorCsv){h+='<p><a class="button secondary" id="error-csv" href="'+esc(r.errorCsv)+'">Download the rejected rows (CSV)</a> fix them and upload that file again.</p>';}
              if(r.notDialable){h+='<p id="not-dialable" class="field-error">'+r.notDialable+' lead(s) will not be dialed: '+esc(r.notDialableReason)+'</p>';}
              if(r.campaignNote){h+='<p id="campaign-note" class="'+(r.reopened?'muted':'field-error')+'">'+esc(r.campaignNote)+'</p>';}
              h+='<p><a class="button" href="/campaigns/{ID}" id="back-to-campaign">Back to the campaign</a></p>';
              var res=document.getElementById('result');res.innerHTML=h;res.hidden=false;
            };
            x.onerror=function(){finished=true;clearInterval(poll);gate();err.textContent='The upload failed (connection lost?).';};
            x.send(fd);
          });
        })();
        """;
}
