using System.Text;
using System.Text.RegularExpressions;

namespace AmiDialer.Data.Export;

/// <summary>
/// Writes CSV that is safe to open in a spreadsheet: a cell starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>
/// (or a tab or carriage return) gets a leading <c>'</c> so it is shown as text, never run as a formula; cells that
/// are plainly phone numbers (<c>^\+?\d{7,15}$</c>) stay as they are. The importer strips that <c>'</c> again, so an
/// exported file can be fixed and uploaded back. Fields are quoted per RFC 4180 when needed.
/// </summary>
public sealed partial class SafeCsvWriter(TextWriter writer, char delimiter = ',') : IDisposable, IAsyncDisposable
{
    private readonly StringBuilder line = new();

    public static string Neutralise(string? cell)
    {
        if (string.IsNullOrEmpty(cell))
        {
            return "";
        }

        if (cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !PlainPhoneNumber().IsMatch(cell))
        {
            return "'" + cell;
        }

        return cell;
    }

    public void WriteRow(IEnumerable<string?> cells)
    {
        Format(cells);
        writer.Write(line);
    }

    /// <summary>
    /// Writes the row without blocking: over a response stream that refuses synchronous writes (Kestrel's default),
    /// only this and <see cref="DisposeAsync"/> may be used.
    /// </summary>
    public Task WriteRowAsync(IEnumerable<string?> cells, CancellationToken cancellationToken = default)
    {
        Format(cells);
        return writer.WriteAsync(line, cancellationToken);
    }

    public void Flush() => writer.Flush();

    public void Dispose() => writer.Dispose();

    public ValueTask DisposeAsync() => writer.DisposeAsync();

    private void Format(IEnumerable<string?> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        line.Clear();
        var first = true;
        foreach (var cell in cells)
        {
            if (!first)
            {
                line.Append(delimiter);
            }

            first = false;
            AppendQuoted(Neutralise(cell));
        }

        line.Append("\r\n");
    }

    private void AppendQuoted(string cell)
    {
        var needsQuotes = cell.Length > 0 && (cell.Contains(delimiter) || cell.Contains('"') || cell.Contains('\n') || cell.Contains('\r') || cell[0] == ' ' || cell[^1] == ' ');
        if (!needsQuotes)
        {
            line.Append(cell);
            return;
        }

        line.Append('"').Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    [GeneratedRegex(@"^\+?\d{7,15}$")]
    private static partial Regex PlainPhoneNumber();
}
