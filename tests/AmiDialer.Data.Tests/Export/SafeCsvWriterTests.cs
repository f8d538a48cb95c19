using System.Globalization;
using AmiDialer.Data.Export;
using AmiDialer.Data.Import;
using CsvHelper;

namespace AmiDialer.Data.Tests.Export;

public sealed class SafeCsvWriterTests
{
    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    [InlineData("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0")]
    [InlineData("-5", "'-5")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("+1 212 555 0100", "'+1 212 555 0100")]
    [InlineData("+12125550100", "+12125550100")]
    [InlineData("2125550100", "2125550100")]
    [InlineData("+123456", "'+123456")]
    [InlineData("-1234567", "'-1234567")]
    [InlineData("Ada Lovelace", "Ada Lovelace")]
    [InlineData("", "")]
    public void Formula_cells_are_neutralised_and_plain_phone_numbers_kept(string cell, string expected)
    {
        Assert.Equal(expected, SafeCsvWriter.Neutralise(cell));
    }

    [Fact]
    public void Rows_are_quoted_as_rfc_4180_and_read_back_by_the_importer_unchanged()
    {
        string[] cells = ["+12125550100", "Lamport, Leslie", "say \"hi\"", "two\nlines", "=1+2", " padded ", "-5"];
        using var text = new StringWriter();
        using (var writer = new SafeCsvWriter(text))
        {
            writer.WriteRow(cells);
        }

        Assert.Equal("+12125550100,\"Lamport, Leslie\",\"say \"\"hi\"\"\",\"two\nlines\",'=1+2,\" padded \",'-5\r\n", text.ToString());
        using var parser = new CsvParser(new StringReader(text.ToString()), CultureInfo.InvariantCulture);
        Assert.True(parser.Read());
        Assert.Equal(cells, parser.Record!.Select(CsvLeadImporter.UnNeutralise));
    }
}
