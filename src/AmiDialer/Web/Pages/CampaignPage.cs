using System.Globalization;
using System.Security.Claims;
using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Core.Scheduling;
using AmiDialer.Data.Repositories;
using AmiDialer.Web.Api;
using AmiDialer.Web.Infrastructure;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>One campaign: live counts over Server-Sent Events, start/pause/resume/stop, its schedule and settings.</summary>
internal static class CampaignPage
{
    /// <summary>Query flag of the page a refused start redirects to: it offers "Start anyway".</summary>
    private const string StartAnyway = "preflight-refused";
    // Set (to the latest time a lead may be called) after a requeue refused for leads inside their abandon retry delay.
    private const string RequeueAnyway = "requeue-abandoned";

    /// <summary>What Stop asks first, wherever it is offered (plain text inside a JS string: no quote).</summary>
    internal const string StopConfirmation = "Stop this campaign for good? A stopped campaign cannot be resumed or started again.";

    public static IEndpointRouteBuilder MapCampaignPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/campaigns/{id:long}", ShowAsync).ExcludeFromDescription();
        // No regex route constraint: the slim host leaves the regex engine out.
        foreach (var command in new[] { "start", "pause", "resume", "stop", "delete" })
        {
            app.MapPost($"/campaigns/{{id:long}}/{command}", (long id, HttpContext ctx, WebData data, ClaimsPrincipal user, CancellationToken ct) =>
                CommandAsync(id, command, ctx, data, user, ct)).ExcludeFromDescription();
        }

        app.MapPost("/campaigns/{id:long}/requeue-unknown", RequeueUnknownAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> CommandAsync(long id, string command, HttpContext ctx, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        if (command == "delete")
        {
            var repo = await data.CampaignsAsync(ct);
            var campaign = await repo.GetAsync(id, ct);
            if (campaign is not null && AmiDialer.Core.ClickToCall.BuiltInCampaign.Refusal(campaign, "delete") is { } refusal)
            {
                return PostRedirectGet.SeeOther(ctx, $"/campaigns/{id}", refusal, refused: true);
            }

            if (campaign is { State: not (CampaignState.Running or CampaignState.Paused) })
            {
                await repo.DeleteAsync(id, CampaignsApi.Actor(user), ct);
                return Results.Redirect("/");
            }

            return PostRedirectGet.SeeOther(ctx, $"/campaigns/{id}", "Stop the campaign before deleting it.", refused: true);
        }

        var cmd = Enum.Parse<CampaignCommand>(command, ignoreCase: true);
        var form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync(ct) : null;
        var result = await CampaignControl.ChangeAsync(id, cmd, data, user, ct, force: form is not null && form["force"].ToString() == "true");
        if (result.Result is Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult problem)
        {
            // A start the pre-flight refused comes back with "Start anyway" offered beside the reasons.
            var preflight = problem.ProblemDetails.Extensions.ContainsKey("refusals");
            return PostRedirectGet.SeeOther(ctx, preflight ? $"/campaigns/{id}?{StartAnyway}=1" : $"/campaigns/{id}",
                preflight ? (problem.ProblemDetails.Detail ?? "").Replace(CampaignControl.ApiHint, " The Setup page shows every check.", StringComparison.Ordinal) : problem.ProblemDetails.Detail,
                refused: true);
        }

        return Results.Redirect($"/campaigns/{id}");
    }

    /// <summary>
    /// The "call them again" button: post, then redirect to the page (or show it with the refusal). Refused for leads
    /// abandoned too recently, the page comes back naming them and the time, with "Requeue anyway" (it posts force).
    /// </summary>
    private static async Task<IResult> RequeueUnknownAsync(long id, HttpContext ctx, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        var form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync(ct) : null;
        return await RequeueApi.UnknownAsync(id, data, user, form is not null && form["force"].ToString() == "true", ct) switch
        {
            { Result: not null } => Results.Redirect($"/campaigns/{id}"),
            { Problem: { ProblemDetails: { Title: RequeueApi.InsideDelayTitle } details } } => PostRedirectGet.SeeOther(ctx,
                $"/campaigns/{id}?{RequeueAnyway}={Url(details.Extensions.TryGetValue("notBefore", out var at) && at is DateTimeOffset t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "")}",
                (details.Detail ?? "").Replace(" Send \"force\": true to requeue them now.", "", StringComparison.Ordinal), refused: true),
            { Problem: { } problem } => PostRedirectGet.SeeOther(ctx, $"/campaigns/{id}", problem.ProblemDetails.Detail, refused: true),
            _ => CampaignFormPage.NotFoundPage(ctx, id),
        };
    }

    private static Task<IResult> ShowAsync(long id, HttpContext ctx, WebData data, CancellationToken ct) => RenderAsync(ctx, id, data, null, ct);

    private static async Task<IResult> RenderAsync(HttpContext ctx, long id, WebData data, string? error, CancellationToken ct)
    {
        var backend = ctx.RequestServices.GetRequiredService<WebBackend>();
        if (await ReportsApi.StatusOfAsync(id, data, ct) is not { } status || await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is not { } c)
        {
            return CampaignFormPage.NotFoundPage(ctx, id);
        }

        var token = Layout.AntiforgeryToken(ctx);
        var sb = new StringBuilder();
        if (error is not null)
        {
            sb.Append("<div class=\"error-box\" role=\"alert\" id=\"command-error\">").Append(E(error)).Append("</div>");
        }

        sb.Append("<div class=\"actions card\"><span>State: <span class=\"badge state-").Append(status.State).Append("\" id=\"state\">").Append(E(status.State)).Append("</span></span>");
        // From the campaign's lease in the store: the same on every node, whichever of them dials it.
        sb.Append("<span class=\"muted\" id=\"dialed-by\">").Append(E(DialedBy(status))).Append("</span>");
        if (c.IsSimulated)
        {
            // A real engine leaves such a campaign alone: say why here, where the operator looks.
            var why = backend.IsSimulated
                ? "Its calls go to the built-in simulator."
                : $"Dialed by the simulator: a real engine will not dial it until it is requeued with: amidialer campaign requeue {c.Name} --simulated";
            sb.Append(" <span class=\"badge\" id=\"simulated\" title=\"").Append(Attr(why)).Append("\">simulated</span>");
            if (!backend.IsSimulated)
            {
                sb.Append("<span class=\"muted\" id=\"simulated-note\">").Append(E(why)).Append("</span>");
            }
        }

        // Only the commands the campaign's state allows; each form names the states it applies in, so the live
        // script shows and hides them as the state changes (a campaign that completes loses its Pause and Stop).
        foreach (var (command, label, css, states) in Commands(c, data.Now))
        {
            // Stop is permanent: it asks first, and stands apart (a gap and a rule) so it is not taken for Resume.
            var stop = command == "stop";
            sb.Append("<form method=\"post\" action=\"/campaigns/").Append(E(id)).Append('/').Append(command).Append("\" data-states=\"").Append(Attr(states)).Append('"')
              .Append(stop ? " class=\"apart\" onsubmit=\"return confirm('" + StopConfirmation + "')\"" : "")
              .Append(states.Split(' ').Contains(status.State) ? "" : " hidden").Append('>').Append(Layout.Field(token))
              .Append("<button type=\"submit\" id=\"").Append(command).Append("\" class=\"").Append(css).Append("\">").Append(label).Append("</button></form>");
            if (command == "start" && ctx.Request.Query.ContainsKey(StartAnyway))
            {
                // Offered only after the pre-flight refused a start, and shown and hidden with Start.
                sb.Append("<form method=\"post\" action=\"/campaigns/").Append(E(id)).Append("/start\" id=\"start-anyway-form\" data-states=\"").Append(Attr(states)).Append('"')
                  .Append(" onsubmit=\"return confirm('Start although the pre-flight check found what would make its calls fail?')\"")
                  .Append(states.Split(' ').Contains(status.State) ? "" : " hidden").Append('>')
                  .Append(Layout.Field(token)).Append("<input type=\"hidden\" name=\"force\" value=\"true\"><button type=\"submit\" id=\"start-anyway\" class=\"danger\">Start anyway</button></form>")
                  .Append("<a href=\"/setup\" id=\"setup-link\">Setup checks</a>");
            }
        }

        const string Final = "completed stopped";
        sb.Append("<span class=\"muted\" id=\"no-commands\" data-states=\"").Append(Final).Append('"').Append(Final.Split(' ').Contains(status.State) ? "" : " hidden")
          .Append(">Nothing more will be dialed.</span>");

        sb.Append("<a class=\"button secondary\" href=\"/campaigns/").Append(E(id)).Append("/upload\" id=\"upload-link\">Upload CSV</a>")
          .Append("<a class=\"button secondary\" href=\"/campaigns/").Append(E(id)).Append("/report\" id=\"report-link\">Report</a>")
          .Append("<a class=\"button secondary\" href=\"/campaigns/").Append(E(id)).Append("/edit\">Edit</a>")
          .Append("<form method=\"post\" action=\"/campaigns/").Append(E(id)).Append("/delete\" onsubmit=\"return confirm('Delete this campaign with its leads and results?')\">")
          .Append(Layout.Field(token)).Append("<button type=\"submit\" class=\"secondary\">Delete</button></form></div>");

        sb.Append("<div class=\"grid\" id=\"live\">");
        Stat(sb, "Leads", "leads", status.Leads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Stat(sb, "Not final yet", "pending", status.Pending.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Stat(sb, "Active calls", "active", status.ActiveCalls.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Stat(sb, "Attempts", "attempts", status.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Stat(sb, "Calls per minute", "callsPerMinute", status.CallsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Stat(sb, "Answer rate (leads)", "answerRate", Percent(status.AnswerRate));
        Stat(sb, "Answer rate (attempts)", "attemptAnswerRate", Percent(status.AttemptAnswerRate));
        sb.Append("</div>");
        AppendUnknown(sb, id, c, status, token, ctx.Request.Query.TryGetValue(RequeueAnyway, out var anyway) ? anyway.ToString() : null);
        AbandonSection.Append(sb, await AmiDialer.Reports.AbandonReport.ReadAsync(data.Services, c, ct), id, live: true,
            status.PacingFallback is { } fellBack && c.Pacing == AmiDialer.Core.Pacing.PacingMode.Predictive ? (fellBack, status.Pacing) : null);
        sb.Append("<div class=\"card\"><progress id=\"progress\" max=\"").Append(E(Math.Max(1, status.Leads))).Append("\" value=\"").Append(E(status.Leads - status.Pending)).Append("\"></progress></div>");

        // Leads count once, when final; attempts count as each call ends, so busy attempts show while their leads still retry.
        var attempts = status.AttemptOutcomes ?? new Dictionary<string, long>();
        sb.Append("<div class=\"grid\"><section class=\"card\"><h2>Outcomes</h2><table id=\"outcomes\"><thead><tr><th>Outcome</th><th class=\"num\">Leads (final)</th><th class=\"num\">Attempts</th></tr></thead><tbody>");
        foreach (var k in status.Outcomes.Keys.Union(attempts.Keys))
        {
            sb.Append("<tr><td>").Append(E(k)).Append("</td><td class=\"num\" data-outcome=\"").Append(Attr(k)).Append("\">").Append(E(status.Outcomes.GetValueOrDefault(k)))
              .Append("</td><td class=\"num\" data-attempt-outcome=\"").Append(Attr(k)).Append("\">").Append(E(attempts.GetValueOrDefault(k))).Append("</td></tr>");
        }

        sb.Append("</tbody></table></section><section class=\"card\"><h2>Leads by state</h2><table id=\"states\"><tbody>");
        foreach (var (k, v) in status.States)
        {
            sb.Append("<tr><td>").Append(E(k)).Append("</td><td class=\"num\" data-state=\"").Append(Attr(k)).Append("\">").Append(E(v)).Append("</td></tr>");
        }

        sb.Append("</tbody></table></section></div>");
        await AppendWaitingAsync(sb, id, status.State, data, ct);
        await CampaignPreflightSection.AppendAsync(sb, backend, c, ct);
        await AppendImportsAsync(sb, id, data, ct);
        sb.Append("<section class=\"card\"><h2>Schedule and settings</h2><table><tbody>");
        Row(sb, "Time zone", c.TimeZoneId);
        // One zone per view: the campaign's, named with each time.
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(c.TimeZoneId, out var z) ? z : TimeZoneInfo.Utc;
        Row(sb, "Start / end", $"{(c.StartAt is { } start ? ZonedTime.Format(start, zone) : "now")} – {(c.EndAt is { } end ? ZonedTime.Format(end, zone) : "no end")}");
        Row(sb, "Days", c.Days.Count == 0 ? "every day" : CampaignInputRules.FormatDays(c.Days));
        Row(sb, "Daily windows", c.Windows.Count == 0 ? "all day" : string.Join(", ", c.Windows));
        Row(sb, "Calling hours (callee's time)", c.CallingHours.ToString());
        Row(sb, "Dial string", c.DialTemplate);
        Row(sb, "Answered calls go to", c.Destination.ToString());
        Row(sb, "On answer, redirect to", c.OnAnswerRedirect?.ToString() ?? "none");
        Row(sb, "Caller ID", string.IsNullOrEmpty(c.CallerId) ? "the PBX's default" : c.CallerId);
        Row(sb, "Ring timeout", $"{(int)c.RingTimeout.TotalSeconds} s");
        Row(sb, "Concurrency / calls per second", $"{c.MaxConcurrentCalls} / {c.CallsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        Row(sb, "Agent queue", c.Queue ?? "none");
        Row(sb, "Pacing", c.Pacing switch
        {
            AmiDialer.Core.Pacing.PacingMode.Progressive => $"progressive: {c.PacingRatio.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} call(s) per free agent, within the caps",
            AmiDialer.Core.Pacing.PacingMode.Predictive => "predictive: by the measured answer rate, within the caps and the abandon limit",
            _ => "fixed: the caps",
        });
        Row(sb, "Lead order", c.Order == LeadOrder.FreshFirst ? "fresh-first: fresh leads before due retries" : "retries-first: due retries before fresh leads");
        Row(sb, "Retry policy / max attempts", $"{(c.RetryPolicy.Length == 0 ? "none" : c.RetryPolicy)} / {c.MaxAttempts}");
        Row(sb, "Channel variables", c.Variables.Count == 0 ? "none" : string.Join(", ", c.Variables.Select(v => v.Field is null ? $"{v.Name}={v.Value}" : $"{v.Name} = lead column {v.Field}")));
        sb.Append("</tbody></table></section>");

        sb.Append("<script>(function(){var es=new EventSource('/api/campaigns/").Append(E(id)).Append("/events');")
          .Append("function set(id,v){var e=document.getElementById(id);if(e)e.textContent=v;}")
          .Append("es.addEventListener('status',function(ev){var s=JSON.parse(ev.data);set('leads',s.leads);set('pending',s.pending);set('active',s.activeCalls);set('attempts',s.attempts);set('callsPerMinute',s.callsPerMinute);")
          .Append("set('answerRate',(s.answerRate*100).toFixed(1)+' %');set('attemptAnswerRate',(s.attemptAnswerRate*100).toFixed(1)+' %');set('outcomeUnknown',s.outcomeUnknown);document.getElementById('unknown').hidden=!(s.outcomeUnknown>0);set('dialed-by',s.dialedBy?'dialed by '+s.dialedBy+(s.dialedHere?' (this node)':'')+' ('+s.dialedByStatus+')':'dialed by no node');var st=document.getElementById('state');st.textContent=s.state;st.className='badge state-'+s.state;")
          .Append("document.querySelectorAll('[data-states]').forEach(function(f){f.hidden=f.getAttribute('data-states').split(' ').indexOf(s.state)<0;});")
          .Append("var p=document.getElementById('progress');p.max=Math.max(1,s.leads);p.value=s.leads-s.pending;")
          .Append("Object.keys(s.outcomes).forEach(function(k){var e=document.querySelector('[data-outcome=\"'+k+'\"]');if(e)e.textContent=s.outcomes[k];});")
          .Append("Object.keys(s.attemptOutcomes||{}).forEach(function(k){var e=document.querySelector('[data-attempt-outcome=\"'+k+'\"]');if(e)e.textContent=s.attemptOutcomes[k];});")
          .Append("Object.keys(s.states).forEach(function(k){var e=document.querySelector('[data-state=\"'+k+'\"]');if(e)e.textContent=s.states[k];});});")
          // The reasons leads wait change slowly and cost a read of the waiting leads: every 10 seconds is enough.
          .Append("function waiting(){fetch('/api/campaigns/").Append(E(id)).Append("/waiting').then(function(r){return r.ok?r.json():null;}).then(function(w){if(!w)return;")
          .Append("set('w-due',w.dueNow);set('w-retries',w.retriesLater);set('w-later',w.pendingLater);set('w-blocked',w.blocked);var b=document.getElementById('w-next');b.textContent='';")
          .Append("w.next.slice(0,5).forEach(function(l){var tr=document.createElement('tr');[l.phone,l.state,l.reason].forEach(function(t){var td=document.createElement('td');td.textContent=t;tr.appendChild(td);});tr.setAttribute('data-lead',l.leadId);b.appendChild(tr);});")
          .Append("document.getElementById('w-none').hidden=w.next.length>0;}).catch(function(){});}setInterval(waiting,10000);})();</script>");
        return Layout.Page(ctx, c.Name, sb.ToString(), error is null ? 200 : 409);
    }

    /// <summary>
    /// Leads whose call ended while the dialer was down: how many, why they are not dialed again, and the button that
    /// requeues them (shown only when there are some; the live script shows it when some appear).
    /// </summary>
    /// <summary>"dialed by node-a (live)", "(this node)" when it is the one answering; the live script writes the same.</summary>
    internal static string DialedBy(CampaignStatusDto status) =>
        status.DialedBy is { } node ? $"dialed by {node}{(status.DialedHere ? " (this node)" : "")} ({status.DialedByStatus})" : "dialed by no node";

    private static void AppendUnknown(StringBuilder sb, long id, Campaign c, CampaignStatusDto status, string token, string? requeueAnyway)
    {
        var hidden = status.OutcomeUnknown > 0 ? "" : " hidden";
        sb.Append("<section class=\"card\" id=\"unknown\"").Append(hidden).Append("><h2>").Append(E(CampaignStatusDto.UnknownTitle)).Append("</h2>")
          .Append("<p><span class=\"stat\" id=\"outcomeUnknown\">").Append(E(status.OutcomeUnknown)).Append("</span> lead(s). Their calls ended while no dialer was connected, ")
          .Append("so nobody knows whether the callee answered: they are not in the answer rate and are never called again automatically.</p>");
        if (!AmiDialer.Core.ClickToCall.BuiltInCampaign.IsBuiltIn(c))
        {
            sb.Append("<form method=\"post\" action=\"/campaigns/").Append(E(id)).Append("/requeue-unknown\" data-states=\"draft scheduled running paused completed\"")
              .Append(status.State == "stopped" ? " hidden" : "")
              .Append(" onsubmit=\"return confirm('Call these leads again? Some of them may already have answered.')\">").Append(Layout.Field(token))
              .Append("<button type=\"submit\" id=\"requeue-unknown\" class=\"secondary\">Call them again (requeue)</button></form>");
            if (requeueAnyway is not null)
            {
                // Offered only after a requeue was refused for leads abandoned too recently; it names the time they are
                // otherwise held to, and posts force (audited as forced).
                var until = DateTimeOffset.TryParse(requeueAnyway, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                    ? ReportPage.Local(t, TimeZoneInfo.TryFindSystemTimeZoneById(c.TimeZoneId, out var zone) ? zone : TimeZoneInfo.Utc) + " (" + c.TimeZoneId + ")"
                    : "the end of their abandon retry delay";
                sb.Append("<form method=\"post\" action=\"/campaigns/").Append(E(id)).Append("/requeue-unknown\" id=\"requeue-anyway-form\"")
                  .Append(" onsubmit=\"return confirm('").Append(Attr($"Some of these leads had a call abandoned recently: the abandoned-call rule says not to call them before {until}. Call them again now anyway?")).Append("')\">")
                  .Append(Layout.Field(token)).Append("<input type=\"hidden\" name=\"force\" value=\"true\">")
                  .Append("<button type=\"submit\" id=\"requeue-anyway\" class=\"danger\">Requeue anyway, before ").Append(E(until)).Append("</button></form>");
            }
        }

        sb.Append("</section>");
    }

    /// <summary>What the due leads wait for: only a running campaign waits for a line; the others wait for a person.</summary>
    internal static string DueNowLabel(string state) => state switch
    {
        "running" => "Due now, waiting for a free line",
        "paused" => "Due now, waiting for Resume",
        "draft" or "scheduled" => "Due now, dialed once the campaign starts",
        _ => "Due but never dialed: the campaign is " + state,
    };

    /// <summary>
    /// Why leads are not being dialed: how many are due (waiting for a line), how many wait for a retry or for their
    /// hours, how many are blocked, and the next few with the reason and the time they are due (campaign's zone, named).
    /// </summary>
    private static async Task AppendWaitingAsync(StringBuilder sb, long id, string state, WebData data, CancellationToken ct)
    {
        if (await ReportsApi.WaitingOfAsync(id, data, 5, ct) is not { } w)
        {
            return;
        }

        sb.Append("<section class=\"card\" id=\"waiting\"><h2>Why leads wait <span class=\"muted\">(times in ").Append(E(w.TimeZone)).Append(")</span></h2><p>")
          .Append(E(DueNowLabel(state))).Append(": <b id=\"w-due\">").Append(E(w.DueNow)).Append("</b> · ")
          .Append("retry not due yet: <b id=\"w-retries\">").Append(E(w.RetriesLater)).Append("</b> · ")
          .Append("due later (calling hours, schedule): <b id=\"w-later\">").Append(E(w.PendingLater)).Append("</b> · ")
          .Append("blocked (do-not-call): <b id=\"w-blocked\">").Append(E(w.Blocked)).Append("</b></p>")
          .Append("<table><thead><tr><th>Next lead due</th><th>State</th><th>Why it waits</th></tr></thead><tbody id=\"w-next\">");
        foreach (var lead in w.Next)
        {
            sb.Append("<tr data-lead=\"").Append(E(lead.LeadId)).Append("\"><td>").Append(E(lead.Phone)).Append("</td><td>").Append(E(lead.State)).Append("</td><td>").Append(E(lead.Reason)).Append("</td></tr>");
        }

        sb.Append("</tbody></table><p class=\"muted\" id=\"w-none\"").Append(w.Next.Count > 0 ? " hidden" : "").Append(">No lead is waiting for a later time.</p></section>");
    }

    private static async Task AppendImportsAsync(StringBuilder sb, long id, WebData data, CancellationToken ct)
    {
        var imports = await (await data.ImportsAsync(ct)).ListAsync(id, ct);
        if (imports.Count == 0)
        {
            return;
        }

        sb.Append("<section class=\"card\"><h2>Imports <a class=\"muted\" style=\"font-size:.9rem;font-weight:400\" id=\"import-history-link\" href=\"/campaigns/").Append(E(id))
          .Append("/upload#imports\">all imports, who and when, rejected rows →</a></h2><table id=\"imports\"><thead><tr><th>File</th><th>Status</th><th class=\"num\">Imported</th><th class=\"num\">Last line stored</th><th></th></tr></thead><tbody>");
        foreach (var import in imports.TakeLast(10).Reverse())
        {
            var status = import.Status.ToString().ToLowerInvariant();
            sb.Append("<tr data-import=\"").Append(E(import.Id)).Append("\"><td>").Append(E(import.FileName)).Append("</td><td><span class=\"badge import-").Append(status).Append("\">")
              .Append(E(status)).Append("</span></td><td class=\"num\">").Append(E(import.RowsImported)).Append("</td><td class=\"num\">").Append(E(import.LastCommittedLine))
              .Append("</td><td>").Append(E(import.Status == ImportStatus.Interrupted ? import.Message : null)).Append("</td></tr>");
        }

        sb.Append("</tbody></table></section>");
    }

    /// <summary>Start, pause, resume and stop with the states each applies in, from <see cref="CampaignControl.Rule"/>.</summary>
    internal static IEnumerable<(string Command, string Label, string Css, string States)> Commands(Campaign c, DateTimeOffset now)
    {
        string States(CampaignCommand command, params CampaignState[] except) =>
            string.Join(' ', CampaignControl.Rule(command, c, now).From.Except(except).Select(s => s.ToString().ToLowerInvariant()));

        // Start also continues a paused campaign, but Resume is the button that says so.
        yield return ("start", "Start", "", States(CampaignCommand.Start, CampaignState.Paused));
        yield return ("pause", "Pause", "secondary", States(CampaignCommand.Pause));
        yield return ("resume", "Resume", "", States(CampaignCommand.Resume));
        yield return ("stop", "Stop", "danger", States(CampaignCommand.Stop));
    }

    private static void Stat(StringBuilder sb, string label, string id, string value) =>
        sb.Append("<div class=\"card\"><div class=\"muted\">").Append(E(label)).Append("</div><div class=\"stat\" id=\"").Append(id).Append("\">").Append(E(value)).Append("</div></div>");

    private static void Row(StringBuilder sb, string label, string value) =>
        sb.Append("<tr><th>").Append(E(label)).Append("</th><td>").Append(E(value)).Append("</td></tr>");
}
