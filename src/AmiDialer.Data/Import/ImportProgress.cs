namespace AmiDialer.Data.Import;

/// <summary>Reported after every committed batch: what the CLI progress bar and the web page show.</summary>
public sealed record ImportProgress
{
    public long ImportId { get; init; }
    public long RowsRead { get; init; }
    public long Imported { get; init; }
    public long Rejected { get; init; }
    public long Duplicates { get; init; }
    public long Blocked { get; init; }
    public long BytesRead { get; init; }
    public long? TotalBytes { get; init; }
    public TimeSpan Elapsed { get; init; }
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? RowsRead / Elapsed.TotalSeconds : 0;

    /// <summary>0-100, null when the size is unknown.</summary>
    public double? Percent => TotalBytes is > 0 ? Math.Min(100, 100.0 * BytesRead / TotalBytes.Value) : null;
}

/// <summary>One rejected row: where and why.</summary>
/// <param name="Line">The file's line (1 is the header).</param>
/// <param name="Column">
/// The column as a person finds it: its header name ("phone"), or its position ("4") for a cell beyond the header;
/// empty when the row as a whole is wrong (quoting). Never "column 4": callers word it.
/// </param>
/// <param name="Reason">Why, in a few words.</param>
public sealed record RowError(long Line, string Column, string Reason)
{
    /// <summary>The bad cell as uploaded (the extra cells, for a row with too many; the start of the record, for bad quoting); null when unknown.</summary>
    public string? Value { get; init; }

    /// <summary>"line 7, column 4: ..." or "line 9: ..." when no one column is at fault.</summary>
    public override string ToString() => Column.Length == 0
        ? $"line {Line}: {Reason}"
        : $"line {Line}, column {(int.TryParse(Column, System.Globalization.CultureInfo.InvariantCulture, out _) ? Column : $"'{Column}'")}: {Reason}";
}

/// <summary>What an import did.</summary>
public sealed record ImportResult
{
    public long ImportId { get; init; }
    public Repositories.ImportStatus Status { get; init; }
    public long RowsRead { get; init; }
    public long Imported { get; init; }
    public long Rejected { get; init; }
    public long Duplicates { get; init; }
    public long Blocked { get; init; }
    public long LastCommittedLine { get; init; }

    /// <summary>The error CSV (rejected rows with line, column and reason), or null when no row was rejected.</summary>
    public string? ErrorCsvPath { get; init; }

    /// <summary>The first rejected rows (at most 100), for a quick look without opening the error CSV.</summary>
    public IReadOnlyList<RowError> FirstErrors { get; init; } = [];

    /// <summary>Why the import stopped early, when it did.</summary>
    public string? Message { get; init; }

    public char Delimiter { get; init; }
    public string EncodingName { get; init; } = "";
    public string PhoneColumn { get; init; } = "";
    public TimeSpan Elapsed { get; init; }

    /// <summary>Diagnostics for the benchmark: how long the writer waited for validation, and spent inserting.</summary>
    internal TimeSpan WriterWaited { get; init; }

    internal TimeSpan WriterInserting { get; init; }

    /// <summary>Of which: opening batches (waiting for the WAL to start over) and committing them.</summary>
    internal TimeSpan WriterBeginning { get; init; }

    internal TimeSpan WriterCommitting { get; init; }
}

/// <summary>The file is not a usable CSV (binary, empty, no phone column...): nothing was written.</summary>
public sealed class CsvImportRefusedException(string message) : Exception(message);
