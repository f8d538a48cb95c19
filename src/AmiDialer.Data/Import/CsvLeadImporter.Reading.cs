using System.Globalization;
using System.Threading.Channels;
using CsvHelper;

namespace AmiDialer.Data.Import;

public sealed partial class CsvLeadImporter
{
    /// <summary>Rows handed between threads at a time: enough to make a hand-over cheap, few enough to keep memory flat.</summary>
    private const int ChunkRows = 1000;

    private const string BrokenField = "a field is longer than the limit or the quoting is broken beyond repair (an unclosed quote?); stopped there.";

    private static bool ReadHeader(CsvParser parser, string fileName)
    {
        try
        {
            return parser.Read() && parser.Record is not null;
        }
        catch (CsvHelperException e) when (e is MaxFieldSizeException or ParserException)
        {
            throw new CsvImportRefusedException($"{fileName}, line 1 (the header): {BrokenField}");
        }
    }

    private static Row? ReadRow(CsvParser parser, int headerLength, ParseState state, LineCounter lines)
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
                throw new CsvBrokenException($"line {lines.Next}: {BrokenField}", e);
            }

            if (!more)
            {
                return null;
            }

            // Fields are decoded (and bad data reported) when the record is fetched, so fetch it first.
            var cells = parser.Record ?? [];
            var line = lines.Advance(parser, state.Unclosed);
            if (AllBlank(cells))
            {
                continue;
            }

            var row = new Row(line, cells);
            if (state.Unclosed)
            {
                row.Error = new RowError(line, "", "unclosed quote: the field runs to the end of the file") { Value = Start(parser.RawRecord) };
            }
            else if (state.BadData)
            {
                row.Error = new RowError(line, "", "bad quoting: a quote inside an unquoted field (quote the whole field and double the inner quotes)") { Value = Start(parser.RawRecord) };
            }
            else if (cells.Length > headerLength)
            {
                // The error CSV keeps the extra cells (after its error columns); the summary shows them as the bad value.
                row.Error = new RowError(line, (headerLength + 1).ToString(CultureInfo.InvariantCulture), $"{cells.Length} cells but the header has {headerLength}")
                {
                    Value = string.Join(" | ", cells.Skip(headerLength)),
                };
            }

            return row;
        }
    }

    /// <summary>The start of a raw record, to show where a quoting error is (an unclosed quote may run to the end of the file).</summary>
    private static string? Start(string? raw)
    {
        var text = raw?.TrimEnd('\r', '\n');
        return text is { Length: > 120 } ? text[..120] + "…" : text;
    }

    private static bool AllBlank(string[] cells)
    {
        foreach (var cell in cells)
        {
            if (!string.IsNullOrWhiteSpace(cell))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task ReadChunks(CsvParser parser, Row first, int headerLength, ParseState state, LineCounter lines, ChannelWriter<Chunk> ordered, ChannelWriter<Chunk> work, CancellationToken cancellationToken)
    {
        try
        {
            var chunk = new Chunk();
            chunk.Rows.Add(first);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Row? row;
                try
                {
                    row = ReadRow(parser, headerLength, state, lines);
                }
                catch (CsvBrokenException e)
                {
                    chunk.Fatal = e.Message;
                    await Post(chunk).ConfigureAwait(false);
                    break;
                }

                if (row is null)
                {
                    if (chunk.Rows.Count > 0)
                    {
                        await Post(chunk).ConfigureAwait(false);
                    }

                    break;
                }

                chunk.Rows.Add(row);
                if (chunk.Rows.Count >= ChunkRows)
                {
                    await Post(chunk).ConfigureAwait(false);
                    chunk = new Chunk();
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

        async Task Post(Chunk c)
        {
            // Ordered first: its bound is the back-pressure that keeps memory flat whatever the file size.
            await ordered.WriteAsync(c, cancellationToken).ConfigureAwait(false);
            work.TryWrite(c);
        }
    }

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
            if (!unclosedAtEnd && parser.RawRow == linesSeen + 1)
            {
                // One record on one line, the usual case: no need for the raw text (a string per row).
                linesSeen = parser.RawRow;
                return linesSeen;
            }

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
}
