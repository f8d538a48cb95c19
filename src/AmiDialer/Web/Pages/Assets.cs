namespace AmiDialer.Web.Pages;

/// <summary>The pages' CSS and JS, inlined: no build step, no CDN, works offline.</summary>
internal static class Assets
{
    public const string Css = """
        :root{--fg:#1d2330;--muted:#5b6475;--bg:#f6f7fb;--card:#fff;--line:#dde1ea;--accent:#2457c5;--ok:#1f8a4c;--bad:#c0392b;--warn:#b7791f}
        *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{display:flex;align-items:center;gap:1.5rem;padding:.6rem 1.5rem;background:#1d2330;color:#fff}
        header a{color:#dfe6f5;text-decoration:none}header a:hover{color:#fff}.brand{font-weight:700;font-size:1.1rem;color:#fff}
        nav{display:flex;gap:1rem;flex:1}.logout{margin:0}button.link{background:none;border:0;color:#dfe6f5;cursor:pointer;font:inherit;padding:0}
        main{max-width:1100px;margin:1.5rem auto;padding:0 1.5rem}h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .6rem}
        .banner{padding:.6rem 1.5rem;font-weight:600}.simulated{background:#fff3cd;color:#664d03;border-bottom:1px solid #e8d38a}
        .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem 1.2rem;margin-bottom:1rem}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:1rem}
        .stat{font-size:1.6rem;font-weight:700}.muted{color:var(--muted)}
        table{border-collapse:collapse;width:100%;background:var(--card)}th,td{padding:.4rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        th{font-size:.85rem;color:var(--muted);font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        form.stack{display:grid;gap:.8rem;max-width:640px}label{display:grid;gap:.2rem;font-weight:600}label span.hint{font-weight:400;color:var(--muted);font-size:.85rem}
        input,select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid var(--line);border-radius:6px;background:#fff}
        input[aria-invalid=true],select[aria-invalid=true]{border-color:var(--bad)}.field-error{color:var(--bad);font-weight:400;font-size:.9rem}
        button,.button{font:inherit;padding:.45rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
        button.secondary,.button.secondary{background:#fff;color:var(--accent)}button.danger{background:var(--bad);border-color:var(--bad)}
        .actions{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center}.actions form{margin:0}.actions form.apart{margin-left:1.5rem;padding-left:1.5rem;border-left:1px solid #ccc}
        .badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.8rem;font-weight:600;background:#e8ecf5}
        .state-running{background:#d7f2e2;color:var(--ok)}.state-paused{background:#fff3cd;color:var(--warn)}.state-stopped,.state-completed{background:#eceff4;color:var(--muted)}
        .up{color:var(--ok)}.down{color:var(--bad)}.error-box{border-left:4px solid var(--bad);background:#fdecea;padding:.6rem .9rem;margin-bottom:1rem}.warn-box{border-left:4px solid var(--warn);background:#fff8e1;padding:.6rem .9rem;margin-bottom:1rem}.warn-box p{margin:.2rem 0}
        .ok-box{border-left:4px solid var(--ok);background:#e6f4ea;padding:.6rem .9rem;margin-bottom:1rem}
        progress{width:100%;height:1rem}.chart svg{max-width:100%;height:auto}code{background:#eef1f6;padding:.05rem .3rem;border-radius:4px}
        .pager{display:flex;gap:.6rem;align-items:center;margin:.6rem 0}
        .check-ok{background:#d7f2e2;color:var(--ok)}.check-warn{background:#fff3cd;color:var(--warn)}.check-fail{background:#fdecea;color:var(--bad)}
        form.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin-bottom:.8rem}form.filters label{font-weight:400;font-size:.9rem}
        #upload-form button:disabled{opacity:.45;cursor:not-allowed}
        #campaigns progress{min-width:5rem}#campaigns .actions{gap:.3rem}#campaigns .actions form.apart{margin-left:.3rem;padding-left:.5rem}#campaigns button{padding:.25rem .6rem}#campaigns td.num{white-space:nowrap}
        form.stack>*{min-width:0}#variables{min-width:0;border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem .8rem}#variables legend{font-weight:600;padding:0 .3rem}
        #variables table{table-layout:fixed}#variables td{padding:.3rem .3rem}#variables input,#variables select{width:100%}#variables legend .hint{font-weight:400;color:var(--muted);font-size:.85rem}
        #variables th:nth-child(1){width:34%}#variables th:nth-child(2){width:9.5rem}#variables th:nth-child(4){width:6rem}
        """;

    public const string Js = """
        (function(){
          var t=document.querySelector('meta[name=csrf-token]');
          window.amidialer={token:t?t.content:'',
            post:function(url,body){return fetch(url,{method:'POST',credentials:'same-origin',headers:Object.assign({'X-CSRF-TOKEN':window.amidialer.token},body instanceof FormData||body===undefined?{}:{'Content-Type':'application/json'}),body:body instanceof FormData?body:(body===undefined?undefined:JSON.stringify(body))});}
          };
        })();
        """;
}
