using System.Globalization;
using Spectre.Console;

namespace AmiDialer.Reports;

/// <summary>
/// A table of the CLI's output, drawn by Spectre.Console in a <see cref="TableStyle"/>: boxed for a terminal,
/// padded columns for a pipe. Numeric columns are right-aligned in both.
/// </summary>
public sealed class TextTable(params string[] headers)
{
    /// <summary>What separates plain columns.</summary>
    internal const string PlainGap = "  ";

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

    /// <summary>The plain form.</summary>
    public override string ToString() => Render(TableStyle.Plain);

    public string Render(TableStyle style)
    {
        ArgumentNullException.ThrowIfNull(style);
        var table = new Table { Border = style.Terminal ? TableBorder.Rounded : PlainTableBorder.Instance };
        var header = style.Terminal ? new Style(decoration: Decoration.Bold) : Style.Plain;
        for (var i = 0; i < headers.Length; i++)
        {
            var column = new TableColumn(new Text(headers[i], header));
            if (!style.Terminal)
            {
                column.Padding(0, 0, i < headers.Length - 1 ? PlainGap.Length : 0, 0);
            }

            var index = i;
            if (rows.Count > 0 && rows.All(r => r[index].Length == 0 || IsNumber(r[index])))
            {
                column.RightAligned();
            }

            table.AddColumn(column);
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(c => new Text(c)));
        }

        var text = style.Render(table);
        // Spectre.Console pads every cell to its column's width; a plain line ends at its last character.
        return style.Terminal ? text : TrimLineEnds(text);
    }

    private static string TrimLineEnds(string text)
    {
        var lines = text.Split('\n');
        var result = new System.Text.StringBuilder(text.Length);
        foreach (var line in lines.Take(lines.Length - (lines[^1].Length == 0 ? 1 : 0)))
        {
            result.AppendLine(line.TrimEnd());
        }

        return result.ToString();
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
