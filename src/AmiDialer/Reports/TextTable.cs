using System.Globalization;
using System.Text;

namespace AmiDialer.Reports;

/// <summary>A plain-text table for terminals: padded columns, numbers right-aligned, a rule under the header.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public int RowCount => rows.Count;

    public TextTable Add(params object?[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        rows.Add(cells.Select(Format).ToArray());
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var numeric = headers.Select((_, i) => rows.Count > 0 && rows.All(r => r[i].Length == 0 || IsNumber(r[i]))).ToArray();
        var text = new StringBuilder();
        AppendRow(text, headers, widths, numeric);
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))).TrimEnd());
        foreach (var row in rows)
        {
            AppendRow(text, row, widths, numeric);
        }

        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths, bool[] numeric)
    {
        var line = string.Join("  ", cells.Select((c, i) => numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i])));
        text.AppendLine(line.TrimEnd());
    }

    private static bool IsNumber(string cell) =>
        double.TryParse(cell.TrimEnd('%', 's').Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string Format(object? cell) => cell switch
    {
        null => "",
        double d => d.ToString("0.##", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        // Control characters from a lead field must not move the cursor or rewrite the terminal.
        _ => Sanitize(cell.ToString() ?? ""),
    };

    private static string Sanitize(string text) =>
        text.Any(char.IsControl) ? new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()) : text;
}
