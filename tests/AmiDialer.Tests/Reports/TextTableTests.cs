using AmiDialer.Reports;

namespace AmiDialer.Tests.Reports;

public sealed class TextTableTests
{
    private static TextTable Sample() => new TextTable("outcome", "leads", "note")
        .Add("answered", 12, "first [try]")
        .Add("no-answer", 1234567, null);

    [Fact]
    public void Plain_columns_are_padded_numbers_right_aligned_and_lines_end_at_their_text()
    {
        Assert.Equal(
            string.Join(Environment.NewLine,
                "outcome      leads  note",
                "---------  -------  -----------",
                "answered        12  first [try]",
                "no-answer  1234567",
                ""),
            Sample().Render(TableStyle.Plain));
        Assert.Equal(Sample().Render(TableStyle.Plain), Sample().ToString());
    }

    [Fact]
    public void A_plain_table_never_wraps_however_wide_it_is()
    {
        var wide = new string('x', 500);
        var lines = new TextTable("a", "b").Add(wide, wide).ToString().Split(Environment.NewLine);
        Assert.Equal(wide + "  " + wide, lines[2]);
    }

    [Fact]
    public void On_a_terminal_the_table_is_boxed_with_bold_headers_and_holds_the_data()
    {
        var text = Sample().Render(new TableStyle(Terminal: true, Width: 80));
        Assert.Contains("╭", text, StringComparison.Ordinal);
        Assert.Contains("\u001b[1moutcome", text, StringComparison.Ordinal);
        Assert.Contains("│ answered  │      12 │ first [try] │", text, StringComparison.Ordinal);
        Assert.Contains("│ no-answer │ 1234567 │             │", text, StringComparison.Ordinal);
    }
}
