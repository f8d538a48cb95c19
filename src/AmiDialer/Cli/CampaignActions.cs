using System.CommandLine;
using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Core.Scheduling;
using AmiDialer.Data.Repositories;
using AmiDialer.Hosting;
using AmiDialer.Reports;

namespace AmiDialer.Cli;

/// <summary>What the <c>campaign</c> subcommands do.</summary>
internal static class CampaignActions
{
    public static async Task<int> CreateAsync(CliContext context, ParseResult parse, string name, CampaignOptions options, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var campaign = options.ApplyTo(Defaults(services, name), parse);
        CheckDestination(services, campaign);
        try
        {
            campaign = await services.Campaigns.CreateAsync(campaign, CliServices.Actor, ct);
        }
        catch (DuplicateNameException)
        {
            throw new CliException($"A campaign named '{name}' already exists; change it with 'amidialer campaign update {CliServices.Quote(name)} ...'.");
        }

        await context.Output.WriteLineAsync($"Created campaign '{campaign.Name}' (draft). Next: amidialer import <file.csv> --campaign {CliServices.Quote(campaign.Name)}");
        return AmiDialerCli.Success;
    }

    /// <summary>The destination must be one of the allowed contexts: refused now, not skipped when a call is answered.</summary>
    private static void CheckDestination(AppServices services, Campaign campaign)
    {
        if (CampaignValueParsers.AllowedDestination(campaign.Destination, CallControlSettings.AllowedContexts(services.Settings)) is { } problem)
        {
            throw CliException.Usage($"--destination: '{campaign.Destination}': {problem}");
        }
    }

    /// <summary>A new campaign's settings before options: the configured defaults.</summary>
    public static Campaign Defaults(AppServices services, string name)
    {
        var dialing = services.Settings.Dialing;
        return new Campaign
        {
            Name = name,
            TimeZoneId = dialing.DefaultTimeZone,
            RingTimeout = dialing.RingTimeout,
            CallingHours = ScheduleText.ParseWindow(dialing.CallingHours),
        };
    }

    public static async Task<int> UpdateAsync(CliContext context, ParseResult parse, string name, CampaignOptions options, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var existing = await CliServices.CampaignAsync(services, name, ct);
        if (existing.State is CampaignState.Completed or CampaignState.Stopped)
        {
            throw new CliException($"Campaign '{name}' is {existing.State.WireName()}; its settings can no longer change.");
        }

        var updated = options.ApplyTo(existing, parse);
        if (parse.GetValue(options.Destination) is not null)
        {
            CheckDestination(services, updated);
        }
        if (updated == existing)
        {
            throw CliException.Usage("campaign update: give at least one setting to change, e.g. --cps 5.");
        }

        if (!await services.Campaigns.UpdateAsync(updated, CliServices.Actor, ct))
        {
            throw new CliException($"Campaign '{name}' was deleted meanwhile.");
        }

        await context.Output.WriteLineAsync($"Updated campaign '{name}'.");
        return AmiDialerCli.Success;
    }

    public static async Task<int> ListAsync(CliContext context, ParseResult parse, string format, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var campaigns = await services.Campaigns.ListAsync(ct);
        var reports = new List<(Campaign Campaign, CampaignReport Report)>();
        foreach (var campaign in campaigns)
        {
            reports.Add((campaign, ReportBuilder.Build(campaign, await services.Reports.GetSummaryAsync(campaign.Id, ct))));
        }

        if (format.Is("json"))
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, JsonOutput.Writer()))
            {
                w.WriteStartArray();
                foreach (var (campaign, report) in reports)
                {
                    CampaignJson.Write(w, campaign, report);
                }

                w.WriteEndArray();
            }

            await context.Output.WriteLineAsync(Encoding.UTF8.GetString(stream.ToArray()));
            return AmiDialerCli.Success;
        }

        if (reports.Count == 0)
        {
            await context.Output.WriteLineAsync("No campaigns yet. Create one with: amidialer campaign create <name>");
            return AmiDialerCli.Success;
        }

        var table = new TextTable("name", "state", "leads", "not final", "attempts", "answered", "answer rate (leads)", "answer rate (attempts)");
        foreach (var (campaign, report) in reports)
        {
            table.Add(
                campaign.Name + (campaign.IsSimulated ? " (simulated)" : ""),
                campaign.State.WireName(),
                report.Leads,
                report.Pending,
                report.Attempts,
                report.Outcomes["answered"],
                (report.AnswerRate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%",
                (report.AttemptAnswerRate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%");
        }

        await context.Output.WriteAsync(table.Render(context.Tables));
        return AmiDialerCli.Success;
    }

    public static async Task<int> ShowAsync(CliContext context, ParseResult parse, string name, string format, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var campaign = await CliServices.CampaignAsync(services, name, ct);
        var report = ReportBuilder.Build(campaign, await services.Reports.GetSummaryAsync(campaign.Id, ct)) with { Abandon = await AbandonReport.ReadAsync(services, campaign, ct) };
        var preflight = await PreflightText.BuildAsync(services, campaign, ct);
        if (format.Is("json"))
        {
            // The API's pre-flight object, under "preflight".
            var json = System.Text.Json.Nodes.JsonNode.Parse(CampaignJson.ToJson(campaign, report))!.AsObject();
            json["preflight"] = System.Text.Json.JsonSerializer.SerializeToNode(Web.Api.PreflightDto.From(campaign.Id, preflight), PreflightJson);
            await context.Output.WriteLineAsync(json.ToJsonString(PreflightJson));
            return AmiDialerCli.Success;
        }

        var table = new TextTable("setting", "value");
        table.Add("state", campaign.State.WireName() + (campaign.IsSimulated ? " (simulated)" : ""));
        table.Add("time zone", campaign.TimeZoneId);
        table.Add("dial", campaign.DialTemplate);
        table.Add("destination", campaign.Destination.ToString());
        if (campaign.OnAnswerRedirect is { } onAnswer)
        {
            table.Add("on answer", onAnswer.ToString());
        }

        table.Add("caller id", campaign.CallerId ?? "(PBX default)");
        table.Add("max concurrent", campaign.MaxConcurrentCalls.ToString(CultureInfo.InvariantCulture));
        table.Add("calls per second", campaign.CallsPerSecond.ToString(CultureInfo.InvariantCulture));
        table.Add("ring timeout", $"{campaign.RingTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        table.Add("calling hours", campaign.CallingHours + " (callee's time)");
        table.Add("days", campaign.Days.Count == 0 ? "every day" : ScheduleText.FormatDays(campaign.Days));
        table.Add("windows", campaign.Windows.Count == 0 ? "all day" : ScheduleText.FormatWindows(campaign.Windows));
        table.Add("start", campaign.StartAt?.ToString("O", CultureInfo.InvariantCulture) ?? "when started");
        table.Add("end", campaign.EndAt?.ToString("O", CultureInfo.InvariantCulture) ?? "none");
        table.Add("retry", campaign.RetryPolicy.Length == 0 ? "none" : campaign.RetryPolicy);
        table.Add("max attempts", campaign.MaxAttempts.ToString(CultureInfo.InvariantCulture));
        table.Add("order", campaign.Order.ToWireName());
        table.Add("queue", campaign.Queue ?? "none");
        table.Add("pacing", campaign.Pacing switch
        {
            Core.Pacing.PacingMode.Progressive => $"progressive: {campaign.PacingRatio.ToString("0.##", CultureInfo.InvariantCulture)} call(s) per free agent, within the caps above",
            Core.Pacing.PacingMode.Predictive => "predictive: by the measured answer rate, within the caps and the abandon limit",
            _ => "fixed: the caps above",
        });
        foreach (var v in campaign.Variables)
        {
            table.Add("variable " + v.Name, v.Field is null ? v.Value : "field " + v.Field);
        }

        await context.Output.WriteLineAsync($"Campaign: {campaign.Name}");
        await context.Output.WriteAsync(table.Render(context.Tables));
        await context.Output.WriteLineAsync();
        await context.Output.WriteAsync(ReportTable.Format(report, context.Tables));
        if (campaign.State is not (CampaignState.Stopped or CampaignState.Completed))
        {
            var zone = TimeZoneInfo.TryFindSystemTimeZoneById(campaign.TimeZoneId, out var z) ? z : TimeZoneInfo.Utc;
            var flight = new TextTable("pre-flight (if dialed now)", "");
            foreach (var (label, value) in PreflightText.Lines(preflight, zone))
            {
                flight.Add(label, value);
            }

            await context.Output.WriteLineAsync();
            await context.Output.WriteAsync(flight.Render(context.Tables));
        }

        return AmiDialerCli.Success;
    }

    private static readonly System.Text.Json.JsonSerializerOptions PreflightJson = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new Web.Infrastructure.UtcTimeJsonConverter() },
    };

    public static async Task<int> ControlAsync(CliContext context, ParseResult parse, string name, string verb, CancellationToken ct, bool force = false)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var campaign = await CliServices.CampaignAsync(services, name, ct);
        if (AmiDialer.Core.ClickToCall.BuiltInCampaign.Refusal(campaign, verb) is { } refusal)
        {
            throw new CliException(refusal);
        }

        var now = services.Time.GetUtcNow();
        var later = campaign.StartAt > now ? CampaignState.Scheduled : CampaignState.Running;
        var (from, to) = verb switch
        {
            "start" => (new[] { CampaignState.Draft }, later),
            "pause" => ([CampaignState.Running, CampaignState.Scheduled], CampaignState.Paused),
            "resume" => ([CampaignState.Paused], later),
            "stop" => ([CampaignState.Draft, CampaignState.Scheduled, CampaignState.Running, CampaignState.Paused], CampaignState.Stopped),
            _ => throw new ArgumentOutOfRangeException(nameof(verb), verb, null),
        };
        if (campaign.State == to)
        {
            await context.Output.WriteLineAsync($"Campaign '{name}' is already {to.WireName()}.");
            return AmiDialerCli.Success;
        }

        if (verb == "start" && from.Contains(campaign.State) && !force)
        {
            await StartCheckAsync(context, services, campaign, ct);
        }

        if (!from.Contains(campaign.State) || !await services.Campaigns.TransitionAsync(campaign.Id, from, to, CliServices.Actor, ct))
        {
            var hint = campaign.State == CampaignState.Paused && verb == "start" ? " Use 'campaign resume'." : "";
            throw new CliException($"Cannot {verb} campaign '{name}': it is {campaign.State.WireName()}.{hint}");
        }

        var next = to switch
        {
            CampaignState.Running => $" It is dialed by 'amidialer serve', or in the foreground by 'amidialer run --campaign {CliServices.Quote(name)}'.",
            CampaignState.Scheduled => $" Dialing begins at {campaign.StartAt:O}.",
            CampaignState.Paused => " Live calls finish; no new call starts.",
            _ => "",
        };
        await context.Output.WriteLineAsync($"Campaign '{name}' is now {to.WireName()}.{next}");
        if (campaign.IsSimulated && to is CampaignState.Running or CampaignState.Scheduled)
        {
            await context.Output.WriteLineAsync("Only 'serve --simulate' or 'run --simulate' will dial it: " + Engine.CampaignSimulatedException.Explain(name));
        }

        return AmiDialerCli.Success;
    }

    /// <summary>The doctor's checks for this campaign; a blocking failure refuses the start with one line each, and how to force it.</summary>
    private static async Task StartCheckAsync(CliContext context, AppServices services, Campaign campaign, CancellationToken ct)
    {
        await context.Error.WriteLineAsync($"Pre-flight: checking the AMI server(s) for campaign '{campaign.Name}'...");
        var check = await CampaignStartCheck.RunAsync(services, campaign, ct);
        if (!check.Refused)
        {
            return;
        }

        var text = new StringBuilder($"Campaign '{campaign.Name}' was not started: the pre-flight check found what would make its calls fail:");
        foreach (var line in check.Refusals)
        {
            text.Append(Environment.NewLine).Append("  ").Append(line);
        }

        text.Append(Environment.NewLine).Append($"Run 'amidialer doctor' for every check; 'amidialer campaign start {CliServices.Quote(campaign.Name)} --force' starts it anyway.");
        throw new CliException(text.ToString());
    }

    public static async Task<int> RequeueAsync(CliContext context, ParseResult parse, string name, bool simulated, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var campaign = await CliServices.CampaignAsync(services, name, ct);
        if (simulated && !campaign.IsSimulated)
        {
            await context.Output.WriteLineAsync($"Campaign '{name}' was not dialed by the simulator: nothing to requeue.");
            return AmiDialerCli.Success;
        }

        RequeueResult result;
        try
        {
            result = await new CampaignRequeue(services.Database, services.Time).SimulatedAsync(campaign.Id, CliServices.Actor, ct);
        }
        catch (CampaignRequeueException ex)
        {
            throw new CliException(ex.Message);
        }

        var next = result.State switch
        {
            CampaignState.Running => " A real 'amidialer serve' dials it now.",
            CampaignState.Paused => $" Resume it to dial: amidialer campaign resume {CliServices.Quote(name)}",
            CampaignState.Draft => $" Start it to dial: amidialer campaign start {CliServices.Quote(name)}",
            _ => "",
        };
        await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Campaign '{name}' requeued for real dialing: {result.LeadsReturned} lead(s) whose last call was simulated are pending again; their attempts stay in the history. It is {result.State.WireName()}.{next}"));
        return AmiDialerCli.Success;
    }

    /// <summary>
    /// <c>campaign requeue NAME --outcome unknown [--force]</c>: an operator's decision to call again the leads whose call
    /// ended unseen; leads inside their abandon retry delay only with <c>--force</c>.
    /// </summary>
    public static async Task<int> RequeueUnknownAsync(CliContext context, ParseResult parse, string name, bool force, CancellationToken ct)
    {
        await using var services = await CliServices.OpenAsync(context, parse, ct);
        var campaign = await CliServices.CampaignAsync(services, name, ct);
        if (Core.ClickToCall.BuiltInCampaign.Refusal(campaign, "requeue") is { } refusal)
        {
            throw new CliException(refusal);
        }

        RequeueResult result;
        try
        {
            var requeue = new CampaignRequeue(services.Database, services.Time) { AbandonRetryDelay = services.Settings.Dialing.AbandonRetryDelay };
            result = await requeue.UnknownAsync(campaign.Id, CliServices.Actor, force, ct);
        }
        catch (CampaignRequeueException ex)
        {
            throw new CliException(ex.InsideAbandonDelay.Count > 0 ? $"{ex.Message} To requeue them now: amidialer campaign requeue {CliServices.Quote(name)} --outcome unknown --force" : ex.Message);
        }

        if (result.LeadsReturned == 0)
        {
            await context.Output.WriteLineAsync($"Campaign '{name}' has no lead whose outcome is unknown: nothing to requeue. It is {result.State.WireName()}.");
            return AmiDialerCli.Success;
        }

        var next = result.State switch
        {
            CampaignState.Running => " A running 'amidialer serve' dials them now.",
            CampaignState.Paused => $" Resume it to dial: amidialer campaign resume {CliServices.Quote(name)}",
            CampaignState.Draft => $" Start it to dial: amidialer campaign start {CliServices.Quote(name)}",
            _ => "",
        };
        await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Campaign '{name}' requeued: {result.LeadsReturned} lead(s) whose call ended while the dialer was down (outcome unknown) are pending again; their attempts stay in the history and count toward the maximum of attempts. It is {result.State.WireName()}.{next}"));
        return AmiDialerCli.Success;
    }
}
