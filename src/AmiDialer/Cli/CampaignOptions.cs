using System.CommandLine;
using AmiDialer.Core.Model;

namespace AmiDialer.Cli;

/// <summary>The settings options shared by <c>campaign create</c> and <c>campaign update</c>; an option not given leaves the value alone.</summary>
internal sealed class CampaignOptions
{
    public Option<string?> Dial { get; } = new Option<string?>("--dial")
    {
        Description = "Dial string template: {e164}, {number} or {national}, e.g. PJSIP/{number}@trunk.",
        HelpName = "template",
    }.CheckText(CampaignValueParsers.DialTemplate);

    public Option<string?> Destination { get; } = new Option<string?>("--destination")
    {
        Description = "Where answered calls go.",
        HelpName = "context,exten,priority",
    }.CheckText(text => CampaignValueParsers.Destination(text, out _));

    public Option<string?> CallerId { get; } = new Option<string?>("--caller-id")
    {
        Description = "Caller ID shown to the callee, e.g. '\"Clinic\" <+12125550100>'.",
        HelpName = "\"Name\" <number>",
    }.CheckText(CampaignValueParsers.CallerId);

    public Option<int?> MaxConcurrent { get; } = new Option<int?>("--max-concurrent")
    {
        Description = "Most calls of this campaign at once.",
        HelpName = "n",
    }.Check(n => OptionValidation.Positive(n!.Value));

    public Option<double?> Cps { get; } = new Option<double?>("--cps")
    {
        Description = "Most Originates in any one-second window.",
        HelpName = "x",
    }.Check(x => OptionValidation.Positive(x!.Value));

    public Option<int?> RingTimeout { get; } = new Option<int?>("--ring-timeout")
    {
        Description = "Seconds a call may ring (at least 15).",
        HelpName = "seconds",
    }.Check(s => CampaignValueParsers.RingTimeout(s!.Value));

    public Option<string?> Hours { get; } = new Option<string?>("--hours")
    {
        Description = "Calling hours in the callee's own time; 00:00-24:00 means any time.",
        HelpName = "HH:mm-HH:mm",
    }.CheckText(text => CampaignValueParsers.Window(text, out _));

    public Option<string?> Days { get; } = new Option<string?>("--days")
    {
        Description = "Days the campaign dials, in its time zone: Mon-Fri or Mon,Wed.",
        HelpName = "days",
    }.CheckText(text => CampaignValueParsers.Days(text, out _));

    public Option<string[]> Windows { get; } = new Option<string[]>("--window")
    {
        Description = "Daily window in the campaign's time zone (repeatable).",
        HelpName = "HH:mm-HH:mm",
        AllowMultipleArgumentsPerToken = false,
    }.CheckEach(text => CampaignValueParsers.Window(text, out _));

    public Option<string?> TimeZone { get; } = new Option<string?>("--time-zone")
    {
        Description = "IANA time zone of the campaign's schedule, e.g. Europe/Paris.",
        HelpName = "IANA id",
    }.CheckText(CampaignValueParsers.TimeZone);

    public Option<DateTimeOffset?> Start { get; } = new("--start")
    {
        Description = "When dialing may begin (ISO 8601, e.g. 2026-12-01T09:00:00-05:00).",
        HelpName = "ISO date-time",
    };

    public Option<DateTimeOffset?> End { get; } = new("--end")
    {
        Description = "When dialing stops; leads not final by then expire.",
        HelpName = "ISO date-time",
    };

    public Option<string?> Retry { get; } = new Option<string?>("--retry")
    {
        Description = "Retry policy, outcome=delay:retries, e.g. busy=5m:3,no-answer=1h:2 (delays in s, m, h, d).",
        HelpName = "policy",
    }.CheckText(text => Core.Retries.RetryPolicy.TryParse(text, out _, out var error) ? null : error + ".");

    public Option<int?> MaxAttempts { get; } = new Option<int?>("--max-attempts")
    {
        Description = "Most attempts per lead, the first included.",
        HelpName = "n",
    }.Check(n => OptionValidation.Positive(n!.Value));

    public Option<string?> Order { get; } = new Option<string?>("--order")
    {
        Description = "Which due leads go first when more are due than there is room for: retries-first (default) or fresh-first.",
        HelpName = "retries-first|fresh-first",
    }.CheckText(text => LeadOrderNames.TryParse(text, out _) ? null : LeadOrderNames.Problem(text));

    public Option<string[]> Vars { get; } = new Option<string[]>("--var")
    {
        Description = "Channel variable with a constant value (repeatable).",
        HelpName = "NAME=value",
        AllowMultipleArgumentsPerToken = false,
    }.CheckEach(text => CampaignValueParsers.Variable(text, field: false, out _));

    public Option<string[]> VarFields { get; } = new Option<string[]>("--var-field")
    {
        Description = "Channel variable taken from a lead field, i.e. a CSV column (repeatable).",
        HelpName = "NAME=column",
        AllowMultipleArgumentsPerToken = false,
    }.CheckEach(text => CampaignValueParsers.Variable(text, field: true, out _));

    public Option<string?> Queue { get; } = new Option<string?>("--queue")
    {
        Description = "The Asterisk queue whose agents take the answered calls (the destination must run Queue(<name>)); '' for none.",
        HelpName = "name",
    }.CheckText(text => text.Length == 0 ? null : CampaignValueParsers.QueueName(text));

    public Option<string?> Pacing { get; } = new Option<string?>("--pacing")
    {
        Description = "How many calls to place: fixed (the caps above), progressive (one per free agent of --queue, times --pacing-ratio) or predictive (from the measured answer rate, within the abandon limit).",
        HelpName = "fixed|progressive|predictive",
    }.CheckText(CampaignValueParsers.Pacing);

    public Option<double?> PacingRatio { get; } = new Option<double?>("--pacing-ratio")
    {
        Description = "Calls in flight per free agent in progressive pacing (default 1.0).",
        HelpName = "x",
    }.Check(x => CampaignValueParsers.PacingRatio(x!.Value));

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Dial, Destination, CallerId, MaxConcurrent, Cps, RingTimeout, Hours, Days, Windows, TimeZone, Start, End, Retry, MaxAttempts, Order, Queue, Pacing, PacingRatio, Vars, VarFields })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The campaign with every option given on the command line applied (values already validated by the parser).</summary>
    public Campaign ApplyTo(Campaign campaign, ParseResult parse)
    {
        var c = campaign;
        if (parse.GetValue(Dial) is { } dial)
        {
            c = c with { DialTemplate = dial };
        }

        if (parse.GetValue(Destination) is { } destination)
        {
            CampaignValueParsers.Destination(destination, out var target);
            c = c with { Destination = target };
        }

        if (parse.GetValue(CallerId) is { } callerId)
        {
            c = c with { CallerId = callerId.Length == 0 ? null : Core.Dialing.CallerId.Parse(callerId).ToString() };
        }

        if (parse.GetValue(MaxConcurrent) is { } maxConcurrent)
        {
            c = c with { MaxConcurrentCalls = maxConcurrent };
        }

        if (parse.GetValue(Cps) is { } cps)
        {
            c = c with { CallsPerSecond = cps };
        }

        if (parse.GetValue(RingTimeout) is { } ring)
        {
            c = c with { RingTimeout = TimeSpan.FromSeconds(ring) };
        }

        if (parse.GetValue(Hours) is { } hours)
        {
            CampaignValueParsers.Window(hours, out var window);
            c = c with { CallingHours = window };
        }

        if (parse.GetValue(Days) is { } days)
        {
            CampaignValueParsers.Days(days, out var list);
            c = c with { Days = list };
        }

        if (parse.GetValue(Windows) is { Length: > 0 } windows)
        {
            c = c with { Windows = windows.Select(w => { CampaignValueParsers.Window(w, out var x); return x; }).ToList() };
        }

        if (parse.GetValue(TimeZone) is { } zone)
        {
            c = c with { TimeZoneId = zone };
        }

        if (parse.GetValue(Start) is { } start)
        {
            c = c with { StartAt = start };
        }

        if (parse.GetValue(End) is { } end)
        {
            c = c with { EndAt = end };
        }

        if (parse.GetValue(Retry) is { } retry)
        {
            c = c with { RetryPolicy = Core.Retries.RetryPolicy.Parse(retry).ToString() };
        }

        if (parse.GetValue(MaxAttempts) is { } maxAttempts)
        {
            c = c with { MaxAttempts = maxAttempts };
        }

        if (parse.GetValue(Order) is { } order && LeadOrderNames.TryParse(order, out var leadOrder))
        {
            c = c with { Order = leadOrder };
        }

        if (parse.GetValue(Queue) is { } queue)
        {
            c = c with { Queue = queue.Length == 0 ? null : queue };
        }

        if (parse.GetValue(Pacing) is { } pacing && Core.Pacing.PacingModeNames.TryParse(pacing, out var mode))
        {
            c = c with { Pacing = mode };
        }

        if (parse.GetValue(PacingRatio) is { } ratio)
        {
            c = c with { PacingRatio = ratio };
        }

        if (CampaignValueParsers.QueueForPacing(c) is { } pacingProblem)
        {
            throw CliException.Usage("--queue: " + pacingProblem);
        }

        var constants = parse.GetValue(Vars) ?? [];
        var fields = parse.GetValue(VarFields) ?? [];
        if (constants.Length + fields.Length > 0)
        {
            var variables = constants.Select(v => { CampaignValueParsers.Variable(v, false, out var x); return x; })
                .Concat(fields.Select(v => { CampaignValueParsers.Variable(v, true, out var x); return x; }))
                .ToList();
            c = c with { Variables = variables };
        }

        if (c.StartAt is { } s && c.EndAt is { } e && e <= s)
        {
            throw CliException.Usage($"--end ({e:O}) must be after --start ({s:O}).");
        }

        return c;
    }
}
