using System.Globalization;
using System.Security.Claims;
using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Hosting;
using AmiDialer.Web.Api;
using static AmiDialer.Web.Pages.Html;

namespace AmiDialer.Web.Pages;

/// <summary>New and edit campaign: one form, validated by the API's rules, messages next to each field.</summary>
internal static class CampaignFormPage
{
    public static IEndpointRouteBuilder MapCampaignFormPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/campaigns/new", (HttpContext ctx, WebBackend backend) =>
            Form(ctx, null, Values(CampaignInputRules.NewCampaign(backend.Settings, backend.IsSimulated) with { Name = "" }), [])).ExcludeFromDescription();
        app.MapPost("/campaigns/new", CreateAsync).ExcludeFromDescription();
        app.MapGet("/campaigns/{id:long}/edit", async (long id, HttpContext ctx, WebData data, CancellationToken ct) =>
            await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is { } c ? Form(ctx, c, Values(c), []) : NotFoundPage(ctx, id)).ExcludeFromDescription();
        app.MapPost("/campaigns/{id:long}/edit", UpdateAsync).ExcludeFromDescription();
        return app;
    }

    public static IResult NotFoundPage(HttpContext ctx, long id) =>
        Layout.Page(ctx, "Campaign not found", $"<p>No campaign has id {E(id)}. <a href=\"/\">Back to the dashboard</a></p>", StatusCodes.Status404NotFound);

    private static async Task<IResult> CreateAsync(HttpContext ctx, WebBackend backend, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        var form = await ctx.Request.ReadFormAsync(ct);
        var values = Read(form);
        var (input, parseErrors) = ToInput(values);
        var (campaign, errors) = CampaignInputRules.Apply(CampaignInputRules.NewCampaign(backend.Settings, backend.IsSimulated), input, creating: true, CallControlSettings.AllowedContexts(backend.Settings));
        Merge(errors, parseErrors);
        if (errors.Count == 0)
        {
            try
            {
                var created = await (await data.CampaignsAsync(ct)).CreateAsync(campaign, CampaignsApi.Actor(user), ct);
                return Results.Redirect($"/campaigns/{created.Id}");
            }
            catch (System.Data.DuplicateNameException ex)
            {
                // The same answer as the API's: the settings are valid, the name conflicts with another campaign.
                return Form(ctx, null, values, new() { ["name"] = [ex.Message] }, StatusCodes.Status409Conflict);
            }
        }

        return Form(ctx, null, values, errors);
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
        var (input, parseErrors) = ToInput(values);
        var (campaign, errors) = CampaignInputRules.Apply(current, input, creating: false, CallControlSettings.AllowedContexts(backend.Settings));
        Merge(errors, parseErrors);
        if (errors.Count == 0)
        {
            try
            {
                await repo.UpdateAsync(campaign, CampaignsApi.Actor(user), ct);
                return Results.Redirect($"/campaigns/{id}");
            }
            catch (System.Data.DuplicateNameException ex)
            {
                return Form(ctx, current, values, new() { ["name"] = [ex.Message] }, StatusCodes.Status409Conflict);
            }
        }

        return Form(ctx, current, values, errors);
    }

    private static readonly (string Key, string Label, string Hint, string Type)[] Fields =
    [
        ("name", "Name", "", "text"),
        ("dialTemplate", "Dial string", "{e164}, {number} or {national}, e.g. PJSIP/{number}@trunk", "text"),
        ("destination", "Answered calls go to", "context,extension,priority", "text"),
        ("onAnswerRedirect", "On answer, redirect to", "optional context,extension,priority", "text"),
        ("callerId", "Caller ID", "optional, \"Name\" <number>", "text"),
        ("timeZone", "Time zone", "IANA id of the schedule, e.g. America/New_York", "text"),
        ("callingHours", "Calling hours", "in the callee's own time, HH:mm-HH:mm (00:00-24:00 = any time)", "text"),
        ("days", "Days", "e.g. Mon-Fri; empty = every day", "text"),
        ("windows", "Daily windows", "in the campaign's zone, comma-separated HH:mm-HH:mm; empty = all day", "text"),
        ("startAt", "Start", "optional ISO date-time, e.g. 2026-12-01T09:00:00-05:00", "text"),
        ("endAt", "End", "optional ISO date-time", "text"),
        ("maxConcurrentCalls", "Max concurrent calls", "", "number"),
        ("callsPerSecond", "Calls per second", "", "text"),
        ("ringTimeoutSeconds", "Ring timeout (s)", "at least 15", "number"),
        ("retryPolicy", "Retry policy", "e.g. busy=5m:3,no-answer=1h:2", "text"),
        ("maxAttempts", "Max attempts per lead", "", "number"),
        ("order", "Lead order", "which due leads go first when more are due than there is room for", "select:retries-first|fresh-first"),
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
        ["startAt"] = c.StartAt?.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) ?? "",
        ["endAt"] = c.EndAt?.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) ?? "",
        ["maxConcurrentCalls"] = c.MaxConcurrentCalls.ToString(CultureInfo.InvariantCulture),
        ["callsPerSecond"] = c.CallsPerSecond.ToString(CultureInfo.InvariantCulture),
        ["ringTimeoutSeconds"] = ((int)c.RingTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        ["retryPolicy"] = c.RetryPolicy,
        ["maxAttempts"] = c.MaxAttempts.ToString(CultureInfo.InvariantCulture),
        ["order"] = c.Order.ToWireName(),
    };

    private static Dictionary<string, string> Read(IFormCollection form) =>
        Fields.ToDictionary(f => f.Key, f => form[f.Key].ToString(), StringComparer.Ordinal);

    private static (CampaignInput Input, Dictionary<string, string[]> Errors) ToInput(Dictionary<string, string> v)
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

        DateTimeOffset? When(string key)
        {
            if (string.IsNullOrWhiteSpace(v[key]))
            {
                return null;
            }

            if (DateTimeOffset.TryParse(v[key], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            {
                return t;
            }

            errors[key] = ["Enter an ISO date-time such as 2026-12-01T09:00:00-05:00."];
            return null;
        }

        double? cps = double.TryParse(v["callsPerSecond"], NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : null;
        if (cps is null)
        {
            errors["callsPerSecond"] = ["Enter a number such as 2 or 0.5."];
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

    private static IResult Form(HttpContext ctx, Campaign? existing, Dictionary<string, string> values, Dictionary<string, string[]> errors, int? status = null)
    {
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
                sb.Append(" type=\"").Append(type).Append("\" value=\"").Append(Attr(values.GetValueOrDefault(key))).Append('"');
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

            sb.Append("</label>");
        }

        sb.Append("<div class=\"actions\"><button type=\"submit\" id=\"save\">").Append(existing is null ? "Create campaign" : "Save").Append("</button>")
          .Append("<a href=\"").Append(existing is null ? "/" : $"/campaigns/{existing.Id}").Append("\">Cancel</a></div></form>");
        return Layout.Page(ctx, existing is null ? "New campaign" : $"Edit {existing.Name}", sb.ToString(), status ?? (errors.Count > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK));
    }
}
