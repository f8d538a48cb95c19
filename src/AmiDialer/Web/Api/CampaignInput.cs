using System.Globalization;
using AmiDialer.Cli;
using AmiDialer.Configuration;
using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;

namespace AmiDialer.Web.Api;

/// <summary>
/// A campaign's settings as the API and the form send them. On create, a value left out takes its default; on
/// update, a value left out keeps its current value. Texts use the CLI's spellings (destination
/// <c>agents,100,1</c>, days <c>Mon-Fri</c>, windows and hours <c>HH:mm-HH:mm</c>, retry <c>busy=5m:3</c>).
/// </summary>
public sealed record CampaignInput
{
    public string? Name { get; init; }
    public string? TimeZone { get; init; }
    public string? DialTemplate { get; init; }
    public string? Destination { get; init; }
    public string? OnAnswerRedirect { get; init; }
    public string? CallerId { get; init; }
    public int? RingTimeoutSeconds { get; init; }
    public int? MaxConcurrentCalls { get; init; }
    public double? CallsPerSecond { get; init; }
    public DateTimeOffset? StartAt { get; init; }
    public DateTimeOffset? EndAt { get; init; }
    public string? Days { get; init; }
    public IReadOnlyList<string>? Windows { get; init; }
    public string? CallingHours { get; init; }
    public string? RetryPolicy { get; init; }
    public int? MaxAttempts { get; init; }

    /// <summary><c>retries-first</c> (the default) or <c>fresh-first</c>: which due leads go first when more are due than there is room for.</summary>
    public string? Order { get; init; }

    /// <summary>The Asterisk queue whose agents take the answered calls; empty for none.</summary>
    public string? Queue { get; init; }

    /// <summary><c>fixed</c> (the default), <c>progressive</c> or <c>predictive</c>; the last two need <see cref="Queue"/>.</summary>
    public string? Pacing { get; init; }

    /// <summary>Calls in flight per free agent in progressive pacing (1.0 by default).</summary>
    public double? PacingRatio { get; init; }
    public IReadOnlyList<VariableInput>? Variables { get; init; }
}

/// <summary>A channel variable: a constant <see cref="Value"/> or the lead's <see cref="Field"/>, not both.</summary>
public sealed record VariableInput(string? Name, string? Value, string? Field);

/// <summary>A campaign as the API returns it.</summary>
public sealed record CampaignDto(
    long Id, string Name, CampaignState State, string TimeZone, string DialTemplate, string Destination, string? OnAnswerRedirect,
    string? CallerId, int RingTimeoutSeconds, int MaxConcurrentCalls, double CallsPerSecond, DateTimeOffset? StartAt, DateTimeOffset? EndAt,
    string Days, IReadOnlyList<string> Windows, string CallingHours, string RetryPolicy, int MaxAttempts,
    IReadOnlyList<VariableInput> Variables, bool IsSimulated, DateTimeOffset CreatedAt, string Order = "retries-first",
    string? Queue = null, string Pacing = "fixed", double PacingRatio = 1.0)
{
    public static CampaignDto From(Campaign c) => new(
        c.Id, c.Name, c.State, c.TimeZoneId, c.DialTemplate, c.Destination.ToString(), c.OnAnswerRedirect?.ToString(), c.CallerId,
        (int)c.RingTimeout.TotalSeconds, c.MaxConcurrentCalls, c.CallsPerSecond, c.StartAt, c.EndAt, CampaignInputRules.FormatDays(c.Days),
        [.. c.Windows.Select(w => w.ToString())], c.CallingHours.ToString(), c.RetryPolicy, c.MaxAttempts,
        [.. c.Variables.Select(v => new VariableInput(v.Name, v.Value, v.Field))], c.IsSimulated, c.CreatedAt, c.Order.ToWireName(),
        c.Queue, c.Pacing.ToWireName(), c.PacingRatio);
}

/// <summary>Applies a <see cref="CampaignInput"/> to a campaign, naming every bad field (by its JSON name) at once.</summary>
internal static class CampaignInputRules
{
    public static Campaign NewCampaign(AmiDialerSettings settings, bool simulated) => new()
    {
        Name = "",
        TimeZoneId = settings.Dialing.DefaultTimeZone,
        RingTimeout = settings.Dialing.RingTimeout,
        CallingHours = CampaignValueParsers.Window(settings.Dialing.CallingHours, out var hours) is null ? hours : new DailyWindow(TimeSpan.FromHours(8), TimeSpan.FromHours(21)),
        IsSimulated = simulated,
    };

    /// <param name="allowedContexts">Where answered calls may go (<c>Dialing:AllowedContexts</c>): a destination or redirect given elsewhere is refused.</param>
    public static (Campaign Campaign, Dictionary<string, string[]> Errors) Apply(Campaign c, CampaignInput input, bool creating, IReadOnlyCollection<string> allowedContexts)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Bad(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field) ?? [], message];

        if (input.Name is not null || creating)
        {
            var name = input.Name?.Trim() ?? "";
            if (name.Length == 0)
            {
                Bad("name", "A name is required.");
            }
            else if (name.Length > 100 || name.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                Bad("name", "At most 100 characters, on one line.");
            }
            else if (!creating && name != c.Name && AmiDialer.Core.ClickToCall.BuiltInCampaign.Refusal(c, "rename") is { } refusal)
            {
                // Click-to-call finds its campaign by this name: renamed, its history would be orphaned.
                Bad("name", refusal);
            }

            c = c with { Name = name };
        }

        if (input.TimeZone is { } zone)
        {
            if (CampaignValueParsers.TimeZone(zone) is { } problem)
            {
                Bad("timeZone", $"'{zone}' is {problem}");
            }

            c = c with { TimeZoneId = zone };
        }

        if (input.DialTemplate is { } template)
        {
            if (!NumberTemplate.TryParse(template, out _, out var problem))
            {
                Bad("dialTemplate", problem ?? "Not a valid dial string template.");
            }
            else if (!template.Contains('/', StringComparison.Ordinal))
            {
                Bad("dialTemplate", "Expected TECH/resource, e.g. PJSIP/{number}@trunk.");
            }

            c = c with { DialTemplate = template };
        }

        if (input.Destination is { } destination)
        {
            if ((CampaignValueParsers.Destination(destination, out var target) ?? CampaignValueParsers.AllowedDestination(target, allowedContexts)) is { } problem)
            {
                Bad("destination", Capital(problem));
            }

            c = c with { Destination = target };
        }

        if (input.OnAnswerRedirect is { } redirect)
        {
            if (redirect.Trim().Length == 0)
            {
                c = c with { OnAnswerRedirect = null };
            }
            else if ((CampaignValueParsers.Destination(redirect, out var target) ?? CampaignValueParsers.AllowedDestination(target, allowedContexts)) is { } problem)
            {
                Bad("onAnswerRedirect", Capital(problem));
            }
            else
            {
                c = c with { OnAnswerRedirect = target };
            }
        }

        if (input.CallerId is { } callerId)
        {
            if (callerId.Trim().Length == 0)
            {
                c = c with { CallerId = null };
            }
            else if (!CallerId.TryParse(callerId, out _, out var problem))
            {
                Bad("callerId", problem ?? "Expected \"Name\" <number>.");
            }
            else
            {
                c = c with { CallerId = callerId };
            }
        }

        if (input.RingTimeoutSeconds is { } ring)
        {
            if (CampaignValueParsers.RingTimeout(ring) is { } problem)
            {
                Bad("ringTimeoutSeconds", Capital(problem));
            }

            c = c with { RingTimeout = TimeSpan.FromSeconds(Math.Max(0, ring)) };
        }

        if (input.MaxConcurrentCalls is { } max)
        {
            if (max is < 1 or > 10_000)
            {
                Bad("maxConcurrentCalls", $"Must be between 1 and 10000 (was {max}).");
            }

            c = c with { MaxConcurrentCalls = max };
        }

        if (input.CallsPerSecond is { } cps)
        {
            if (!(cps > 0 && cps <= 1000))
            {
                Bad("callsPerSecond", $"Must be more than 0 and at most 1000 (was {cps.ToString(CultureInfo.InvariantCulture)}).");
            }

            c = c with { CallsPerSecond = cps };
        }

        if (input.StartAt is not null || input.EndAt is not null)
        {
            c = c with { StartAt = input.StartAt ?? c.StartAt, EndAt = input.EndAt ?? c.EndAt };
        }

        if (c.StartAt is { } s && c.EndAt is { } e && e <= s)
        {
            Bad("endAt", "Must be after startAt.");
        }

        if (input.Days is { } days)
        {
            if (days.Trim().Length == 0)
            {
                c = c with { Days = [] };
            }
            else if (CampaignValueParsers.Days(days, out var parsed) is { } problem)
            {
                Bad("days", Capital(problem));
            }
            else
            {
                c = c with { Days = parsed };
            }
        }

        if (input.Windows is { } windows)
        {
            var parsed = new List<DailyWindow>();
            for (var i = 0; i < windows.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(windows[i]))
                {
                    continue;
                }

                if (CampaignValueParsers.Window(windows[i], out var w) is { } problem)
                {
                    Bad($"windows[{i}]", $"'{windows[i]}': {problem}");
                }
                else
                {
                    parsed.Add(w);
                }
            }

            c = c with { Windows = parsed };
        }

        if (input.CallingHours is { } hours)
        {
            if (CampaignValueParsers.Window(hours, out var w) is { } problem)
            {
                Bad("callingHours", Capital(problem));
            }

            c = c with { CallingHours = w };
        }

        if (input.RetryPolicy is { } retry)
        {
            if (RetryProblem(retry) is { } problem)
            {
                Bad("retryPolicy", problem);
            }

            c = c with { RetryPolicy = retry.Trim() };
        }

        if (input.MaxAttempts is { } attempts)
        {
            if (attempts is < 1 or > 100)
            {
                Bad("maxAttempts", $"Must be between 1 and 100 (was {attempts}).");
            }

            c = c with { MaxAttempts = attempts };
        }

        if (input.Order is { } order)
        {
            if (!LeadOrderNames.TryParse(order, out var leadOrder))
            {
                Bad("order", LeadOrderNames.Problem(order));
            }

            c = c with { Order = leadOrder };
        }

        if (input.Queue is { } queue)
        {
            var name = queue.Trim();
            if (name.Length > 0 && CampaignValueParsers.QueueName(name) is { } problem)
            {
                Bad("queue", Capital(problem));
            }

            c = c with { Queue = name.Length == 0 ? null : name };
        }

        if (input.Pacing is { } pacing)
        {
            if (!PacingModeNames.TryParse(pacing, out var mode))
            {
                Bad("pacing", Capital(CampaignValueParsers.Pacing(pacing)!));
            }

            c = c with { Pacing = mode };
        }

        if (input.PacingRatio is { } ratio)
        {
            if (CampaignValueParsers.PacingRatio(ratio) is { } problem)
            {
                Bad("pacingRatio", Capital(problem));
            }

            c = c with { PacingRatio = ratio };
        }

        if (!errors.ContainsKey("queue") && !errors.ContainsKey("pacing") && CampaignValueParsers.QueueForPacing(c) is { } needsQueue)
        {
            Bad("queue", needsQueue);
        }

        if (input.Variables is { } variables)
        {
            var parsed = new List<ChannelVariable>();
            for (var i = 0; i < variables.Count; i++)
            {
                var v = variables[i];
                if (ChannelVariables.CheckName(v.Name) is { } nameProblem)
                {
                    Bad($"variables[{i}].name", nameProblem);
                    continue;
                }

                if ((v.Value is null) == (v.Field is null))
                {
                    Bad($"variables[{i}]", "Give either value (a constant) or field (a lead column), not both.");
                    continue;
                }

                if (v.Value is not null && ChannelVariables.CheckValue(v.Value) is { } valueProblem)
                {
                    Bad($"variables[{i}].value", valueProblem);
                    continue;
                }

                parsed.Add(new ChannelVariable(v.Name!, v.Value, v.Field));
            }

            c = c with { Variables = parsed };
        }

        return (c, errors);
    }

    public static string FormatDays(IReadOnlyList<DayOfWeek> days) =>
        string.Join(',', days.Select(d => d.ToString()[..3]));

    private static string? RetryProblem(string text)
    {
        foreach (var rule in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var m = System.Text.RegularExpressions.Regex.Match(rule, @"^([a-z-]+)=(\d+)([smhd]):(\d+)$");
            if (!m.Success || !CallOutcomeNames.TryParse(m.Groups[1].Value, out _))
            {
                return $"'{rule}' should look like busy=5m:3 (outcome=delay:retries, delay in s, m, h or d).";
            }
        }

        return null;
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
