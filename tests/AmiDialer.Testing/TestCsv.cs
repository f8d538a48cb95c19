using System.Globalization;
using System.Text;

namespace AmiDialer.Testing;

/// <summary>Generated lead CSVs for the tests that need a large file: distinct valid US numbers, one per row.</summary>
public static class TestCsv
{
    /// <summary>The name the late-accent file gives its last row, written in Windows-1252.</summary>
    public const string LateAccentName = "Ren\u00e9 Descartes";

    /// <summary>
    /// A valid New York number for row <paramref name="i"/>, distinct per row up to 7,920,000 rows: exchange 200-999
    /// (never N11), four-digit line.
    /// </summary>
    public static string Phone(int i)
    {
        var line = i % 10_000;
        var exchange = Exchanges[i / 10_000 % Exchanges.Length];
        return string.Create(CultureInfo.InvariantCulture, $"+1212{exchange}{line:0000}");
    }

    /// <summary>Writes <c>phone,name,city</c> rows until the file reaches <paramref name="minBytes"/>; returns the row count.</summary>
    public static int WriteLeads(Stream output, long minBytes, Func<int, string>? name = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write("phone,name,city\n");
        var rows = 0;
        writer.Flush();
        while (output.Position < minBytes)
        {
            for (var k = 0; k < 1000; k++, rows++)
            {
                writer.Write(Phone(rows));
                writer.Write(',');
                writer.Write(name?.Invoke(rows) ?? string.Create(CultureInfo.InvariantCulture, $"Lead {rows}"));
                writer.Write(",Springfield\n");
            }

            writer.Flush();
        }

        return rows;
    }

    /// <summary>
    /// About <paramref name="bytes"/> of plain ASCII rows and, in the last row only, one Windows-1252 byte (é = 0xE9):
    /// a file whose encoding cannot be told from its start.
    /// </summary>
    public static byte[] LateAccentWindows1252(int bytes, out int rows)
    {
        using var buffer = new MemoryStream();
        rows = WriteLeads(buffer, bytes - 64);
        var last = Encoding.ASCII.GetBytes(Phone(rows) + ",Ren");
        buffer.Write(last);
        buffer.WriteByte(0xE9);
        buffer.Write(" Descartes,Paris\n"u8);
        rows++;
        return buffer.ToArray();
    }

    private static readonly int[] Exchanges = [.. Enumerable.Range(200, 800).Where(e => e % 100 != 11)];
}
