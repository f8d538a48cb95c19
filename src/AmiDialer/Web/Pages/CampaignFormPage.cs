using System.Globalization;
using System.Security.Claims;
using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;
using AmiDialer.Core.Retries;
using AmiDialer.Core.Scheduling;
using AmiDialer.Hosting;
using AmiDialer.Web.Api;
using AmiDialer.Web.Infrastructure;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>
/// New and edit campaign: one form, validated by the API's rules, messages next to each field. Start and end are wall
/// times in the campaign's zone; channel variables are rows to add, change and remove; under max attempts a sentence
/// says what it does with the retry policy; a save redirects to the campaign with a notice.
/// </summary>
internal static class CampaignFormPage
{
    public static IEndpointRouteBuilder MapCampaignFormPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/campaigns/new", (HttpContext ctx, WebBackend backend) =>
        {
            var fresh = CampaignInputRules.NewCampaign(backend.Settings, backend.IsSimulated) with { Name = "" };
            return Form(ctx, null, Values(fresh), VariableRows(fresh), []);
        }).ExcludeFromDescription();
        app.MapPost("/campaigns/new", CreateAsync).ExcludeFromDescription();
        app.MapGet("/campaigns/{id:long}/edit", async (long id, HttpContext ctx, WebData data, CancellationToken ct) =>
            await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is { } c ? Form(ctx, c, Values(c), VariableRows(c), []) : NotFoundPage(ctx, id)).ExcludeFromDescription();
        app.MapPost("/campaigns/{id:long}/edit", UpdateAsync).ExcludeFromDescription();
        // The sentence under max attempts, for the form's script to refresh it as the two fields change.
        app.MapGet("/campaigns/retry-meaning", (string? retryPolicy, string? maxAttempts) => Results.Text(RetryMeaning(retryPolicy, maxAttempts), "text/plain; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }

    public static IResult NotFoundPage(HttpContext ctx, long id) =>
        Layout.Page(ctx, "Campaign not found", $"<p>No campaign has id {E(id)}. <a href=\"/\">Back to the dashboard</a></p>", StatusCodes.Status404NotFound);

    private static async Task<IResult> CreateAsync(HttpContext ctx, WebBackend backend, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        var form = await ctx.Request.ReadFormAsync(ct);
        var values = Read(form);
        var variables = ReadVariables(form);
        var (input, parseErrors) = ToInput(values, variables);
        var (campaign, errors) = CampaignInputRules.Apply(CampaignInputRules.NewCampaign(backend.Settings, backend.IsSimulated), input, creating: true, CallControlSettings.AllowedContexts(backend.Settings));
        Merge(errors, parseErrors);
        if (errors.Count == 0)
        {
            try
            {
                var created = await (await data.CampaignsAsync(ct)).CreateAsync(campaign, CampaignsApi.Actor(user), ct);
                return PostRedirectGet.SeeOther(ctx, $"/campaigns/{created.Id}", $"Campaign {created.Name} saved. Upload its CSV of numbers next.");
            }
            catch (System.Data.DuplicateNameException ex)
            {
                // The same answer as the API's: the settings are valid, the name conflicts with another campaign.
                return Form(ctx, null, values, variables, new() { ["name"] = [ex.Message] }, StatusCodes.Status409Conflict);
            }
        }

        return Form(ctx, null, values, variables, errors);
    }

    private static async Task<IResult> UpdateAsync(long id, HttpContext ctx, WebBackend backend, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        var repo = await data.CampaignsAsync(ct);
        if (await repo.GetAsync(id, ct) is not { } current)
        {
            return NotFoundPage(ctx, id);
        }

        var form = await ctx.Request.ReadFormAsync(ct);
        var values = Read(form);
        var variables = ReadVariables(form);
        var (input, parseErrors) = ToInput(values, variables);
        // The form sends every setting: an emptied start or end clears it (the API keeps a value left out).
        var (campaign, errors) = CampaignInputRules.Apply(current with { StartAt = null, EndAt = null }, input, creating: false, CallControlSettings.AllowedContexts(backend.Settings));
        Merge(errors, parseErrors);
        if (errors.Count == 0)
        {
            try
            {
                await repo.UpdateAsync(campaign, CampaignsApi.Actor(user), ct);
                return PostRedirectGet.SeeOther(ctx, $"/campaigns/{id}", $"Campaign {campaign.Name} saved.");
            }
            catch (System.Data.DuplicateNameException ex)
            {
                return Form(ctx, current, values, variables, new() { ["name"] = [ex.Message] }, StatusCodes.Status409Conflict);
            }
        }

        return Form(ctx, current, values, variables, errors);
    }

    private static readonly (string Key, string Label, string Hint, string Type)[] Fields =
    [
        ("name", "Name", "", "text"),
        ("dialTemplate", "Dial string", "{e164}, {number} or {national}, e.g. PJSIP/{number}@trunk", "text"),
        ("destination", "Answered calls go to", "context,extension,priority", "text"),
        ("onAnswerRedirect", "On answer, redirect to", "optional context,extension,priority", "text"),
        ("callerId", "Caller ID", "optional, \"Name\" <number>", "text"),
        ("timeZone", "Time zone", "IANA id of the schedule, e.g. America/New_York; type to search", "zone"),
        ("callingHours", "Calling hours", "in the callee's own time, HH:mm-HH:mm (00:00-24:00 = any time)", "text"),
        ("days", "Days", "e.g. Mon-Fri; empty = every day", "text"),
        ("windows", "Daily windows", "in the campaign's zone, comma-separated HH:mm-HH:mm; empty = all day", "text"),
        ("startAt", "Start", "in the campaign's time zone (above); empty = as soon as it is started", "datetime-local"),
        ("endAt", "End", "in the campaign's time zone (above); empty = no end", "datetime-local"),
        ("maxConcurrentCalls", "Max concurrent calls", "", "number"),
        ("callsPerSecond", "Calls per second", "", "text"),
        ("ringTimeoutSeconds", "Ring timeout (s)", "at least 15", "number"),
        ("retryPolicy", "Retry policy", "e.g. busy=5m:3,no-answer=1h:2", "text"),
        ("maxAttempts", "Max attempts per lead", "", "number"),
        ("order", "Lead order", "which due leads go first when more are due than there is room for", "select:retries-first|fresh-first"),
        ("queue", "Agent queue", "optional: the Asterisk queue whose agents take the answered calls; the destination must run Queue(<name>)", "text"),
        ("pacing", "Pacing", "fixed: the caps above; progressive: one call per free agent of the queue (times the ratio); predictive: by the measured answer rate, within the abandon limit", "select:fixed|progressive|predictive"),
        ("pacingRatio", "Calls per free agent", "progressive pacing, e.g. 1.0", "text"),
    ];

    private static Dictionary<string, string> Values(Campaign c) => new(StringComparer.Ordinal)
    {
        ["name"] = c.Name,
        ["dialTemplate"] = c.DialTemplate,
        ["destination"] = c.Destination.ToString(),
        ["onAnswerRedirect"] = c.OnAnswerRedirect?.ToString() ?? "",
        ["callerId"] = c.CallerId ?? "",
        ["timeZone"] = c.TimeZoneId,
        ["callingHours"] = c.CallingHours.ToString(),
        ["days"] = CampaignInputRules.FormatDays(c.Days),
        ["windows"] = string.Join(", ", c.Windows.Select(w => w.ToString())),
        ["startAt"] = c.StartAt is { } start ? ZonedLocalTime.Format(start, ZoneOf(c.TimeZoneId) ?? TimeZoneInfo.Utc) : "",
        ["endAt"] = c.EndAt is { } end ? ZonedLocalTime.Format(end, ZoneOf(c.TimeZoneId) ?? TimeZoneInfo.Utc) : "",
        ["maxConcurrentCalls"] = c.MaxConcurrentCalls.ToString(CultureInfo.InvariantCulture),
        ["callsPerSecond"] = c.CallsPerSecond.ToString(CultureInfo.InvariantCulture),
        ["ringTimeoutSeconds"] = ((int)c.RingTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        ["retryPolicy"] = c.RetryPolicy,
        ["maxAttempts"] = c.MaxAttempts.ToString(CultureInfo.InvariantCulture),
        ["order"] = c.Order.ToWireName(),
        ["queue"] = c.Queue ?? "",
        ["pacing"] = c.Pacing.ToWireName(),
        ["pacingRatio"] = c.PacingRatio.ToString(CultureInfo.InvariantCulture),
    };

    private static Dictionary<string, string> Read(IFormCollection form) =>
        Fields.ToDictionary(f => f.Key, f => form[f.Key].ToString(), StringComparer.Ordinal);

    private static TimeZoneInfo? ZoneOf(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone) ? zone : null;

    /// <summary>A channel variable as the form shows it: its name, "value" (a constant) or "field" (a lead column), and the text.</summary>
    private sealed record VariableRow(string Name, string Kind, string Text);

    private static List<VariableRow> VariableRows(Campaign c) =>
        [.. c.Variables.Select(v => v.Field is null ? new VariableRow(v.Name, "value", v.Value ?? "") : new VariableRow(v.Name, "field", v.Field))];

    /// <summary>The posted rows in order, blank ones (no name, no text) left out: that is how a row is removed without script.</summary>
    private static List<VariableRow> ReadVariables(IFormCollection form)
    {
        var names = form["varName"];
        var kinds = form["varKind"];
        var texts = form["varText"];
        var rows = new List<VariableRow>();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i]?.Trim() ?? "";
            var text = i < texts.Count ? texts[i] ?? "" : "";
            if (name.Length == 0 && text.Trim().Length == 0)
            {
                continue;
            }

            rows.Add(new VariableRow(name, i < kinds.Count && kinds[i] == "field" ? "field" : "value", text));
        }

        return rows;
    }

    private static (CampaignInput Input, Dictionary<string, string[]> Errors) ToInput(Dictionary<string, string> v, List<VariableRow> variables)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        int? Int(string key)
        {
            if (int.TryParse(v[key], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }

            errors[key] = ["Enter a whole number."];
            return null;
        }

        var zone = ZoneOf(v["timeZone"]);
        DateTimeOffset? When(string key)
        {
            if (string.IsNullOrWhiteSpace(v[key]))
            {
                return null;
            }

            if (zone is null)
            {
                errors[key] = ["Choose a valid time zone first: this time is read in it."];
                return null;
            }

            if (ZonedLocalTime.TryParse(v[key], zone, out var t, out var problem))
            {
                return t;
            }

            errors[key] = [char.ToUpperInvariant(problem![0]) + problem[1..] + "."];
            return null;
        }

        // A lead column has to be named; the API's rules check the rest (names, no line break in a constant).
        for (var i = 0; i < variables.Count; i++)
        {
            if (variables[i].Kind == "field" && variables[i].Text.Trim().Length == 0)
            {
                errors[$"variables[{i}].field"] = ["Name the lead's CSV column this variable takes its value from."];
            }
        }

        double? cps = double.TryParse(v["callsPerSecond"], NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : null;
        if (cps is null)
        {
            errors["callsPerSecond"] = ["Enter a number such as 2 or 0.5."];
        }

        // Left empty, the ratio keeps its value (1.0 on a new campaign): it matters only to progressive pacing.
        double? ratio = double.TryParse(v["pacingRatio"], NumberStyles.Float, CultureInfo.InvariantCulture, out var r) ? r : null;
        if (ratio is null && v["pacingRatio"].Trim().Length > 0)
        {
            errors["pacingRatio"] = ["Enter a number such as 1 or 1.5."];
        }

        var input = new CampaignInput
        {
            Name = v["name"],
            DialTemplate = v["dialTemplate"],
            Destination = v["destination"],
            OnAnswerRedirect = v["onAnswerRedirect"],
            CallerId = v["callerId"],
            TimeZone = v["timeZone"],
            CallingHours = v["callingHours"],
            Days = v["days"],
            Windows = v["windows"].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            StartAt = When("startAt"),
            EndAt = When("endAt"),
            MaxConcurrentCalls = Int("maxConcurrentCalls"),
            CallsPerSecond = cps,
            RingTimeoutSeconds = Int("ringTimeoutSeconds"),
            RetryPolicy = v["retryPolicy"],
            MaxAttempts = Int("maxAttempts"),
            Order = v["order"].Length == 0 ? null : v["order"],
            Queue = v["queue"],
            Pacing = v["pacing"].Length == 0 ? null : v["pacing"],
            PacingRatio = ratio,
            Variables = [.. variables.Select(r => r.Kind == "field" ? new VariableInput(r.Name, null, r.Text.Trim()) : new VariableInput(r.Name, r.Text, null))],
        };
        return (input, errors);
    }

    private static void Merge(Dictionary<string, string[]> into, Dictionary<string, string[]> from)
    {
        foreach (var (key, messages) in from)
        {
            into[key] = [.. into.GetValueOrDefault(key) ?? [], .. messages];
        }
    }

    private static IResult Form(HttpContext ctx, Campaign? existing, Dictionary<string, string> values, List<VariableRow> variables, Dictionary<string, string[]> errors, int? status = null)
    {
        var backend = ctx.RequestServices.GetRequiredService<WebBackend>();
        var sb = new StringBuilder();
        if (errors.Count > 0)
        {
            sb.Append("<div class=\"error-box\" role=\"alert\" id=\"form-errors\">Please correct the fields marked below.</div>");
        }

        var action = existing is null ? "/campaigns/new" : $"/campaigns/{existing.Id}/edit";
        sb.Append("<form method=\"post\" class=\"stack card\" action=\"").Append(Attr(action)).Append("\" id=\"campaign-form\" novalidate>").Append(Layout.Field(ctx));
        foreach (var (key, label, hint, type) in Fields)
        {
            // Errors on windows[0] etc. belong to the windows box.
            var messages = errors.Where(e => e.Key == key || e.Key.StartsWith(key + "[", StringComparison.Ordinal)).SelectMany(e => e.Value).ToList();
            sb.Append("<label for=\"f-").Append(key).Append("\">").Append(E(label));
            if (hint.Length > 0)
            {
                sb.Append(" <span class=\"hint\">").Append(E(hint)).Append("</span>");
            }

            var choices = type.StartsWith("select:", StringComparison.Ordinal) ? type["select:".Length..].Split('|') : null;
            sb.Append(choices is null ? "<input" : "<select").Append(" id=\"f-").Append(key).Append("\" name=\"").Append(key).Append('"');
            if (choices is null)
            {
                // The zone is a text box with suggestions: any IANA id the server knows is accepted, typed or picked.
                sb.Append(" type=\"").Append(type == "zone" ? "text\" list=\"time-zones\" autocomplete=\"off" : type).Append("\" value=\"").Append(Attr(values.GetValueOrDefault(key))).Append('"');
            }

            if (messages.Count > 0)
            {
                sb.Append(" aria-invalid=\"true\" aria-describedby=\"err-").Append(key).Append('"');
            }

            sb.Append('>');
            if (choices is not null)
            {
                foreach (var choice in choices)
                {
                    sb.Append("<option value=\"").Append(Attr(choice)).Append('"').Append(values.GetValueOrDefault(key) == choice ? " selected" : "").Append('>').Append(E(choice)).Append("</option>");
                }

                sb.Append("</select>");
            }
            foreach (var m in messages)
            {
                sb.Append("<span class=\"field-error\" id=\"err-").Append(key).Append("\" data-field=\"").Append(key).Append("\">").Append(E(m)).Append("</span>");
            }

            if (type == "zone")
            {
                AppendZoneChoices(sb, values.GetValueOrDefault(key), backend);
            }

            if (key == "maxAttempts")
            {
                sb.Append("<span class=\"hint\" id=\"max-attempts-meaning\" aria-live=\"polite\">")
                  .Append(E(RetryMeaning(values.GetValueOrDefault("retryPolicy"), values.GetValueOrDefault("maxAttempts")))).Append("</span>");
            }

            sb.Append("</label>");
        }

        AppendVariables(sb, variables, errors);
        sb.Append("<div class=\"actions\"><button type=\"submit\" id=\"save\">").Append(existing is null ? "Create campaign" : "Save").Append("</button>")
          .Append("<a href=\"").Append(existing is null ? "/" : $"/campaigns/{existing.Id}").Append("\">Cancel</a></div></form>");
        sb.Append("<script>").Append(Script).Append("</script>");
        return Layout.Page(ctx, existing is null ? "New campaign" : $"Edit {existing.Name}", sb.ToString(), status ?? (errors.Count > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK));
    }

    private static void AppendZoneChoices(StringBuilder sb, string? current, WebBackend backend)
    {
        sb.Append("<datalist id=\"time-zones\">");
        foreach (var (id, label) in TimeZoneChoices.For(current?.Trim(), backend.Settings.Dialing.DefaultRegion, backend.Time.GetUtcNow()))
        {
            sb.Append("<option value=\"").Append(Attr(id)).Append("\" label=\"").Append(Attr(label)).Append("\"></option>");
        }

        sb.Append("</datalist>");
    }

    /// <summary>
    /// One row per variable plus a blank one (a row is added without script by filling the blank, removed by emptying
    /// it); the script adds and removes rows in place. The API's errors name rows by their index among the non-blank ones.
    /// </summary>
    private static void AppendVariables(StringBuilder sb, List<VariableRow> variables, Dictionary<string, string[]> errors)
    {
        sb.Append("<fieldset id=\"variables\"><legend>Channel variables <span class=\"hint\">set on each call: a constant, or the value of a column of the lead's CSV</span></legend>")
          .Append("<table><thead><tr><th>Name</th><th>Takes</th><th>Value or column</th><th></th></tr></thead><tbody id=\"variable-rows\">");
        for (var i = 0; i < variables.Count; i++)
        {
            AppendVariableRow(sb, i, variables[i], errors);
        }

        AppendVariableRow(sb, variables.Count, new VariableRow("", "value", ""), errors);
        sb.Append("</tbody></table><button type=\"button\" class=\"secondary\" id=\"add-variable\">Add variable</button>")
          .Append("<template id=\"variable-template\">");
        AppendVariableRow(sb, -1, new VariableRow("", "value", ""), errors);
        sb.Append("</template></fieldset>");
    }

    private static void AppendVariableRow(StringBuilder sb, int index, VariableRow row, Dictionary<string, string[]> errors)
    {
        List<string> Messages(params string[] keys) => [.. keys.SelectMany(k => errors.GetValueOrDefault($"variables[{index}]{k}") ?? [])];
        var nameErrors = Messages(".name", "");
        var textErrors = Messages(".value", ".field");
        sb.Append("<tr class=\"variable\"><td><input name=\"varName\" aria-label=\"Variable name\" placeholder=\"e.g. ACCOUNT\" value=\"").Append(Attr(row.Name)).Append('"')
          .Append(nameErrors.Count > 0 ? " aria-invalid=\"true\"" : "").Append('>');
        Errors(sb, index, "name", nameErrors);
        sb.Append("</td><td><select name=\"varKind\" aria-label=\"Takes\"><option value=\"value\"").Append(row.Kind == "value" ? " selected" : "").Append(">a constant</option>")
          .Append("<option value=\"field\"").Append(row.Kind == "field" ? " selected" : "").Append(">a lead column</option></select></td>")
          .Append("<td><input name=\"varText\" aria-label=\"Value or column\" value=\"").Append(Attr(row.Text)).Append('"')
          .Append(textErrors.Count > 0 ? " aria-invalid=\"true\"" : "").Append('>');
        Errors(sb, index, "text", textErrors);
        sb.Append("</td><td><button type=\"button\" class=\"secondary remove-variable\">Remove</button></td></tr>");
    }

    private static void Errors(StringBuilder sb, int index, string part, List<string> messages)
    {
        foreach (var m in messages)
        {
            sb.Append("<span class=\"field-error\" id=\"err-variables-").Append(E(index)).Append('-').Append(part).Append("\">").Append(E(m)).Append("</span>");
        }
    }

    /// <summary>The sentence under max attempts for the values as typed (<see cref="RetryExplanation"/>), or what keeps it from being said.</summary>
    private static string RetryMeaning(string? retryPolicy, string? maxAttempts)
    {
        if (!int.TryParse(maxAttempts, NumberStyles.Integer, CultureInfo.InvariantCulture, out var max) || max is < 1 or > 100)
        {
            return "Enter max attempts (1 to 100) to see what it does.";
        }

        return RetryPolicy.TryParse(retryPolicy, out var policy, out var problem)
            ? RetryExplanation.Describe(policy, max)
            : $"Fix the retry policy to see what max attempts does ({problem}).";
    }

    /// <summary>Adds and removes variable rows (the last one is emptied, not removed) and refreshes the max-attempts sentence as its two fields change.</summary>
    private const string Script = """
        (function(){
          var rows=document.getElementById('variable-rows'),tpl=document.getElementById('variable-template');
          document.getElementById('add-variable').addEventListener('click',function(){var r=tpl.content.firstElementChild.cloneNode(true);rows.appendChild(r);r.querySelector('input').focus();});
          rows.addEventListener('click',function(ev){var b=ev.target.closest('.remove-variable');if(!b)return;var tr=b.closest('tr');
            if(rows.children.length>1){tr.remove();}else{tr.querySelectorAll('input').forEach(function(i){i.value='';});}});
          var policy=document.getElementById('f-retryPolicy'),max=document.getElementById('f-maxAttempts'),out=document.getElementById('max-attempts-meaning'),timer;
          function refresh(){clearTimeout(timer);timer=setTimeout(function(){
            fetch('/campaigns/retry-meaning?retryPolicy='+encodeURIComponent(policy.value)+'&maxAttempts='+encodeURIComponent(max.value),{credentials:'same-origin'})
              .then(function(r){return r.ok?r.text():null;}).then(function(t){if(t!==null)out.textContent=t;}).catch(function(){});},250);}
          policy.addEventListener('input',refresh);max.addEventListener('input',refresh);
        })();
        """;
}
