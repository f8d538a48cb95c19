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
/// A file that is not a usable CSV is refused before anything is written. The store is SQLite's file or a PostgreSQL
/// database (<see cref="ILeadImportStore"/>), each writing the rows its own way with the same counts and promises.
/// </summary>
public sealed partial class CsvLeadImporter
{
    private readonly ILeadImportStore store;
    private readonly TimeProvider time;

    /// <summary>Imports into the store <paramref name="database"/> opened: SQLite's writer, or PostgreSQL's COPY (error CSVs beside Database:Path either way).</summary>
    public CsvLeadImporter(AmiDialerDatabase database, TimeProvider time, ILogger<CsvLeadImporter>? logger = null)
        : this(StoreOf(database, time), time, logger)
    {
    }

    private static ILeadImportStore StoreOf(AmiDialerDatabase database, TimeProvider time) =>
        database.DataSource is { } postgres
            ? new PostgresLeadImportStore(postgres, Path.Combine(Path.GetDirectoryName(database.Path) ?? ".", "imports"), time)
            : new SqliteLeadImportStore(database, time);

    /// <summary>Imports into PostgreSQL; error CSVs go to <paramref name="errorFolder"/> (<c>import-&lt;id&gt;-errors.csv</c>).</summary>
    public CsvLeadImporter(Npgsql.NpgsqlDataSource dataSource, string errorFolder, TimeProvider time, ILogger<CsvLeadImporter>? logger = null)
        : this(new PostgresLeadImportStore(dataSource, errorFolder, time), time, logger)
    {
    }

    private CsvLeadImporter(ILeadImportStore store, TimeProvider time, ILogger<CsvLeadImporter>? logger)
    {
        this.store = store;
        this.time = time;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Header names taken for the phone column, in order of preference (compared without case, spaces, _ or -).</summary>
    public static readonly IReadOnlyList<string> PhoneColumnNames =
        ["phone", "phonenumber", "number", "mobile", "mobilephone", "mobilenumber", "cell", "cellphone", "tel", "telephone", "msisdn", "e164", "telefon", "telefono", "numero"];

    /// <summary>Columns the error CSV adds; dropped on import, so a fixed error CSV can be uploaded as it is.</summary>
    public static readonly IReadOnlyList<string> ErrorColumns = ["import_error_line", "import_error_column", "import_error_reason"];

    private const int MaxErrorsKept = 100;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private readonly ILogger logger;

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

        var encoding = await EncodingScan.DetectAsync(stream, prefix.AsMemory(0, prefixLength), complete, cancellationToken).ConfigureAwait(false);
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

        if (!ReadHeader(parser, fileName))
        {
            throw new CsvImportRefusedException($"{fileName} is empty.");
        }

        var header = BuildHeader(parser.Record ?? []);
        var phoneIndex = FindPhoneColumn(header, options.PhoneColumn, fileName);
        var fieldColumns = Enumerable.Range(0, header.Length).Where(i => i != phoneIndex && !ErrorColumns.Contains(header[i], StringComparer.OrdinalIgnoreCase)).ToArray();
        var lines = new LineCounter();
        lines.Advance(parser);

        // A header and nothing else is refused too: there would be nothing to import and nothing to report.
        Row? first;
        try
        {
            first = ReadRow(parser, header.Length, rowState, lines);
        }
        catch (CsvBrokenException e)
        {
            // Nothing is written yet: the file is refused as a whole, naming the line.
            throw new CsvImportRefusedException($"{fileName}, {e.Message}");
        }

        if (first is null)
        {
            throw new CsvImportRefusedException($"{fileName} has a header but no rows.");
        }

        var blocked = await store.LoadBlockedSetAsync(options.CampaignId, cancellationToken).ConfigureAwait(false);
        var started = time.GetUtcNow();
        await using var writer = await store.OpenWriterAsync(
            new LeadImportTarget(options.CampaignId, fileName, normalizer.DefaultRegion, options.Actor, started, options.WalSettleRows)
            {
                ExpectedRows = ExpectedRows(prefix.AsSpan(0, prefixLength), complete, totalBytes),
            },
            cancellationToken).ConfigureAwait(false);
        var importId = writer.ImportId;
        logger.ImportStarted(importId, fileName, options.CampaignId, delimiter == '\t' ? "TAB" : delimiter.ToString(), encoding.WebName, header[phoneIndex]);

        var errorPath = options.ErrorCsvPath ?? Path.Combine(store.ErrorFolder, $"import-{importId}-errors.csv");
        var job = new Job(normalizer, blocked, header, phoneIndex, fieldColumns);
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Chunks are the unit of work between threads, batches the unit of commit: small chunks keep every core
        // busy and memory flat, while a batch can be as large as the commit cost asks for.
        var ordered = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(Math.Max(4, options.ValidationWorkers * 4)) { SingleReader = true, SingleWriter = true });
        var work = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleWriter = true });
        var readerTask = Task.Factory.StartNew(
            () => ReadChunks(parser, first, header.Length, rowState, lines, ordered.Writer, work.Writer, stop.Token),
            stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        var workers = Enumerable.Range(0, options.ValidationWorkers)
            .Select(_ => Task.Run(() => ValidateChunks(job, work.Reader, stop.Token), stop.Token)).ToArray();

        var totals = new ImportCounts();
        var committed = totals;
        var firstErrors = new List<RowError>();
        SafeCsvWriter? errors = null;
        var status = ImportStatus.Completed;
        string? message = null;
        var batchNumber = 0;
        var batchRows = 0;
        // Rows handed to the writer in the open batch: what it did not add were duplicates (counted at the commit where
        // the store only knows then, and corrected there where it knew at once).
        var batchAccepted = 0L;
        var waiting = TimeSpan.Zero;
        var inserting = TimeSpan.Zero;
        var beginning = TimeSpan.Zero;
        var committing = TimeSpan.Zero;
        var nextProgress = ProgressInterval;
        try
        {
            await foreach (var chunk in ordered.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                var waitStart = Stopwatch.GetTimestamp();
                await chunk.Validated.Task.WaitAsync(stop.Token).ConfigureAwait(false);
                var insertStart = Stopwatch.GetTimestamp();
                waiting += Stopwatch.GetElapsedTime(waitStart, insertStart);
                long read = totals.RowsRead, imported = totals.Imported, rejected = totals.Rejected, duplicates = totals.Duplicates, blockedRows = totals.Blocked;
                var lastLine = totals.LastCommittedLine;
                for (var i = 0; i < chunk.Rows.Count; i++)
                {
                    if (batchRows == 0)
                    {
                        var beginStart = Stopwatch.GetTimestamp();
                        await writer.BeginBatchAsync(read).ConfigureAwait(false);
                        beginning += Stopwatch.GetElapsedTime(beginStart);
                        batchNumber++;
                    }

                    var row = chunk.Rows[i];
                    if (row.Error is { } error)
                    {
                        rejected++;
                        errors ??= OpenErrorCsv(errorPath, header);
                        errors.WriteRow(ErrorRow(row, header, error));
                        if (firstErrors.Count < MaxErrorsKept)
                        {
                            firstErrors.Add(error);
                        }
                    }
                    else if (writer.Add(chunk.Bytes.Slice(row.PhoneStart, row.PhoneLength), chunk.Bytes.Slice(row.FieldsStart, row.FieldsLength), row.ZonesJson, row.Blocked, row.Line) is false)
                    {
                        batchAccepted++;
                        duplicates++;
                    }
                    else
                    {
                        // Not known yet on a store that learns it at the commit: counted new until then.
                        batchAccepted++;
                        imported++;
                        blockedRows += row.Blocked ? 1 : 0;
                    }

                    read++;
                    lastLine = row.Line;
                    if (++batchRows == options.BatchSize)
                    {
                        totals = new ImportCounts { RowsRead = read, Imported = imported, Rejected = rejected, Duplicates = duplicates, Blocked = blockedRows, LastCommittedLine = lastLine };
                        await writer.FlushAsync(stop.Token).ConfigureAwait(false);
                        await CommitAsync().ConfigureAwait(false);
                        (imported, duplicates, blockedRows) = (totals.Imported, totals.Duplicates, totals.Blocked);
                    }
                }

                totals = new ImportCounts { RowsRead = read, Imported = imported, Rejected = rejected, Duplicates = duplicates, Blocked = blockedRows, LastCommittedLine = lastLine };
                // Before the buffer goes back to the pool: a writer may hold the rows until here.
                await writer.FlushAsync(stop.Token).ConfigureAwait(false);
                chunk.Release();
                if (chunk.Fatal is { } fatal)
                {
                    if (batchRows > 0)
                    {
                        await CommitAsync().ConfigureAwait(false);
                    }

                    status = ImportStatus.Failed;
                    message = fatal;
                    break;
                }

                inserting += Stopwatch.GetElapsedTime(insertStart);
                if (clock.Elapsed >= nextProgress)
                {
                    // Between commits too, so a large batch does not freeze the progress bar.
                    progress?.Report(Progress(importId, totals, source.BytesRead, totalBytes, clock.Elapsed));
                    nextProgress = clock.Elapsed + ProgressInterval;
                }
            }

            if (batchRows > 0)
            {
                await CommitAsync().ConfigureAwait(false);
            }

            await readerTask.ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await writer.RollbackBatchAsync().ConfigureAwait(false);
            status = cancellationToken.IsCancellationRequested ? ImportStatus.Cancelled : ImportStatus.Failed;
            message = status == ImportStatus.Cancelled ? $"Cancelled after line {committed.LastCommittedLine}." : e.Message;
            logger.ImportFailed(e, importId, committed.LastCommittedLine, message);
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
        logger.ImportFinished(importId, committed.RowsRead, committed.Imported, committed.Rejected, committed.Duplicates, committed.Blocked, clock.Elapsed.TotalSeconds);
        var final = Progress(importId, committed, source.BytesRead, totalBytes, clock.Elapsed);
        progress?.Report(final);
        return new ImportResult
        {
            ImportId = importId,
            Status = status,
            RowsRead = committed.RowsRead,
            Imported = committed.Imported,
            Rejected = committed.Rejected,
            Duplicates = committed.Duplicates,
            Blocked = committed.Blocked,
            LastCommittedLine = committed.LastCommittedLine,
            ErrorCsvPath = committed.Rejected > 0 ? errorPath : null,
            FirstErrors = firstErrors,
            Message = message,
            Delimiter = delimiter,
            EncodingName = encoding.WebName,
            PhoneColumn = header[phoneIndex],
            Elapsed = clock.Elapsed,
            WriterWaited = waiting,
            WriterInserting = inserting,
            WriterBeginning = beginning,
            WriterCommitting = committing,
        };

        // Commits the open batch with the totals up to its last row; the counters of what follows start from them.
        async Task CommitAsync()
        {
            errors?.Flush();
            var n = batchNumber;
            var commitStart = Stopwatch.GetTimestamp();
            var before = committed;
            var accepted = batchAccepted;
            var counted = totals;
            await writer.CommitBatchAsync(
                written => totals = counted with
                {
                    Imported = before.Imported + written.Imported,
                    Duplicates = before.Duplicates + (accepted - written.Imported),
                    Blocked = before.Blocked + written.Blocked,
                },
                errors is null ? null : errorPath, options.BeforeCommit is { } hook ? () => hook(n) : null, stop.Token).ConfigureAwait(false);
            batchAccepted = 0;
            committing += Stopwatch.GetElapsedTime(commitStart);
            DataMetrics.ImportCommitted(committed, totals);
            committed = totals;
            batchRows = 0;
            progress?.Report(Progress(importId, committed, source.BytesRead, totalBytes, clock.Elapsed));
            nextProgress = clock.Elapsed + ProgressInterval;
            options.AfterCommit?.Invoke(n);
            if (options.AfterCommitAsync is { } afterCommit)
            {
                await afterCommit(n).ConfigureAwait(false);
            }

            stop.Token.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// The file's rows as its first bytes' lines suggest, for a writer to size what it keeps per row; 0 for a file read
    /// whole in those bytes or of unknown size. At most <see cref="MaxExpectedRows"/>, so a wrong guess costs little.
    /// </summary>
    internal static int ExpectedRows(ReadOnlySpan<byte> prefix, bool complete, long? totalBytes)
    {
        var lines = prefix.Count((byte)'\n');
        if (complete || totalBytes is not { } total || lines == 0)
        {
            return 0;
        }

        return (int)Math.Min(MaxExpectedRows, total * lines / prefix.Length);
    }

    private const long MaxExpectedRows = 4_000_000;

    private async Task SafeFinishAsync(ILeadImportWriter writer, ImportStatus status, DateTimeOffset now, string message)
    {
        try
        {
            await writer.FinishAsync(status, now, message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (store.IsStoreError(e))
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

    /// <summary>
    /// The rejected row as uploaded, under the error CSV's header (the file's columns but earlier error columns, then
    /// line, column and reason); cells beyond the header follow the reason, so a row with too many keeps them all.
    /// </summary>
    private static IEnumerable<string?> ErrorRow(Row row, string[] header, RowError error)
    {
        var cells = row.Cells;
        for (var i = 0; i < header.Length; i++)
        {
            if (!ErrorColumns.Contains(header[i], StringComparer.OrdinalIgnoreCase))
            {
                yield return i < cells.Length ? cells[i] : "";
            }
        }

        yield return error.Line.ToString(CultureInfo.InvariantCulture);
        yield return error.Column;
        yield return error.Reason;
        for (var i = header.Length; i < cells.Length; i++)
        {
            yield return cells[i];
        }
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

    /// <summary>Undoes <see cref="SafeCsvWriter.Neutralise"/>: a ' before = + - @ was put there by our export.</summary>
    internal static string UnNeutralise(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && cell[1] is '=' or '+' or '-' or '@' or '\t' or '\r' ? cell[1..] : cell;
}
