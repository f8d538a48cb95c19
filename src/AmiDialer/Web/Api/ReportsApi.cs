using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Core.Scheduling;
using AmiDialer.Data.Database;
using AmiDialer.Data.Export;
using AmiDialer.Data.Repositories;
using AmiDialer.Reports;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Hosting;

namespace AmiDialer.Web.Api;

/// <param name="OutcomeNote">What the outcome's name does not say: "ended while the dialer was down: outcome unknown" for unknown.</param>
public sealed record LeadRowDto(long LeadId, string Phone, IReadOnlyDictionary<string, string> Fields, string State, string? Outcome, int Attempts,
    DateTimeOffset? LastAttemptAt, double? TalkSeconds, int? HangupCause, string? HangupCauseText, bool Simulated, string? OutcomeNote = null);

/// <param name="Total">How many leads the filters keep, over all pages.</param>
public sealed record LeadPageDto(IReadOnlyList<LeadRowDto> Leads, long? NextAfter, long? Total = null);

/// <summary>One attempt of a lead; instants in UTC.</summary>
/// <param name="State">dialing, ringing, answered or ended.</param>
/// <param name="FailureReason">Sub-reason of a failure (channel-unavailable, timeout, ami-error, ...).</param>
/// <param name="HangupCause">The Q.850 cause Asterisk reported, with its text.</param>
public sealed record LeadAttemptDto(long Id, DateTimeOffset StartedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? EndedAt, string Server, string State,
    string? Outcome, string? FailureReason, string? DialStatus, int? HangupCause, string? HangupCauseText, double? TalkSeconds, bool Simulated);

/// <summary>A lead as the report lists it, with every attempt made for it, oldest first.</summary>
/// <param name="Abandoned">Its latest abandoned call and when it may be called again; null when none of its calls was abandoned.</param>
public sealed record LeadDetailDto(LeadRowDto Lead, IReadOnlyList<LeadAttemptDto> Attempts, LeadAbandonedDto? Abandoned = null);

/// <summary>
/// A lead's latest abandoned call (answered, no agent within 2 s, or the callee left first): no call may follow before
/// <paramref name="NotBefore"/> (answer + <c>Dialing:AbandonRetryDelay</c>); instants in UTC.
/// </summary>
/// <param name="Fate">late, caller-left or unknown.</param>
/// <param name="Note">"abandoned; not before 2026-12-10 15:04:05Z" while the delay runs; "abandoned; the abandon retry delay ended ..." after.</param>
public sealed record LeadAbandonedDto(DateTimeOffset AnsweredAt, string? Fate, DateTimeOffset NotBefore, bool Waiting, string Note)
{
    public static LeadAbandonedDto Of(AbandonedLead lead, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var waiting = lead.NotBefore > now;
        return new(lead.AnsweredAt, lead.Fate, lead.NotBefore, waiting,
            waiting ? $"abandoned; not before {Utc(lead.NotBefore)}" : $"abandoned; the abandon retry delay ended {Utc(lead.NotBefore)}");
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What the campaign page shows live, and what each Server-Sent Event carries.</summary>
/// <param name="Pending">Leads not final yet: the states pending, in-progress and waiting-retry together (the report's notFinal).</param>
/// <param name="AnswerRate">Answer rate by leads (the report's answerRate).</param>
/// <param name="OutcomeUnknown">Leads whose call ended while the dialer was down (<see cref="OutcomeUnknownNote"/>): not in the answer rate.</param>
/// <param name="AttemptAnswerRate">Answer rate by attempts (the report's attemptAnswerRate).</param>
/// <param name="AttemptOutcomes">Ended attempts by outcome, counted as they end (a lead busy twice counts two).</param>
/// <param name="CallsPerMinute">Attempts started in the last 60 seconds.</param>
public sealed record CampaignStatusDto(long Id, string Name, string State, bool Simulated, long Leads, long Pending, long Attempts,
    IReadOnlyDictionary<string, long> States, IReadOnlyDictionary<string, long> Outcomes, double AnswerRate, double AvgTalkSeconds, int ActiveCalls,
    long OutcomeUnknown = 0, double AttemptAnswerRate = 0, IReadOnlyDictionary<string, long>? AttemptOutcomes = null, int CallsPerMinute = 0)
{
    /// <summary>The heading pages give the unknown count.</summary>
    public const string UnknownTitle = "Ended while the dialer was down: outcome unknown";

    public string OutcomeUnknownNote => CampaignReport.UnknownNote;

    /// <summary>How this node's dialer paced the campaign at its last look (its pacing policy's own words); null when it does not dial it here.</summary>
    public string? Pacing { get; init; }

    /// <summary>Whether this node's dialer runs predictive pacing as progressive now (warming up or throttled); null when it does not dial it here.</summary>
    public bool? PacingFallback { get; init; }

    /// <summary>What this process's dialer says of the campaign (why it waits, why it ended); null when it does not dial it.</summary>
    public string? DialerMessage { get; init; }

    /// <summary>The node that dials it (holds its lease), the same on whichever node answers; null when none does.</summary>
    public string? DialedBy { get; init; }

    /// <summary>That node's status by its heartbeat: live, late, gone or stopped (unknown when it has no node row).</summary>
    public string? DialedByStatus { get; init; }

    /// <summary>The node that answered is the one that dials it.</summary>
    public bool DialedHere { get; init; }
}

/// <summary>Why one lead waits: <paramref name="Reason"/> in words (times in the campaign's zone), <paramref name="Until"/> in UTC.</summary>
/// <param name="Kind">due-now, retry-not-due, outside-calling-hours, outside-campaign-schedule, not-due-yet or never-due.</param>
public sealed record WaitingLeadDto(long LeadId, string Phone, string State, string Kind, string Reason, DateTimeOffset? Until);

/// <summary>Why dialable leads are not dialed now.</summary>
/// <param name="DueNow">Pending or waiting-to-retry leads due now: they wait only for a free line.</param>
/// <param name="RetriesLater">Leads waiting to retry whose time has not come.</param>
/// <param name="PendingLater">Pending leads due later (moved to the opening of their calling hours, mostly).</param>
/// <param name="Blocked">Leads on the do-not-call list: never dialed.</param>
/// <param name="Next">The earliest leads due later, with the reason and the time they are due.</param>
public sealed record WaitingDto(string TimeZone, long DueNow, long RetriesLater, long PendingLater, long Blocked, IReadOnlyList<WaitingLeadDto> Next);

/// <summary>Reports (the CLI's JSON), the per-lead table and CSV export, live status and its event stream.</summary>
internal static class ReportsApi
{
    public const int MaxPageSize = 500;

    private const string FilterHelp = "Filters, all optional and combined: state (e.g. waiting-retry), outcome (e.g. busy), q (a number or part of one: "
        + "a whole number is normalised as the import does, +digits is a prefix of the E.164 number, other digits are looked for anywhere), "
        + "from and to (the last attempt started at or after from and before to; UTC, ISO 8601 with Z). A bad value is a 400 naming the parameter.";

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/campaigns/{id:long}").WithTags("Reports");
        api.MapGet("/report", ReportAsync).WithName("GetReport")
            .WithSummary("The outcome summary, in the same JSON shape as `amidialer report --format json`.")
            .Produces(200, contentType: "application/json");
        api.MapGet("/leads", LeadsAsync).WithName("ListLeads")
            .WithSummary("One page of the per-lead report; pass nextAfter as after for the next. " + FilterHelp);
        api.MapGet("/leads/{leadId:long}", LeadAsync).WithName("GetLead")
            .WithSummary("One lead of the campaign with each of its attempts (start, answer and end in UTC, server, outcome, hangup cause, talk time), and, when a call of it was abandoned, when it may be called again (abandoned.notBefore).");
        api.MapGet("/leads.csv", LeadsCsvAsync).WithName("ExportLeadsCsv")
            .WithSummary("The leads as CSV, safe to open in a spreadsheet (formula-like cells neutralised). " + FilterHelp)
            .Produces(200, contentType: "text/csv")
            .ProducesValidationProblem();
        api.MapGet("/status", StatusAsync).WithName("GetCampaignStatus");
        api.MapGet("/waiting", WaitingAsync).WithName("GetWaitingLeads")
            .WithSummary("Why dialable leads are not dialed now: how many are due, how many wait, and the next ones with their reason and due time (UTC).");
        api.MapGet("/events", Events).WithName("CampaignEvents")
            .WithSummary("Server-Sent Events: a 'status' event with the live status whenever it changes.")
            .Produces(200, contentType: "text/event-stream");
        return app;
    }

    public static async Task<(Campaign Campaign, CampaignReport Report)?> BuildReportAsync(long id, WebData data, CancellationToken ct)
    {
        if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is not { } campaign)
        {
            return null;
        }

        var summary = await (await data.ReportsAsync(ct)).GetSummaryAsync(id, ct);
        return (campaign, ReportBuilder.Build(campaign, summary) with { Abandon = await AbandonReport.ReadAsync(data.Services, campaign, ct) });
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> ReportAsync(long id, WebData data, CancellationToken ct) =>
        await BuildReportAsync(id, data, ct) is { } r
            ? TypedResults.Text(ReportJson.ToJson(r.Report), "application/json", Encoding.UTF8)
            : CampaignsApi.NotFound(id);

    /// <summary>One page of the leads a filter keeps, after a lead id (keyset) and past an offset (numbered pages), with the total.</summary>
    public static async Task<LeadPageDto?> FilteredPageAsync(long id, LeadFilter filter, long after, int offset, int limit, WebData data, CancellationToken ct)
    {
        if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is null)
        {
            return null;
        }

        var reports = await data.ReportsAsync(ct);
        var rows = await reports.ListFilteredLeadRowsAsync(id, filter, after, limit, offset, ct);
        var total = await reports.CountFilteredLeadsAsync(id, filter, cancellationToken: ct);
        return new LeadPageDto([.. rows.Select(ToDto)], rows.Count == limit ? rows[^1].LeadId : null, total);
    }

    private static async Task<Results<Ok<LeadPageDto>, ValidationProblem, ProblemHttpResult>> LeadsAsync(long id, WebData data, WebBackend backend, long? after, int? limit,
        string? state, string? outcome, string? q, string? from, string? to, CancellationToken ct)
    {
        var size = limit ?? 50;
        if (size is < 1 or > MaxPageSize)
        {
            return Infrastructure.Problems.Field("limit", $"Must be between 1 and {MaxPageSize}.");
        }

        var filter = LeadFilterInput.Parse(state, outcome, q, from, to, backend.Settings.Dialing.DefaultRegion, out var error);
        if (error is not null)
        {
            return Infrastructure.Problems.Field(error.Parameter, error.Message);
        }

        return await FilteredPageAsync(id, filter, after ?? 0, 0, size, data, ct) is { } page ? TypedResults.Ok(page) : CampaignsApi.NotFound(id);
    }

    private static async Task<Results<Ok<LeadDetailDto>, ProblemHttpResult>> LeadAsync(long id, long leadId, WebData data, CancellationToken ct) =>
        await LeadDetailAsync(id, leadId, data, ct) is { } lead
            ? TypedResults.Ok(lead)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Lead not found", detail: $"Campaign {id} has no lead {leadId}.");

    /// <summary>A lead of the campaign with its attempts; null when the campaign has no such lead.</summary>
    public static async Task<LeadDetailDto?> LeadDetailAsync(long id, long leadId, WebData data, CancellationToken ct)
    {
        if (await (await data.ReportsAsync(ct)).GetLeadRowAsync(id, leadId, ct) is not { } row)
        {
            return null;
        }

        var attempts = await (await data.AttemptsAsync(ct)).ListByLeadAsync(leadId, ct);
        var abandoned = await AbandonedAnswers.LatestAsync(await data.DatabaseAsync(ct), leadId, data.Services.Settings.Dialing.AbandonRetryDelay, ct);
        return new LeadDetailDto(ToDto(row), [.. attempts.Select(a => new LeadAttemptDto(a.Id, a.CreatedAt, a.AnsweredAt, a.EndedAt, a.Server, DbNames.Of(a.State),
            a.Outcome?.ToWireName(), a.FailureReason, a.DialStatus, a.HangupCause, a.HangupCauseText, a.TalkSeconds, a.IsSimulated))],
            abandoned is null ? null : LeadAbandonedDto.Of(abandoned, data.Time.GetUtcNow()));
    }

    private static async Task<IResult> LeadsCsvAsync(long id, HttpContext ctx, WebData data, WebBackend backend, string? state, string? outcome, string? q, string? from, string? to, CancellationToken ct)
    {
        var filter = LeadFilterInput.Parse(state, outcome, q, from, to, backend.Settings.Dialing.DefaultRegion, out var error);
        if (error is not null)
        {
            return Infrastructure.Problems.Field(error.Parameter, error.Message);
        }

        if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is not { } campaign)
        {
            return CampaignsApi.NotFound(id);
        }

        var reports = await data.ReportsAsync(ct);
        var fields = await LeadReport.FieldNamesAsync(reports, id, ct);
        ctx.Response.ContentType = "text/csv; charset=utf-8";
        ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{SafeFileName(campaign.Name)}-leads.csv\"";
        // Asynchronous writes only: Kestrel refuses synchronous ones, and a failed flush would end the download empty.
        await using (var writer = new StreamWriter(ctx.Response.Body, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        await using (var csv = new SafeCsvWriter(writer))
        {
            await csv.WriteRowAsync(LeadReport.Header(fields), ct);
            var rows = filter.IsEmpty ? LeadReport.AllAsync(reports, id, ct) : LeadReport.AllAsync(reports, id, filter, ct);
            await foreach (var row in rows)
            {
                await csv.WriteRowAsync(LeadReport.Cells(row, fields), ct);
            }
        }

        return Results.Empty;
    }

    /// <summary>
    /// The campaign's status from the store, right on every node: its active calls are its leads in progress (each has
    /// its one open attempt, whichever node placed it), and who dials it is its lease's holder. Only the dialer's own
    /// message comes from this process, when it dials the campaign. <paramref name="cluster"/>: read once for many campaigns (the dashboard).
    /// </summary>
    public static async Task<CampaignStatusDto?> StatusOfAsync(long id, WebData data, CancellationToken ct, ClusterSnapshot? cluster = null)
    {
        if (await BuildReportAsync(id, data, ct) is not { } r)
        {
            return null;
        }

        var snapshot = data.Engine?.GetSnapshot();
        // Not the engine's own calls: on a node that does not dial the campaign they would be none.
        var active = r.Report.States.GetValueOrDefault("in-progress");
        var dialer = cluster is not null ? cluster.DialerOf(id) : await new NodeRepository(await data.DatabaseAsync(ct), data.Time).GetDialerAsync(id, ct);
        var self = data.Engine?.Options.InstanceName;
        // The campaign's rate limit bounds how many attempts a minute can hold: reading that many of the latest is enough.
        var cap = (int)Math.Min(100_000, Math.Ceiling(r.Campaign.CallsPerSecond * 60) + r.Campaign.MaxConcurrentCalls + 1);
        var perMinute = await (await data.ReportsAsync(ct)).CountAttemptsSinceAsync(id, data.Now - TimeSpan.FromMinutes(1), cap, ct);
        return new CampaignStatusDto(id, r.Campaign.Name, r.Campaign.State.ToString().ToLowerInvariant(), r.Campaign.IsSimulated, r.Report.Leads, r.Report.Pending,
            r.Report.Attempts, r.Report.States, r.Report.Outcomes, r.Report.AnswerRate, r.Report.AvgTalkSeconds, (int)active, r.Report.OutcomeUnknown,
            r.Report.AttemptAnswerRate, r.Report.AttemptOutcomes, perMinute)
        {
            // A dialer here that was refused the lease says only that another node holds it: DialedBy names that node.
            DialerMessage = snapshot?.Campaigns.FirstOrDefault(c => c.CampaignId == id && c.Status != AmiDialer.Engine.Live.DialerStatus.Refused)?.Message,
            DialedBy = dialer?.Owner,
            DialedByStatus = dialer is { } d ? (d.Node is { } node ? NodeLiveness.Name(node.Status) : "unknown") : null,
            DialedHere = dialer is { } held && held.Owner == self,
            // How the dialer here paces it, from its own state (a refused dialer here does not dial it: nothing to say).
            Pacing = snapshot?.Campaigns.FirstOrDefault(c => c.CampaignId == id && c.Status != AmiDialer.Engine.Live.DialerStatus.Refused)?.Pacing,
            PacingFallback = snapshot?.Campaigns.FirstOrDefault(c => c.CampaignId == id && c.Status != AmiDialer.Engine.Live.DialerStatus.Refused)?.PacingFallback,
        };
    }

    public static async Task<WaitingDto?> WaitingOfAsync(long id, WebData data, int sample, CancellationToken ct)
    {
        if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is not { } campaign)
        {
            return null;
        }

        var now = data.Now;
        var waiting = await (await data.LeadsAsync(ct)).GetWaitingAsync(id, now, sample, ct);
        var summary = await (await data.ReportsAsync(ct)).GetSummaryAsync(id, ct);
        var schedule = DialingSchedule.For(campaign);
        var campaignOnly = LeadWait.CampaignOnly(campaign);
        var zone = schedule.CampaignZone;
        var next = waiting.Next.Select(l =>
        {
            var wait = LeadWait.Of(l.State, l.NextEligibleAt, l.TimeZones, now, schedule, campaignOnly);
            return new WaitingLeadDto(l.Id, l.PhoneE164, l.State.ToWireName(), WaitName(wait.Kind), wait.Describe(zone), wait.Until);
        }).ToList();
        return new WaitingDto(campaign.TimeZoneId, waiting.DueNow, waiting.RetriesLater, waiting.PendingLater, summary.LeadsByState.GetValueOrDefault(LeadState.Blocked), next);
    }

    /// <summary>The wire name of a wait's kind.</summary>
    public static string WaitName(WaitKind kind) => kind switch
    {
        WaitKind.DueNow => "due-now",
        WaitKind.RetryNotDue => "retry-not-due",
        WaitKind.OutsideCallingHours => "outside-calling-hours",
        WaitKind.OutsideCampaignSchedule => "outside-campaign-schedule",
        WaitKind.NotDueYet => "not-due-yet",
        _ => "never-due",
    };

    private static async Task<Results<Ok<WaitingDto>, ProblemHttpResult>> WaitingAsync(long id, WebData data, CancellationToken ct) =>
        await WaitingOfAsync(id, data, 10, ct) is { } waiting ? TypedResults.Ok(waiting) : CampaignsApi.NotFound(id);

    private static async Task<Results<Ok<CampaignStatusDto>, ProblemHttpResult>> StatusAsync(long id, WebData data, CancellationToken ct) =>
        await StatusOfAsync(id, data, ct) is { } status ? TypedResults.Ok(status) : CampaignsApi.NotFound(id);

    private static IResult Events(long id, WebData data, WebBackend backend, IHostApplicationLifetime lifetime, CancellationToken ct) =>
        TypedResults.ServerSentEvents(StatusStream(id, data, backend, lifetime.ApplicationStopping, ct));

    /// <summary>Sends the status at once, then again each time it changes (checked every half second), with a keep-alive comment otherwise.</summary>
    private static async IAsyncEnumerable<SseItem<string>> StatusStream(long id, WebData data, WebBackend backend, CancellationToken stopping, [EnumeratorCancellation] CancellationToken aborted)
    {
        // Ends when the host stops too: an open page must not hold a graceful stop for its whole timeout.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        var ct = linked.Token;
        string? last = null;
        var quiet = 0;
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        WebServer.Configure(options);
        while (!ct.IsCancellationRequested)
        {
            var status = await StatusOfAsync(id, data, ct);
            if (status is null)
            {
                yield return new SseItem<string>("{\"error\":\"campaign not found\"}", "error");
                yield break;
            }

            var json = JsonSerializer.Serialize(status, options);
            if (json != last || ++quiet >= 30)
            {
                last = json;
                quiet = 0;
                yield return new SseItem<string>(json, "status");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), backend.Time, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private static LeadRowDto ToDto(LeadReportRow r) => new(r.LeadId, r.PhoneE164, r.Fields, r.State.ToWireName(), r.FinalOutcome?.ToWireName(),
        r.Attempts, r.LastAttemptAt, r.TalkSeconds, r.LastHangupCause, r.LastHangupCauseText, r.IsSimulated, LeadReport.OutcomeNote(r));

    private static string SafeFileName(string name) =>
        new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
}
