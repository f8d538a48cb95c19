using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using AmiDialer.Core.Phone;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Web.Infrastructure;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace AmiDialer.Web.Api;

public sealed record ImportSummaryDto(
    long ImportId, long CampaignId, string Status, long RowsRead, long Imported, long Rejected, long Duplicates, long Blocked,
    string PhoneColumn, string Delimiter, string Encoding, string Region, IReadOnlyList<RowError> FirstErrors, string? ErrorCsv, string? Message)
{
    /// <summary>Leads imported that the dialer will refuse (a field used as a channel variable holds a line break), and the first reason.</summary>
    public long NotDialable { get; init; }

    public string? NotDialableReason { get; init; }

    /// <summary>True when the import reopened a completed campaign (<c>reopen=true</c>): it is paused, to be resumed.</summary>
    public bool Reopened { get; init; }

    /// <summary>Said when the campaign's state keeps the new leads from being dialed, and how to change that.</summary>
    public string? CampaignNote { get; init; }
}

/// <summary>An upload's progress: <c>receiving</c> the file (bytes of the request), then <c>importing</c> it (bytes of the file read), then <c>done</c>.</summary>
public sealed record ImportProgressDto(long ImportId, long RowsRead, long Imported, long Rejected, long Duplicates, long Blocked, long BytesRead, double? Percent, bool Done, string Phase);

/// <param name="Problem">What keeps the file from importing as it is, in words; null when nothing does.</param>
/// <param name="Refused">True when the import would refuse the file whatever the options (empty, binary, no rows); false when choosing a phone column is enough.</param>
public sealed record CsvPreviewDto(string Delimiter, string Encoding, IReadOnlyList<string> Columns, string? PhoneColumn, string Region, IReadOnlyList<IReadOnlyList<string>> Rows, string? Problem,
    bool Refused = false);

/// <summary>One import of a campaign's history; instants in UTC.</summary>
/// <param name="Status">running, completed, failed, cancelled or interrupted.</param>
/// <param name="Actor">Who imported it (the user, the API key, or the CLI's OS user).</param>
/// <param name="ErrorCsv">The rejected rows with line, column and reason, when there are any.</param>
public sealed record ImportHistoryDto(long Id, string FileName, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Actor, string Status,
    long RowsRead, long Imported, long Rejected, long Duplicates, long Blocked, string? ErrorCsv, string? Message);

/// <summary>Progress of uploads being imported, by the upload id the page chose, for the page to poll.</summary>
internal sealed class ImportProgressRegistry
{
    private readonly ConcurrentDictionary<string, ImportProgressDto> entries = new(StringComparer.Ordinal);

    public void Report(string uploadId, ImportProgressDto progress)
    {
        if (entries.Count > 1000)
        {
            entries.Clear(); // bounded: an abandoned page must not grow this forever
        }

        entries[uploadId] = progress;
    }

    public ImportProgressDto? Get(string uploadId) => entries.GetValueOrDefault(uploadId);
}

/// <summary>CSV upload (multipart, streamed to the importer), preview, progress, and the error CSV.</summary>
internal static class ImportsApi
{
    public const string UploadIdHeader = "X-Upload-Id";
    private const int PreviewRows = 5;
    private const int PreviewBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapImportsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/campaigns/{id:long}/imports", UploadAsync)
            .WithTags("Imports").WithName("UploadLeads")
            .WithSummary("Upload a CSV (multipart/form-data, part 'file'); optional parts or query: region, phoneColumn, delimiter.")
            .Accepts<IFormFile>("multipart/form-data");
        app.MapGet("/api/campaigns/{id:long}/imports", HistoryAsync)
            .WithTags("Imports").WithName("ListImports")
            .WithSummary("The campaign's imports, newest first: file name, when, who, rows read, imported, rejected, duplicates and blocked, status, and the error CSV's address.");
        app.MapPost("/api/imports/preview", PreviewAsync).WithTags("Imports").WithName("PreviewCsv")
            .WithSummary("The detected delimiter, encoding, columns, phone column and first rows of the start of a CSV (send at most 64 KiB as the body).")
            .Accepts<string>("text/csv");
        app.MapGet("/api/imports/{importId:long}", GetAsync).WithTags("Imports").WithName("GetImport");
        app.MapGet("/api/imports/{importId:long}/errors.csv", ErrorsAsync).WithTags("Imports").WithName("GetImportErrors");
        app.MapGet("/api/imports/progress/{uploadId}", (string uploadId, ImportProgressRegistry registry) =>
            registry.Get(uploadId) is { } p ? Results.Ok(p) : Results.Problem("No upload with that id is in progress.", statusCode: 404, title: "Unknown upload"))
            .WithTags("Imports").WithName("GetUploadProgress").Produces<ImportProgressDto>();
        return app;
    }

    private static async Task<Results<Ok<ImportSummaryDto>, ValidationProblem, ProblemHttpResult>> UploadAsync(
        long id, HttpContext ctx, WebBackend backend, WebData data, ImportProgressRegistry registry, ClaimsPrincipal user, CancellationToken ct)
    {
        var limit = backend.Settings.Web.MaxUploadBytes;
        if (ctx.Request.ContentLength > limit)
        {
            WebLog.UploadTooLarge(ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AmiDialer.Web"), limit);
            return TooLarge(limit);
        }

        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + 64 * 1024; // the multipart envelope around the file
        }

        if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is null)
        {
            return CampaignsApi.NotFound(id);
        }

        if (!MediaTypeHeaderValue.TryParse(ctx.Request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return Problems.Field("file", "Send the CSV as multipart/form-data with a part named 'file'.");
        }

        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in ctx.Request.Query)
        {
            fields[key] = value.ToString();
        }

        var reader = new MultipartReader(boundary, ctx.Request.Body) { BodyLengthLimit = limit };
        MultipartSection? section;
        while ((section = await NextSectionAsync(reader, ct)) is not null)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (disposition.IsFileDisposition() && name == "file")
            {
                var options = Options(id, fields, backend, user, out var errors);
                var reopen = false;
                if (fields.GetValueOrDefault("reopen") is { Length: > 0 } reopenText && !TryParseFlag(reopenText, out reopen))
                {
                    errors["reopen"] = ["Must be true or false."];
                }

                if (errors.Count > 0)
                {
                    return TypedResults.ValidationProblem(errors, title: "Invalid import options");
                }

                var fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? "upload.csv");
                var uploadId = ctx.Request.Headers[UploadIdHeader].ToString();
                var tracked = uploadId.Length is > 0 and <= 64;
                var contentLength = ctx.Request.ContentLength;
                try
                {
                    await using var spool = await UploadSpool.ReceiveAsync(
                        section.Body,
                        UploadSpool.DirectoryFor(backend.Services.Database.Path),
                        backend.Time,
                        tracked ? new SyncProgress<long>(bytes => registry.Report(uploadId, Receiving(bytes, contentLength))) : null,
                        ct);
                    IProgress<ImportProgress>? progress = tracked ? new SyncProgress<ImportProgress>(p => registry.Report(uploadId, ToDto(p, done: false))) : null;
                    var importer = new CsvLeadImporter(backend.Services.Database, backend.Time, ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<CsvLeadImporter>());
                    var result = await importer.ImportAsync(spool.File, fileName, options with { TotalBytes = spool.File.Length }, progress, ct);
                    var summary = await ReopenAsync(ToDto(id, result, options.DefaultRegion), reopen, data, user, ct);
                    if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is { } target)
                    {
                        var (unsendable, reason) = await Reports.UnsendableLeads.CountAsync(backend.Services.Leads, target, result.ImportId, ct);
                        summary = summary with { NotDialable = unsendable, NotDialableReason = reason };
                    }
                    if (tracked)
                    {
                        registry.Report(uploadId, new ImportProgressDto(result.ImportId, result.RowsRead, result.Imported, result.Rejected, result.Duplicates, result.Blocked,
                            spool.File.Length, 100, true, "done"));
                    }

                    if (result.Status == ImportStatus.Failed)
                    {
                        // The file broke off at a line (a runaway field): the rows before it are in, the rest is not.
                        return TypedResults.ValidationProblem(
                            new Dictionary<string, string[]> { ["file"] = [$"{fileName}, {result.Message} The {result.Imported} rows before it were imported (import {result.ImportId}); fix that line and upload the file again."] },
                            title: "Invalid file",
                            extensions: new Dictionary<string, object?> { ["import"] = summary });
                    }

                    return TypedResults.Ok(summary);
                }
                catch (CsvImportRefusedException ex)
                {
                    return Problems.Field("file", ex.Message);
                }
                catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    return TooLarge(limit);
                }
                catch (InvalidDataException ex) when (ex.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
                {
                    return TooLarge(limit);
                }
                catch (InvalidDataException ex)
                {
                    return Problems.Field("file", $"The upload is not a well-formed multipart body: {ex.Message}");
                }
            }

            if (!disposition.IsFileDisposition() && name.Length > 0)
            {
                // Small text parts (region, phoneColumn, delimiter) come before the file in the page's form.
                using var text = new StreamReader(section.Body, Encoding.UTF8);
                var buffer = new char[256];
                var read = await text.ReadBlockAsync(buffer, ct);
                fields[name] = new string(buffer, 0, read);
            }
        }

        return Problems.Field("file", "The upload has no part named 'file'.");
    }

    private static bool TryParseFlag(string text, out bool value)
    {
        value = text.Trim().ToLowerInvariant() is "true" or "1" or "on" or "yes";
        return value || text.Trim().ToLowerInvariant() is "false" or "0" or "off" or "no";
    }

    /// <summary>
    /// Leads imported into a completed campaign are never dialed unless it is reopened: asked for, it becomes paused
    /// (nothing is dialed until someone resumes it); not asked for, the answer says how.
    /// </summary>
    private static async Task<ImportSummaryDto> ReopenAsync(ImportSummaryDto summary, bool reopen, WebData data, ClaimsPrincipal user, CancellationToken ct)
    {
        var repo = await data.CampaignsAsync(ct);
        if (await repo.GetAsync(summary.CampaignId, ct) is not { State: Core.Model.CampaignState.Completed } campaign || summary.Imported == 0)
        {
            return summary;
        }

        if (!reopen)
        {
            return summary with { CampaignNote = $"Campaign '{campaign.Name}' is completed: the {summary.Imported} new lead(s) will not be dialed unless it is reopened (import again with reopen=true, or reopen it from its page)." };
        }

        return await repo.TransitionAsync(campaign.Id, [Core.Model.CampaignState.Completed], Core.Model.CampaignState.Paused, CampaignsApi.Actor(user), ct)
            ? summary with { Reopened = true, CampaignNote = $"Campaign '{campaign.Name}' was completed and is now paused: resume it to dial the {summary.Imported} new lead(s)." }
            : summary;
    }

    private static CsvImportOptions Options(long campaignId, Dictionary<string, string> fields, WebBackend backend, ClaimsPrincipal user, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var region = fields.GetValueOrDefault("region") is { Length: > 0 } r ? r.Trim().ToUpperInvariant() : backend.Settings.Dialing.DefaultRegion;
        if (PhoneRegions.Check(region) is { } regionError)
        {
            errors["region"] = [regionError + "."];
        }

        char? delimiter = null;
        if (fields.GetValueOrDefault("delimiter") is { Length: > 0 } d)
        {
            var c = d is "\\t" or "tab" ? '\t' : d[0];
            if (d.Length > 1 && d is not ("\\t" or "tab") || !CsvSniffer.Delimiters.Contains(c))
            {
                errors["delimiter"] = ["Must be one of , ; | or tab."];
            }

            delimiter = c;
        }

        var phoneColumn = fields.GetValueOrDefault("phoneColumn") is { Length: > 0 } p ? p.Trim() : null;
        return new CsvImportOptions
        {
            CampaignId = campaignId,
            DefaultRegion = region,
            Delimiter = delimiter,
            PhoneColumn = phoneColumn,
            Actor = CampaignsApi.Actor(user),
        };
    }

    private static async Task<Results<Ok<CsvPreviewDto>, ProblemHttpResult>> PreviewAsync(HttpContext ctx, WebBackend backend, string? region, CancellationToken ct)
    {
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            // A client may send the whole file: only its start is read, the server drops the rest.
            size.MaxRequestBodySize = backend.Settings.Web.MaxUploadBytes;
        }

        var buffer = new byte[PreviewBytes];
        var length = 0;
        int n;
        while (length < buffer.Length && (n = await ctx.Request.Body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
        {
            length += n;
        }

        var regionCode = string.IsNullOrWhiteSpace(region) ? backend.Settings.Dialing.DefaultRegion : region.Trim().ToUpperInvariant();
        var sample = buffer.AsSpan(0, length);
        if (length == 0)
        {
            return TypedResults.Ok(new CsvPreviewDto(",", "", [], null, regionCode, [], "The file is empty.", Refused: true));
        }

        // The importer's own sniffing, so the preview shows what the import will do.
        Encoding encoding;
        try
        {
            encoding = CsvSniffer.DetectEncoding(sample, complete: length < buffer.Length);
        }
        catch (CsvImportRefusedException e)
        {
            return TypedResults.Ok(new CsvPreviewDto(",", "", [], null, regionCode, [], e.Message, Refused: true));
        }

        var text = encoding.GetString(sample).TrimStart('\uFEFF');
        var delimiter = CsvSniffer.DetectDelimiter(text);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = delimiter.ToString(), BadDataFound = null, MissingFieldFound = null };
        using var parser = new CsvParser(new StringReader(text), config);
        var rows = new List<IReadOnlyList<string>>();
        string[] header = [];
        while (rows.Count < PreviewRows && parser.Read())
        {
            var record = parser.Record ?? [];
            if (header.Length == 0)
            {
                header = [.. record.Select(h => h.Trim().TrimStart('\uFEFF'))];
                continue;
            }

            if (record.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            rows.Add(record);
        }

        var phoneIndex = CsvSniffer.GuessPhoneColumn(header);
        var phone = phoneIndex >= 0 ? header[phoneIndex] : null;
        // The importer's own refusals, as far as the start of the file shows them.
        var refusal = header.Length == 0 ? "The file has no header row."
            : rows.Count == 0 && length < buffer.Length ? "The file has a header but no rows."
            : null;
        return TypedResults.Ok(new CsvPreviewDto(delimiter == '\t' ? "tab" : delimiter.ToString(), encoding.WebName, header, phone, regionCode, rows,
            refusal ?? (phone is null ? "No column is named like a phone number (phone, number, mobile, tel, ...): choose one." : null), refusal is not null));
    }

    private static async Task<Results<Ok<List<ImportHistoryDto>>, ProblemHttpResult>> HistoryAsync(long id, WebData data, CancellationToken ct)
    {
        if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is null)
        {
            return CampaignsApi.NotFound(id);
        }

        return TypedResults.Ok(await HistoryOfAsync(id, data, ct));
    }

    /// <summary>A campaign's imports, newest first.</summary>
    public static async Task<List<ImportHistoryDto>> HistoryOfAsync(long id, WebData data, CancellationToken ct) =>
        [.. (await (await data.ImportsAsync(ct)).ListAsync(id, ct)).Reverse().Select(r => new ImportHistoryDto(
            r.Id, r.FileName, r.StartedAt, r.FinishedAt, r.Actor, r.Status.ToString().ToLowerInvariant(), r.RowsRead, r.RowsImported, r.RowsRejected, r.RowsDuplicate, r.RowsBlocked,
            r.ErrorFile is null || r.RowsRejected == 0 ? null : $"/api/imports/{r.Id}/errors.csv", r.Message))];

    private static async Task<Results<Ok<ImportRecord>, ProblemHttpResult>> GetAsync(long importId, WebData data, CancellationToken ct) =>
        await (await data.ImportsAsync(ct)).GetAsync(importId, ct) is { } record ? TypedResults.Ok(record) : ImportNotFound(importId);

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> ErrorsAsync(long importId, WebData data, CancellationToken ct)
    {
        if (await (await data.ImportsAsync(ct)).GetAsync(importId, ct) is not { } record)
        {
            return ImportNotFound(importId);
        }

        if (record.ErrorFile is not { } path || !File.Exists(path))
        {
            return TypedResults.Problem($"Import {importId} rejected no row, so it has no error CSV.", statusCode: 404, title: "No error CSV");
        }

        // The path comes from the import record, never from the request.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, useAsync: true);
        return TypedResults.File(stream, "text/csv; charset=utf-8", $"import-{importId}-errors.csv");
    }

    private static ImportSummaryDto ToDto(long campaignId, ImportResult r, string region) => new(
        r.ImportId, campaignId, r.Status.ToString().ToLowerInvariant(), r.RowsRead, r.Imported, r.Rejected, r.Duplicates, r.Blocked,
        r.PhoneColumn, r.Delimiter == '\t' ? "tab" : r.Delimiter.ToString(), r.EncodingName, region, r.FirstErrors,
        r.ErrorCsvPath is null ? null : $"/api/imports/{r.ImportId}/errors.csv", r.Message);

    private static ImportProgressDto ToDto(ImportProgress p, bool done) => new(
        p.ImportId, p.RowsRead, p.Imported, p.Rejected, p.Duplicates, p.Blocked, p.BytesRead, p.Percent, done, done ? "done" : "importing");

    private static ImportProgressDto Receiving(long bytes, long? contentLength) =>
        new(0, 0, 0, 0, 0, 0, bytes, contentLength is > 0 ? Math.Min(100, 100.0 * bytes / contentLength.Value) : null, false, "receiving");

    /// <summary>A malformed multipart body (bad boundary, headers too long) is the client's fault: 400, not 500.</summary>
    private static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken ct)
    {
        try
        {
            return await reader.ReadNextSectionAsync(ct);
        }
        catch (InvalidDataException e)
        {
            throw new BadHttpRequestException($"The upload is not a well-formed multipart body: {e.Message}", StatusCodes.Status400BadRequest, e);
        }
    }

    /// <summary>Reports on the caller's thread: Progress&lt;T&gt; would post to the thread pool and could land after the final report.</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem($"The file is larger than Web:MaxUploadBytes ({limit} bytes).", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Upload too large");

    private static ProblemHttpResult ImportNotFound(long importId) =>
        TypedResults.Problem($"No import has id {importId}.", statusCode: 404, title: "Import not found");
}
