using System.Text;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing;

namespace AmiDialer.Data.Tests.Import;

/// <summary>The encoding is settled on the whole file, not on its first 64 KiB; a field past the parser's limit refuses the file by line.</summary>
public sealed class LateEncodingTests
{
    [Fact]
    public async Task A_windows_1252_file_whose_only_accent_is_near_the_end_of_a_megabyte_is_read_as_windows_1252()
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync();
        var bytes = TestCsv.LateAccentWindows1252(1 << 20, out var rows);
        Assert.True(Array.IndexOf(bytes, (byte)0xE9) > bytes.Length - 100, "the accent must be near the end");
        var path = db.PathOf("late-accent.csv");
        await File.WriteAllBytesAsync(path, bytes);

        // The CLI's path: a file on disk.
        var result = await db.Importer.ImportFileAsync(path, new CsvImportOptions { CampaignId = campaign.Id });

        Assert.Equal(rows, result.Imported);
        Assert.Equal("windows-1252", result.EncodingName);
        var lead = await db.Leads.GetByPhoneAsync(campaign.Id, TestCsv.Phone(rows - 1));
        Assert.Equal(TestCsv.LateAccentName, lead!.Fields["name"]);
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM leads WHERE instr(fields, char(65533)) > 0 OR lower(fields) LIKE '%\\ufffd%'"));
    }

    [Fact]
    public async Task A_stream_that_cannot_be_read_twice_still_never_stores_a_replacement_character()
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync();
        var bytes = TestCsv.LateAccentWindows1252(1 << 20, out var rows);

        await using var stream = new OneWayStream(bytes);
        var result = await db.Importer.ImportAsync(stream, "late.csv", new CsvImportOptions { CampaignId = campaign.Id });

        Assert.Equal(rows, result.Imported);
        var lead = await db.Leads.GetByPhoneAsync(campaign.Id, TestCsv.Phone(rows - 1));
        Assert.Equal(TestCsv.LateAccentName, lead!.Fields["name"]);
    }

    [Fact]
    public async Task A_utf8_file_with_letters_across_every_chunk_boundary_stays_utf8()
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync();
        var path = db.PathOf("utf8.csv");
        int rows;
        await using (var file = File.Create(path))
        {
            // Three-byte letters on every row, so some straddle the 64 KiB sample's end and the scan's 1 MiB chunks.
            rows = TestCsv.WriteLeads(file, 3 << 20, i => $"Zo\u00eb \u20ac{i}");
        }

        var result = await db.Importer.ImportFileAsync(path, new CsvImportOptions { CampaignId = campaign.Id });

        Assert.Equal(rows, result.Imported);
        Assert.Equal("utf-8", result.EncodingName);
        Assert.Equal($"Zo\u00eb \u20ac{rows - 1}", (await db.Leads.GetByPhoneAsync(campaign.Id, TestCsv.Phone(rows - 1)))!.Fields["name"]);
    }

    [Theory]
    [InlineData(false, "line 2")]
    [InlineData(true, "line 1")]
    public async Task A_ten_megabyte_cell_at_the_start_refuses_the_file_naming_the_line(bool inHeader, string line)
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync();
        var cell = new string('x', 10 << 20);
        var text = inHeader ? $"phone,{cell}\n2125550100,a\n" : $"phone,note\n2125550100,{cell}\n2125550101,b\n";
        var path = db.PathOf("huge-cell.csv");
        await File.WriteAllTextAsync(path, text);

        var e = await Assert.ThrowsAsync<CsvImportRefusedException>(() => db.Importer.ImportFileAsync(path, new CsvImportOptions { CampaignId = campaign.Id }));

        Assert.Contains(line, e.Message, StringComparison.Ordinal);
        Assert.Contains("huge-cell.csv", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM leads"));
    }

    [Fact]
    public async Task A_ten_megabyte_cell_later_in_the_file_stops_there_keeping_the_rows_before_it()
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync();
        var path = db.PathOf("late-huge-cell.csv");
        int rows;
        await using (var file = File.Create(path))
        {
            rows = TestCsv.WriteLeads(file, 200_000);
            file.Write(Encoding.ASCII.GetBytes(TestCsv.Phone(rows) + "," + new string('x', 10 << 20) + ",x\n"));
        }

        var result = await db.Importer.ImportFileAsync(path, new CsvImportOptions { CampaignId = campaign.Id });

        Assert.Equal(ImportStatus.Failed, result.Status);
        Assert.Contains($"line {rows + 2}", result.Message, StringComparison.Ordinal);
        Assert.Equal(rows, result.Imported);
    }

    [Fact]
    public async Task A_do_not_call_list_with_a_late_accent_is_read_whole()
    {
        await using var db = await TempDatabase.CreateAsync();
        var bytes = TestCsv.LateAccentWindows1252(200_000, out var rows);
        await using var stream = new MemoryStream(bytes);

        var result = await new DncCsvImporter(db.Database, db.Time).ImportAsync(stream, "dnc.csv", null, "test");

        Assert.Equal(rows, result.Added);
        Assert.Equal(0, result.Rejected);
    }

    /// <summary>A pipe-like stream: no seeking, small reads.</summary>
    private sealed class OneWayStream(byte[] bytes) : Stream
    {
        private int position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 4096), bytes.Length - position);
            Array.Copy(bytes, position, buffer, offset, n);
            position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
