using Spectre.Console;
using Spectre.Console.Rendering;

namespace AmiDialer.Reports;

/// <summary>
/// A border of nothing but a dashed rule under the header, each column's dashes as wide as the column and two
/// spaces apart: the plain layout the CLI printed before Spectre.Console drew its tables, kept for scripts.
/// </summary>
internal sealed class PlainTableBorder : TableBorder
{
    public static readonly PlainTableBorder Instance = new();

    public override string GetPart(TableBorderPart part) => part == TableBorderPart.HeaderBottom ? "-" : "";

    public override string GetColumnRow(TablePart part, IReadOnlyList<int> widths, IReadOnlyList<IColumn> columns) =>
        part == TablePart.HeaderSeparator ? string.Join(TextTable.PlainGap, widths.Select(w => new string('-', w))) : "";
}
