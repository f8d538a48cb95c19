using System.Globalization;
using System.Security.Claims;
using System.Text;
using AmiDialer.Core.Phone;
using AmiDialer.Data.Export;
using AmiDialer.Data.Repositories;
using AmiDialer.Reports;
using AmiDialer.Web.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AmiDialer.Web.Api;

public sealed record DncInput(string? Number, long? CampaignId, string? Note, string? Region);

public sealed record DncEntryDto(long Id, string Number, long? CampaignId, string Source, DateTimeOffset AddedAt, string AddedBy, string? Note)
{
    public static DncEntryDto From(DncEntry e) => new(e.Id, e.Number, e.CampaignId, e.Source.ToString().ToLowerInvariant(), e.AddedAt, e.AddedBy, e.Note);
}

/// <summary>A removal (or unblocking): the leads made dialable again and those of the number still blocked, in words too.</summary>
public sealed record DncRemovalDto(string Number, long? CampaignId, bool Removed, int Unblocked, int StillBlocked, string Message)
{
    public static DncRemovalDto From(string e164, long? campaignId, DncRemoval r, bool unblock) =>
        new(e164, campaignId, r.Removed, r.Unblocked, r.StillBlocked, DncRemovalText.Describe(e164, r, unblock));
}

public sealed record DncLineError(long Line, string Text, string Reason);

public sealed record DncImportResult(int Added, int AlreadyListed, IReadOnlyList<DncLineError> Rejected);

/// <summary>The do-not-call list: add, remove, import (one number per line, or a CSV whose first cell is the number), list.</summary>
internal static class DncApi
{
    public static IEndpointRouteBuilder MapDncApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/dnc").WithTags("Do-not-call");
        api.MapGet("/", ListAsync).WithName("ListDnc")
            .WithSummary("Entries, newest first: campaignId (that campaign's entries), search (digits of the number, or text of the note), limit (1-1000) and offset.");
        api.MapGet("/export", ExportAsync).WithName("ExportDnc").Produces(200, contentType: "text/csv")
            .WithSummary("Every entry matching campaignId and search as CSV: number, campaign, source, added_at (UTC), added_by, note.");
        api.MapPost("/", AddAsync).WithName("AddDnc");
        api.MapDelete("/{number}", RemoveAsync).WithName("RemoveDnc")
            .WithSummary("Remove a number (E.164, URL-encoded +); campaignId for a campaign-scoped entry; unblock=true also makes the leads it blocked dialable again (audited). The answer counts the leads unblocked and those still blocked.");
        api.MapPost("/{number}/unblock", UnblockAsync).WithName("UnblockDnc")
            .WithSummary("Unblocks the leads of a number no entry lists any more (after a removal without unblock); campaignId limits it to one campaign.");
        api.MapPost("/import", ImportAsync).WithName("ImportDnc").Accepts<string>("text/csv")
            .WithSummary("One number per line (a header line and extra columns are ignored); the response lists the lines refused.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<DncEntryDto>>> ListAsync(WebData data, long? campaignId, string? search, int? limit, int? offset, CancellationToken ct)
    {
        var entries = await (await data.DncAsync(ct)).ListAsync(new DncQuery { CampaignId = campaignId, Search = search, Limit = Math.Clamp(limit ?? 200, 1, 1000), Offset = Math.Max(0, offset ?? 0) }, ct);
        return TypedResults.Ok<IReadOnlyList<DncEntryDto>>([.. entries.Select(DncEntryDto.From)]);
    }

    /// <summary>The list as CSV, written page by page as it is read (a list of millions never sits in memory).</summary>
    public static async Task<IResult> ExportAsync(HttpContext ctx, WebData data, long? campaignId, bool? allCampaignsOnly, string? search, CancellationToken ct)
    {
        var names = (await (await data.CampaignsAsync(ct)).ListAsync(ct)).ToDictionary(c => c.Id, c => c.Name);
        var repo = await data.DncAsync(ct);
        ctx.Response.ContentType = "text/csv; charset=utf-8";
        ctx.Response.Headers.ContentDisposition = "attachment; filename=\"do-not-call.csv\"";
        await using (var writer = new StreamWriter(ctx.Response.Body, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        await using (var csv = new SafeCsvWriter(writer))
        {
            await csv.WriteRowAsync(["number", "campaign", "source", "added_at", "added_by", "note"], ct);
            const int Page = 5000;
            for (var offset = 0; ; offset += Page)
            {
                var entries = await repo.ListAsync(new DncQuery { CampaignId = campaignId, AllCampaignsOnly = allCampaignsOnly ?? false, Search = search, Limit = Page, Offset = offset }, ct);
                foreach (var e in entries)
                {
                    var scope = e.CampaignId is { } id ? names.GetValueOrDefault(id, "#" + id.ToString(CultureInfo.InvariantCulture)) : "all";
                    await csv.WriteRowAsync([e.Number, scope, DncRepository.SourceName(e.Source), e.AddedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), e.AddedBy, e.Note], ct);
                }

                if (entries.Count < Page)
                {
                    break;
                }
            }
        }

        return Results.Empty;
    }

    public static bool TryNormalise(string? text, string region, out string e164, out string error)
    {
        e164 = "";
        if (!E164.TryParse(text, region, out var info, out var problem) || info is null)
        {
            error = problem ?? "not a phone number";
            return false;
        }

        e164 = info.E164;
        error = "";
        return true;
    }

    private static async Task<Results<Created<DncEntryDto>, Ok<DncEntryDto>, ValidationProblem>> AddAsync(DncInput input, WebData data, WebBackend backend, ClaimsPrincipal user, CancellationToken ct)
    {
        var region = string.IsNullOrWhiteSpace(input.Region) ? backend.Settings.Dialing.DefaultRegion : input.Region.Trim().ToUpperInvariant();
        if (PhoneRegions.Check(region) is { } regionError)
        {
            return Problems.Field("region", regionError + ".");
        }

        if (!TryNormalise(input.Number, region, out var e164, out var error))
        {
            return Problems.Field("number", $"'{input.Number}': {error}.");
        }

        if (input.CampaignId is { } cid && await (await data.CampaignsAsync(ct)).GetAsync(cid, ct) is null)
        {
            return Problems.Field("campaignId", $"No campaign has id {cid}.");
        }

        var repo = await data.DncAsync(ct);
        var added = await repo.AddAsync(e164, input.CampaignId, DncSource.Manual, CampaignsApi.Actor(user), input.Note, ct);
        var entry = (await repo.ListAsync(input.CampaignId, 1000, 0, ct)).First(e => e.Number == e164 && e.CampaignId == input.CampaignId);
        return added ? TypedResults.Created($"/api/dnc/{Uri.EscapeDataString(e164)}", DncEntryDto.From(entry)) : TypedResults.Ok(DncEntryDto.From(entry));
    }

    private static async Task<Results<Ok<DncRemovalDto>, ProblemHttpResult, ValidationProblem>> RemoveAsync(string number, long? campaignId, bool? unblock, WebData data, WebBackend backend, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!TryNormalise(number, backend.Settings.Dialing.DefaultRegion, out var e164, out var error))
        {
            return Problems.Field("number", $"'{number}': {error}.");
        }

        var removal = await (await data.DncAsync(ct)).RemoveAsync(e164, campaignId, unblock ?? false, CampaignsApi.Actor(user), "removed on the web", ct);
        return removal.Removed
            ? TypedResults.Ok(DncRemovalDto.From(e164, campaignId, removal, unblock ?? false))
            : TypedResults.Problem($"{e164} is not on the do-not-call list{(campaignId is null ? "" : $" of campaign {campaignId}")}.", statusCode: 404, title: "Not on the list");
    }

    private static async Task<Results<Ok<DncRemovalDto>, ValidationProblem>> UnblockAsync(string number, long? campaignId, WebData data, WebBackend backend, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!TryNormalise(number, backend.Settings.Dialing.DefaultRegion, out var e164, out var error))
        {
            return Problems.Field("number", $"'{number}': {error}.");
        }

        var removal = await (await data.DncAsync(ct)).UnblockAsync(e164, campaignId, CampaignsApi.Actor(user), ct);
        return TypedResults.Ok(DncRemovalDto.From(e164, campaignId, removal, true));
    }

    private static async Task<Results<Ok<DncImportResult>, ValidationProblem>> ImportAsync(HttpContext ctx, WebData data, WebBackend backend, ClaimsPrincipal user, long? campaignId, string? region, CancellationToken ct)
    {
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = backend.Settings.Web.MaxUploadBytes;
        }

        var regionCode = string.IsNullOrWhiteSpace(region) ? backend.Settings.Dialing.DefaultRegion : region.Trim().ToUpperInvariant();
        if (PhoneRegions.Check(regionCode) is { } regionError)
        {
            return Problems.Field("region", regionError + ".");
        }

        if (campaignId is { } cid && await (await data.CampaignsAsync(ct)).GetAsync(cid, ct) is null)
        {
            return Problems.Field("campaignId", $"No campaign has id {cid}.");
        }

        var numbers = new List<string>();
        var rejected = new List<DncLineError>();
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        long line = 0;
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            line++;
            var cell = text.Split([',', ';', '\t', '|'])[0].Trim().Trim('"').TrimStart('\'');
            if (cell.Length == 0 || (line == 1 && !cell.Any(char.IsDigit)))
            {
                continue; // blank line, or a header
            }

            if (TryNormalise(cell, regionCode, out var e164, out var error))
            {
                numbers.Add(e164);
            }
            else if (rejected.Count < 1000)
            {
                rejected.Add(new DncLineError(line, cell, error));
            }
        }

        var distinct = numbers.Distinct(StringComparer.Ordinal).ToList();
        var added = await (await data.DncAsync(ct)).AddManyAsync(distinct, campaignId, DncSource.Import, CampaignsApi.Actor(user), null, ct);
        return TypedResults.Ok(new DncImportResult(added, distinct.Count - added, rejected));
    }
}
