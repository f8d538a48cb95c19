using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AmiDialer.Data.Database;
using AmiDialer.Data.Export;
using AmiDialer.Data.Phones;
using AmiDialer.Data.Repositories;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Data.Import;

/// <summary>
/// Imports a CSV of leads into a campaign. Streaming in three stages: one thread parses the CSV into batches, the
/// validation workers normalise numbers in parallel, and one writer commits each batch in its own transaction, in
/// file order. Rejected rows go to an error CSV with their line, column and reason; good rows are imported anyway.
/// A file that is not a usable CSV is refused before anything is written.
/// </summary>
public sealed class CsvLeadImporter(AmiDialerDatabase database, TimeProvider time, ILogger<CsvLeadImporter>? logger = null)
{
    /// <summary>Header names taken for the phone column, in order of preference (compared without case, spaces, _ or -).</summary>
    public static readonly IReadOnlyList<string> PhoneColumnNames =
        ["phone", "phonenumber", "number", "mobile", "mobilephone", "mobilenumber", "cell", "cellphone", "tel", "telephone", "msisdn", "e164", "telefon", "telefono", "numero"];

    /// <summary>Columns the error CSV adds; dropped on import, so a fixed error CSV can be uploaded as it is.</summary>
    public static readonly IReadOnlyList<string> ErrorColumns = ["import_error_line", "import_error_column", "import_error_reason"];

    private const int MaxErrorsKept = 100;
    private readonly ILogger logger = logger ?? (ILogger)NullLogger.Instance;

    public async Task<ImportResult> ImportFileAsync(string path, CsvImportOptions options, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(path))
        {
            throw new CsvImportRefusedException($"File not found: {path}");
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return await ImportAsync(stream, Path.GetFileName(path), options with { TotalBytes = options.TotalBytes ?? stream.Length }, progress, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ImportResult> ImportAsync(Stream stream, string fileName, CsvImportOptions options, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return await ImportCoreAsync(stream, fileName, options, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (CsvImportRefusedException e)
        {
            logger.ImportRefused(fileName, e.Message);
            throw;
        }
    }

    private async Task<ImportResult> ImportCoreAsync(Stream stream, string fileName, CsvImportOptions options, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        if (options.Delimiter is { } given && !CsvSniffer.Delimiters.Contains(given))
        {
            throw new CsvImportRefusedException($"Delimiter '{given}' is not supported: use comma, semicolon, tab or pipe.");
        }

        var normalizer = new PhoneNormalizer(options.DefaultRegion);
        var totalBytes = options.TotalBytes ?? (stream.CanSeek ? stream.Length - stream.Position : null);

        // Sniff: the first bytes decide text or binary, the encoding and the delimiter.
        var prefix = new byte[CsvSniffer.SampleBytes];
        var prefixLength = 0;
        while (prefixLength < prefix.Length)
        {
            var n = await stream.ReadAsync(prefix.AsMemory(prefixLength), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            prefixLength += n;
        }

        var complete = prefixLength < prefix.Length;
        if (prefix.AsSpan(0, prefixLength).Trim((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF, (byte)' ', (byte)'\r', (byte)'\n', (byte)'\t']).IsEmpty)
        {
            throw new CsvImportRefusedException($"{fileName} is empty.");
        }

        var encoding = CsvSniffer.DetectEncoding(prefix.AsSpan(0, prefixLength), complete);
        var delimiter = options.Delimiter ?? CsvSniffer.DetectDelimiter(encoding.GetString(prefix, 0, prefixLength).TrimStart('\uFEFF'));
        var source = new SniffedStream(prefix, prefixLength, stream);
        using var reader = new StreamReader(source, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);

        var rowState = new ParseState();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(),
            Mode = CsvMode.RFC4180,
            IgnoreBlankLines = true,
            BadDataFound = args =>
            {
                rowState.BadData = true;
                rowState.Unclosed |= args.Field.StartsWith('"');
            },
            MaxFieldSize = options.MaxFieldLength,
            BufferSize = 1 << 16,
            TrimOptions = TrimOptions.None,
        };
        using var parser = new CsvParser(reader, config);

        if (!parser.Read())
        {
            throw new CsvImportRefusedException($"{fileName} is empty.");
        }

        var header = BuildHeader(parser.Record ?? []);
        var phoneIndex = FindPhoneColumn(header, options.PhoneColumn, fileName);
        var fieldColumns = Enumerable.Range(0, header.Length).Where(i => i != phoneIndex && !ErrorColumns.Contains(header[i], StringComparer.OrdinalIgnoreCase)).ToArray();
        var lines = new LineCounter();
        lines.Advance(parser);

        // A header and nothing else is refused too: there would be nothing to import and nothing to report.
        var first = ReadRow(parser, header.Length, rowState, lines, fileName);
        if (first is null)
        {
            throw new CsvImportRefusedException($"{fileName} has a header but no rows.");
        }

        var blocked = await new DncRepository(database, time).LoadBlockedSetAsync(options.CampaignId, cancellationToken).ConfigureAwait(false);
        var started = time.GetUtcNow();
        await using var writer = await LeadImportWriter.OpenAsync(database, options.CampaignId, fileName, normalizer.DefaultRegion, options.Actor, started, cancellationToken).ConfigureAwait(false);
        var importId = writer.ImportId;
        logger.ImportStarted(importId, fileName, options.CampaignId, delimiter == '\t' ? "TAB" : delimiter.ToString(), encoding.WebName, header[phoneIndex]);

        var errorPath = options.ErrorCsvPath ?? Path.Combine(Path.GetDirectoryName(database.Path) ?? ".", "imports", $"import-{importId}-errors.csv");
        var job = new Job(options, normalizer, blocked, header, phoneIndex, fieldColumns, started);
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ordered = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Math.Max(2, options.ValidationWorkers * 2)) { SingleReader = true, SingleWriter = true });
        var work = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleWriter = true });

        var readerTask = Task.Factory.StartNew(
            () => ReadBatches(parser, first, header.Length, rowState, lines, options.BatchSize, ordered.Writer, work.Writer, fileName, stop.Token),
            stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        var workers = Enumerable.Range(0, options.ValidationWorkers)
            .Select(_ => Task.Run(() => ValidateBatches(job, work.Reader, stop.Token), stop.Token)).ToArray();

        var counts = new ImportCounts();
        var firstErrors = new List<RowError>();
        SafeCsvWriter? errors = null;
        var status = ImportStatus.Completed;
        string? message = null;
        var batchNumber = 0;
        var waiting = TimeSpan.Zero;
        var pending = new List<(string E164, string FieldsJson, string ZonesJson, long Line)>(options.BatchSize);
        var inserting = TimeSpan.Zero;
        try
        {
            await foreach (var batch in ordered.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                var waitStart = Stopwatch.GetTimestamp();
                await batch.Validated.Task.WaitAsync(stop.Token).ConfigureAwait(false);
                var insertStart = Stopwatch.GetTimestamp();
                waiting += Stopwatch.GetElapsedTime(waitStart, insertStart);
                batchNumber++;
                writer.BeginBatch();
                var imported = 0L;
                var duplicates = 0L;
                var blockedRows = 0L;
                var rejected = 0L;
                pending.Clear();
                foreach (var row in batch.Rows)
                {
                    if (row.Error is { } error)
                    {
                        rejected++;
                        errors ??= OpenErrorCsv(errorPath, header);
                        errors.WriteRow(ErrorRow(row, header.Length, error));
                        if (firstErrors.Count < MaxErrorsKept)
                        {
                            firstErrors.Add(error);
                        }
                    }
                    else if (!row.Blocked)
                    {
                        pending.Add((row.E164!, row.FieldsJson!, row.ZonesJson!, row.Line));
                    }
                    else if (writer.Insert(row.E164!, row.FieldsJson!, row.ZonesJson!, blocked: true, started, row.Line))
                    {
                        blockedRows++;
                        imported++;
                    }
                    else
                    {
                        duplicates++;
                    }
                }

                var inserted = writer.InsertPending(pending, started);
                imported += inserted;
                duplicates += pending.Count - inserted;
                errors?.Flush();
                inserting += Stopwatch.GetElapsedTime(insertStart);
                counts = counts with
                {
                    RowsRead = counts.RowsRead + batch.Rows.Count,
                    Imported = counts.Imported + imported,
                    Rejected = counts.Rejected + rejected,
                    Duplicates = counts.Duplicates + duplicates,
                    Blocked = counts.Blocked + blockedRows,
                    LastCommittedLine = batch.LastLine,
                };
                var n = batchNumber;
                await writer.CommitBatchAsync(counts, errors is null ? null : errorPath, options.BeforeCommit is { } hook ? () => hook(n) : null, stop.Token).ConfigureAwait(false);
                progress?.Report(Progress(importId, counts, source.BytesRead, totalBytes, clock.Elapsed));
                options.AfterCommit?.Invoke(n);
                if (batch.Fatal is { } fatal)
                {
                    status = ImportStatus.Failed;
                    message = fatal;
                    break;
                }
            }

            await readerTask.ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await writer.RollbackBatchAsync().ConfigureAwait(false);
            status = cancellationToken.IsCancellationRequested ? ImportStatus.Cancelled : ImportStatus.Failed;
            message = status == ImportStatus.Cancelled ? $"Cancelled after line {counts.LastCommittedLine}." : e.Message;
            logger.ImportFailed(e, importId, counts.LastCommittedLine, message);
            await SafeFinishAsync(writer, status, time.GetUtcNow(), message).ConfigureAwait(false);
            if (errors is not null)
            {
                await errors.DisposeAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(workers.Append(readerTask).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            throw;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        if (errors is not null)
        {
            await errors.DisposeAsync().ConfigureAwait(false);
        }

        await writer.FinishAsync(status, time.GetUtcNow(), message, CancellationToken.None).ConfigureAwait(false);
        logger.ImportFinished(importId, counts.RowsRead, counts.Imported, counts.Rejected, counts.Duplicates, counts.Blocked, clock.Elapsed.TotalSeconds);
        var final = Progress(importId, counts, source.BytesRead, totalBytes, clock.Elapsed);
        progress?.Report(final);
        return new ImportResult
        {
            ImportId = importId,
            Status = status,
            RowsRead = counts.RowsRead,
            Imported = counts.Imported,
            Rejected = counts.Rejected,
            Duplicates = counts.Duplicates,
            Blocked = counts.Blocked,
            LastCommittedLine = counts.LastCommittedLine,
            ErrorCsvPath = counts.Rejected > 0 ? errorPath : null,
            FirstErrors = firstErrors,
            Message = message,
            Delimiter = delimiter,
            EncodingName = encoding.WebName,
            PhoneColumn = header[phoneIndex],
            Elapsed = clock.Elapsed,
            WriterWaited = waiting,
            WriterInserting = inserting,
        };
    }

    private static async Task SafeFinishAsync(LeadImportWriter writer, ImportStatus status, DateTimeOffset now, string message)
    {
        try
        {
            await writer.FinishAsync(status, now, message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // The record keeps status 'running' with its last committed line: still the truth about what is stored.
        }
    }

    private static ImportProgress Progress(long importId, ImportCounts counts, long bytes, long? total, TimeSpan elapsed) => new()
    {
        ImportId = importId,
        RowsRead = counts.RowsRead,
        Imported = counts.Imported,
        Rejected = counts.Rejected,
        Duplicates = counts.Duplicates,
        Blocked = counts.Blocked,
        BytesRead = total is { } t ? Math.Min(bytes, t) : bytes,
        TotalBytes = total,
        Elapsed = elapsed,
    };

    private static SafeCsvWriter OpenErrorCsv(string path, string[] header)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var writer = new SafeCsvWriter(new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)));
        writer.WriteRow(header.Where(h => !ErrorColumns.Contains(h, StringComparer.OrdinalIgnoreCase)).Concat(ErrorColumns));
        return writer;
    }

    private static IEnumerable<string?> ErrorRow(Row row, int headerLength, RowError error)
    {
        var cells = row.Cells;
        for (var i = 0; i < headerLength; i++)
        {
            yield return i < cells.Length ? cells[i] : "";
        }

        yield return error.Line.ToString(CultureInfo.InvariantCulture);
        yield return error.Column;
        yield return error.Reason;
    }

    private static string[] BuildHeader(string[] raw)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var header = new string[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            var name = raw[i].Trim().TrimStart('\uFEFF');
            if (name.Length == 0)
            {
                name = $"column{i + 1}";
            }

            var unique = name;
            for (var k = 2; !seen.Add(unique); k++)
            {
                unique = $"{name}_{k}";
            }

            header[i] = unique;
        }

        return header;
    }

    private static int FindPhoneColumn(string[] header, string? given, string fileName)
    {
        if (given is not null)
        {
            var index = Array.FindIndex(header, h => string.Equals(h, given.Trim(), StringComparison.OrdinalIgnoreCase));
            return index >= 0
                ? index
                : throw new CsvImportRefusedException($"{fileName} has no column '{given}'; its columns are: {string.Join(", ", header)}.");
        }

        var guessed = CsvSniffer.GuessPhoneColumn(header);
        return guessed >= 0 ? guessed : throw new CsvImportRefusedException(
            $"{fileName} has no phone column: none of its columns ({string.Join(", ", header)}) is named like a phone number (phone, number, mobile, tel, ...). Name the column to use.");
    }

    private static Row? ReadRow(CsvParser parser, int headerLength, ParseState state, LineCounter lines, string fileName)
    {
        while (true)
        {
            state.BadData = false;
            state.Unclosed = false;
            bool more;
            try
            {
                more = parser.Read();
            }
            catch (CsvHelperException e) when (e is MaxFieldSizeException or ParserException)
            {
                throw new CsvBrokenException($"line {lines.Next}: a field is longer than the limit or the quoting is broken beyond repair (an unclosed quote?); stopped there.", e);
            }

            if (!more)
            {
                return null;
            }

            // Fields are decoded (and bad data reported) when the record is fetched, so fetch it first.
            var cells = parser.Record ?? [];
            var line = lines.Advance(parser, state.Unclosed);
            if (cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            var row = new Row(line, cells);
            if (state.Unclosed)
            {
                row.Error = new RowError(line, "", "unclosed quote: the field runs to the end of the file");
            }
            else if (state.BadData)
            {
                row.Error = new RowError(line, "", "bad quoting: a quote inside an unquoted field (quote the whole field and double the inner quotes)");
            }
            else if (cells.Length > headerLength)
            {
                row.Error = new RowError(line, $"column {headerLength + 1}", $"{cells.Length} cells but the header has {headerLength}");
            }

            return row;
        }
    }

    private static async Task ReadBatches(CsvParser parser, Row first, int headerLength, ParseState state, LineCounter lines, int batchSize, ChannelWriter<Batch> ordered, ChannelWriter<Batch> work, string fileName, CancellationToken cancellationToken)
    {
        try
        {
            var batch = new Batch(batchSize);
            batch.Add(first);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Row? row;
                try
                {
                    row = ReadRow(parser, headerLength, state, lines, fileName);
                }
                catch (CsvBrokenException e)
                {
                    batch.Fatal = e.Message;
                    await Post(batch).ConfigureAwait(false);
                    break;
                }

                if (row is null)
                {
                    if (batch.Rows.Count > 0)
                    {
                        await Post(batch).ConfigureAwait(false);
                    }

                    break;
                }

                batch.Add(row);
                if (batch.Rows.Count >= batchSize)
                {
                    await Post(batch).ConfigureAwait(false);
                    batch = new Batch(batchSize);
                }
            }

            ordered.TryComplete();
            work.TryComplete();
        }
        catch (Exception e)
        {
            ordered.TryComplete(e);
            work.TryComplete(e);
            throw;
        }

        async Task Post(Batch b)
        {
            // Ordered first: its bound is the back-pressure that keeps memory flat whatever the file size.
            await ordered.WriteAsync(b, cancellationToken).ConfigureAwait(false);
            work.TryWrite(b);
        }
    }

    private static async Task ValidateBatches(Job job, ChannelReader<Batch> work, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var json = new Utf8JsonWriter(buffer);
        await foreach (var batch in work.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                foreach (var row in batch.Rows)
                {
                    if (row.Error is null)
                    {
                        Validate(job, row, buffer, json);
                    }
                }

                batch.Validated.TrySetResult();
            }
            catch (Exception e)
            {
                batch.Validated.TrySetException(e);
                throw;
            }
        }
    }

    private static void Validate(Job job, Row row, ArrayBufferWriter<byte> buffer, Utf8JsonWriter json)
    {
        var cells = row.Cells;
        var raw = job.PhoneIndex < cells.Length ? cells[job.PhoneIndex] : "";
        var check = job.Normalizer.Normalize(raw);
        if (!check.IsValid)
        {
            row.Error = new RowError(row.Line, job.Header[job.PhoneIndex], check.Message!);
            return;
        }

        row.E164 = check.E164;
        row.Blocked = job.Blocked.Contains(check.E164!);
        row.ZonesJson = job.ZonesJson(check.TimeZones);

        buffer.ResetWrittenCount();
        json.Reset(buffer);
        json.WriteStartObject();
        foreach (var i in job.FieldColumns)
        {
            json.WriteString(job.Header[i], i < cells.Length ? UnNeutralise(cells[i]) : "");
        }

        json.WriteEndObject();
        json.Flush();
        row.FieldsJson = Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Undoes <see cref="SafeCsvWriter.Neutralise"/>: a ' before = + - @ was put there by our export.</summary>
    internal static string UnNeutralise(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && cell[1] is '=' or '+' or '-' or '@' or '\t' or '\r' ? cell[1..] : cell;

    private sealed class ParseState
    {
        public bool BadData { get; set; }

        /// <summary>A quoted field never closed: it ran to the end of the file.</summary>
        public bool Unclosed { get; set; }
    }

    /// <summary>Physical line numbers: the line a record starts on, counting blank lines and newlines inside quotes.</summary>
    private sealed class LineCounter
    {
        private long linesSeen;

        public long Next => linesSeen + 1;

        public long Advance(CsvParser parser, bool unclosedAtEnd = false)
        {
            // RawRow is the count of physical lines read up to the end of this record.
            var raw = parser.RawRecord;
            var newlines = 0;
            foreach (var c in raw)
            {
                if (c == '\n')
                {
                    newlines++;
                }
            }

            var endsWithNewline = raw.Length > 0 && raw[^1] == '\n';
            var recordLines = newlines + (endsWithNewline ? 0 : 1);
            // CsvHelper counts one line more when end of file comes inside quotes.
            var start = parser.RawRow - recordLines + (unclosedAtEnd ? 0 : 1);
            var first = linesSeen + 1;
            linesSeen = parser.RawRow;
            return Math.Max(first, start);
        }
    }

    private sealed class CsvBrokenException(string message, Exception inner) : Exception(message, inner);

    private sealed class Job(CsvImportOptions options, PhoneNormalizer normalizer, HashSet<string> blocked, string[] header, int phoneIndex, int[] fieldColumns, DateTimeOffset started)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<IReadOnlyList<string>, string> zonesJson = new(ReferenceEqualityComparer.Instance);

        public CsvImportOptions Options => options;
        public PhoneNormalizer Normalizer => normalizer;
        public HashSet<string> Blocked => blocked;
        public string[] Header => header;
        public int PhoneIndex => phoneIndex;
        public int[] FieldColumns => fieldColumns;
        public DateTimeOffset Started => started;

        // Zone lists are interned by the normaliser, so their JSON is made once per list.
        public string ZonesJson(IReadOnlyList<string> zones) =>
            zonesJson.GetOrAdd(zones, static z => JsonSerializer.Serialize(z.ToList(), DataJson.Default.ListString));
    }

    private sealed class Batch(int capacity)
    {
        public List<Row> Rows { get; } = new(capacity);
        public TaskCompletionSource Validated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long LastLine { get; private set; }
        public string? Fatal { get; set; }

        public void Add(Row row)
        {
            Rows.Add(row);
            LastLine = row.Line;
        }
    }

    private sealed class Row(long line, string[] cells)
    {
        public long Line { get; } = line;
        public string[] Cells { get; } = cells;
        public RowError? Error { get; set; }
        public string? E164 { get; set; }
        public string? FieldsJson { get; set; }
        public string? ZonesJson { get; set; }
        public bool Blocked { get; set; }
    }
}
