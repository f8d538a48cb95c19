using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Testing;

namespace AmiDialer.Data.Tests.Import;

/// <summary>Delimiters, encodings, quoting, headers and huge fields.</summary>
public sealed class CsvFormatTests
{
    static CsvFormatTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static async Task<(ImportResult Result, TempDatabase Db, Campaign Campaign)> ImportBytesAsync(byte[] bytes, CsvImportOptions? options = null)
    {
        var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync();
        // Through a non-seekable stream, as a web upload arrives.
        using var stream = new NonSeekableStream(new MemoryStream(bytes));
        var result = await db.Importer.ImportAsync(stream, "upload.csv", (options ?? new CsvImportOptions { CampaignId = campaign.Id }) with { CampaignId = campaign.Id });
        return (result, db, campaign);
    }

    [Fact]
    public async Task Sample_csv_imports_all_twenty_rows_with_their_zones()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        var result = await db.Importer.ImportFileAsync(RepoPaths.Campaign("sample.csv"), new CsvImportOptions { CampaignId = c.Id });
        Assert.Equal(20, result.Imported);
        Assert.Equal(0, result.Rejected + result.Duplicates);
        Assert.Null(result.ErrorCsvPath);
        var leads = await db.Leads.GetDueAsync(c.Id, db.Time.GetUtcNow(), 100);
        Assert.Equal(10, leads.Select(l => l.PhoneE164[^1]).Distinct().Count());
        var zones = leads.SelectMany(l => l.TimeZones).ToHashSet();
        Assert.Superset(new HashSet<string> { "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu" }, zones);
        Assert.Equal("Lamport, Leslie", leads.Single(l => l.PhoneE164 == "+16025550116").Fields["name"]);
        Assert.All(leads, l => Assert.Equal(["name", "appointment"], l.Fields.Keys));
    }

    [Theory]
    [InlineData(",")]
    [InlineData(";")]
    [InlineData("\t")]
    [InlineData("|")]
    public async Task Each_delimiter_is_sniffed(string delimiter)
    {
        var text = $"name{delimiter}Mobile{delimiter}city\nAda{delimiter}212-555-0100{delimiter}\"New York{delimiter} NY\"\nBob{delimiter}415 555 0101{delimiter}SF\n";
        var (result, db, c) = await ImportBytesAsync(Encoding.UTF8.GetBytes(text));
        await using var _ = db;
        Assert.Equal(delimiter[0], result.Delimiter);
        Assert.Equal("Mobile", result.PhoneColumn);
        Assert.Equal(2, result.Imported);
        Assert.Equal($"New York{delimiter} NY", (await db.Leads.GetByPhoneAsync(c.Id, "+12125550100"))!.Fields["city"]);
    }

    [Fact]
    public async Task A_given_delimiter_and_phone_column_win_over_sniffing()
    {
        var text = "cell;other,thing\n212-555-0100;a,b\n";
        var (result, db, c) = await ImportBytesAsync(Encoding.UTF8.GetBytes(text), new CsvImportOptions { CampaignId = 0, Delimiter = ';', PhoneColumn = "CELL" });
        await using var _ = db;
        Assert.Equal(1, result.Imported);
        Assert.Equal("a,b", (await db.Leads.GetByPhoneAsync(c.Id, "+12125550100"))!.Fields["other,thing"]);
    }

    [Theory]
    [InlineData("utf-8-bom")]
    [InlineData("utf-8")]
    [InlineData("windows-1252")]
    [InlineData("utf-16")]
    public async Task Encodings_are_detected(string name)
    {
        const string text = "phone,name,note\n2125550100,Zoë Müller,café “quoted” €5\n";
        var bytes = name switch
        {
            "utf-8-bom" => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)],
            "utf-8" => Encoding.UTF8.GetBytes(text),
            "windows-1252" => Encoding.GetEncoding(1252).GetBytes(text),
            _ => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
        };
        var (result, db, c) = await ImportBytesAsync(bytes);
        await using var _ = db;
        Assert.Equal(1, result.Imported);
        var lead = await db.Leads.GetByPhoneAsync(c.Id, "+12125550100");
        Assert.Equal("Zoë Müller", lead!.Fields["name"]);
        Assert.Equal("café “quoted” €5", lead.Fields["note"]);
        Assert.Equal(["name", "note"], lead.Fields.Keys);
    }

    [Fact]
    public async Task Latin1_only_text_is_read_as_windows_1252()
    {
        var bytes = Encoding.Latin1.GetBytes("phone,name\n2125550100,Renée Æsir\n");
        var (result, db, c) = await ImportBytesAsync(bytes);
        await using var _ = db;
        Assert.Equal("windows-1252", result.EncodingName);
        Assert.Equal("Renée Æsir", (await db.Leads.GetByPhoneAsync(c.Id, "+12125550100"))!.Fields["name"]);
    }

    [Fact]
    public async Task Quoted_fields_keep_newlines_quotes_and_delimiters_and_line_numbers_stay_physical()
    {
        var text = "phone,note\n2125550100,\"two\nlines, with \"\"quotes\"\"\"\r\n\n\nnot a number,x\n2125550101,\"a\r\nb\r\nc\"\nbad,y\n";
        var (result, db, c) = await ImportBytesAsync(Encoding.UTF8.GetBytes(text));
        await using var _ = db;
        Assert.Equal(2, result.Imported);
        Assert.Equal("two\nlines, with \"quotes\"", (await db.Leads.GetByPhoneAsync(c.Id, "+12125550100"))!.Fields["note"]);
        Assert.Equal("a\r\nb\r\nc", (await db.Leads.GetByPhoneAsync(c.Id, "+12125550101"))!.Fields["note"]);
        Assert.Equal([6L, 10L], result.FirstErrors.Select(e => e.Line));
        var lead = await db.Leads.GetByPhoneAsync(c.Id, "+12125550101");
        Assert.NotNull(lead);
    }

    [Fact]
    public async Task A_huge_field_is_kept_and_a_runaway_one_stops_the_import_after_keeping_the_good_rows()
    {
        var big = new string('x', 200_000);
        var (ok, db1, c1) = await ImportBytesAsync(Encoding.UTF8.GetBytes($"phone,blob\n2125550100,{big}\n2125550101,\"{big}\"\n"));
        await using (db1)
        {
            Assert.Equal(2, ok.Imported);
            Assert.Equal(big, (await db1.Leads.GetByPhoneAsync(c1.Id, "+12125550101"))!.Fields["blob"]);
        }

        // An unclosed quote swallowing the rest of a big file: the limit stops it, the rows before it are kept.
        var runaway = "phone,note\n2125550100,fine\n2125550101,\"never closed\n" + string.Concat(Enumerable.Repeat("2125550102,more\n", 20_000));
        var (stopped, db2, c2) = await ImportBytesAsync(Encoding.UTF8.GetBytes(runaway), new CsvImportOptions { CampaignId = 0, MaxFieldLength = 100_000 });
        await using (db2)
        {
            Assert.Equal(AmiDialer.Data.Repositories.ImportStatus.Failed, stopped.Status);
            Assert.Contains("line 3", stopped.Message, StringComparison.Ordinal);
            Assert.Equal(1, stopped.Imported);
            Assert.NotNull(await db2.Leads.GetByPhoneAsync(c2.Id, "+12125550100"));
            var record = await db2.Imports.GetAsync(stopped.ImportId);
            Assert.Equal(AmiDialer.Data.Repositories.ImportStatus.Failed, record!.Status);
        }

        // Unclosed near the end (under the limit): that row is rejected, not imported with a swallowed tail.
        var (tail, db3, _) = await ImportBytesAsync(Encoding.UTF8.GetBytes("phone,note\n2125550100,fine\n2125550101,\"never closed\n2125550102,more\n"));
        await using (db3)
        {
            Assert.Equal(1, tail.Imported);
            Assert.Single(tail.FirstErrors);
            Assert.Equal(3, tail.FirstErrors[0].Line);
            Assert.Contains("unclosed quote", tail.FirstErrors[0].Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Headers_are_trimmed_blank_named_and_made_unique()
    {
        var (result, db, c) = await ImportBytesAsync(Encoding.UTF8.GetBytes(" Phone Number ,name,,name\n2125550100,a,b,c\n"));
        await using var _ = db;
        Assert.Equal("Phone Number", result.PhoneColumn);
        var lead = await db.Leads.GetByPhoneAsync(c.Id, "+12125550100");
        Assert.Equal(new Dictionary<string, string> { ["name"] = "a", ["column3"] = "b", ["name_2"] = "c" }, lead!.Fields);
    }

    private sealed class NonSeekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 4096));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
