using System.Text;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Data.Tests.Import;

/// <summary>Refusals, crashes, re-imports, dedupe, the error CSV round trip and progress.</summary>
public sealed class ImportReliabilityTests
{
    private static string Numbers(int from, int count, Func<int, string?>? bad = null) =>
        "phone,name\n" + string.Concat(Enumerable.Range(from, count).Select(i => bad?.Invoke(i) ?? $"(212) 555-{i:0000},n{i}\n"));

    [Theory]
    [InlineData("binary")]
    [InlineData("empty")]
    [InlineData("whitespace")]
    [InlineData("header-only")]
    [InlineData("no-phone-column")]
    [InlineData("missing-given-column")]
    public async Task An_unusable_file_is_refused_whole_with_a_clear_message_and_nothing_written(string kind)
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        byte[] bytes = kind switch
        {
            "binary" => [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, .. Encoding.ASCII.GetBytes("phone\n2125550100\n")],
            "empty" => [],
            "whitespace" => Encoding.UTF8.GetBytes("\r\n  \n"),
            "header-only" => Encoding.UTF8.GetBytes("phone,name\n"),
            _ => Encoding.UTF8.GetBytes("name,city\nAda,London\n"),
        };
        var options = new CsvImportOptions { CampaignId = c.Id, PhoneColumn = kind == "missing-given-column" ? "cell" : null };
        var e = await Assert.ThrowsAsync<CsvImportRefusedException>(() => db.Importer.ImportAsync(new MemoryStream(bytes), "bad.csv", options));

        var expected = kind switch
        {
            "binary" => "binary",
            "empty" or "whitespace" => "is empty",
            "header-only" => "no rows",
            "no-phone-column" => "no phone column",
            _ => "no column 'cell'",
        };
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, await db.ScalarAsync("SELECT COUNT(*) FROM imports"));
        Assert.Equal(0, await db.ScalarAsync("SELECT COUNT(*) FROM leads"));
        Assert.False(Directory.Exists(db.PathOf("imports")));
    }

    [Fact]
    public async Task A_crash_between_batches_keeps_whole_batches_and_a_reimport_adds_the_rest_without_duplicates()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        // 1,000 rows, every 50th bad; batches of 100 rows.
        await File.WriteAllTextAsync(db.PathOf("l.csv"), Numbers(0, 1000, i => i % 50 == 0 ? $"bad{i},n{i}\n" : null));
        var crashing = new CsvImportOptions { CampaignId = c.Id, BatchSize = 100, AfterCommit = n => { if (n == 4) throw new IOException("simulated crash"); } };

        await Assert.ThrowsAsync<IOException>(() => db.Importer.ImportFileAsync(db.PathOf("l.csv"), crashing));
        var crashed = (await db.Imports.ListAsync(c.Id)).Single();
        Assert.Equal(400, crashed.RowsRead);
        Assert.Equal(392, crashed.RowsImported);
        Assert.Equal(401, crashed.LastCommittedLine);
        Assert.Equal(392, await db.ScalarAsync("SELECT COUNT(*) FROM leads"));

        var again = await db.Importer.ImportFileAsync(db.PathOf("l.csv"), new CsvImportOptions { CampaignId = c.Id, BatchSize = 100 });
        Assert.Equal(980 - 392, again.Imported);
        Assert.Equal(392, again.Duplicates);
        Assert.Equal(20, again.Rejected);
        Assert.Equal(980, await db.ScalarAsync("SELECT COUNT(*) FROM leads"));
        Assert.Equal(980, await db.ScalarAsync("SELECT COUNT(DISTINCT phone) FROM leads"));
        Assert.Equal(980, (await db.Reports.GetSummaryAsync(c.Id)).LeadsByState[LeadState.Pending]);
    }

    [Theory]
    [InlineData(333)]
    [InlineData(1000)]
    [InlineData(1700)]
    public async Task Batches_end_where_their_size_says_whatever_the_hand_over_between_threads(int batchSize)
    {
        // Rows travel between threads 1,000 at a time; a batch may end inside such a chunk, on its edge, or span two.
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("l.csv"), Numbers(0, 5000, i => i % 50 == 0 ? $"bad{i},n{i}\n" : null));
        var crashing = new CsvImportOptions { CampaignId = c.Id, BatchSize = batchSize, AfterCommit = n => { if (n == 2) throw new IOException("simulated crash"); } };

        await Assert.ThrowsAsync<IOException>(() => db.Importer.ImportFileAsync(db.PathOf("l.csv"), crashing));
        var crashed = (await db.Imports.ListAsync(c.Id)).Single();
        var good = (2 * batchSize) - ((2 * batchSize) + 49) / 50;
        Assert.Equal(2 * batchSize, crashed.RowsRead);
        Assert.Equal(good, crashed.RowsImported);
        Assert.Equal((2 * batchSize) + 1, crashed.LastCommittedLine);
        Assert.Equal(good, await db.ScalarAsync("SELECT COUNT(*) FROM leads"));
        Assert.Equal(crashed.LastCommittedLine, await db.ScalarAsync("SELECT MAX(source_line) FROM leads") + (batchSize * 2 % 50 == 1 ? 1 : 0));

        var again = await db.Importer.ImportFileAsync(db.PathOf("l.csv"), new CsvImportOptions { CampaignId = c.Id, BatchSize = batchSize });
        Assert.Equal(4900 - good, again.Imported);
        Assert.Equal(good, again.Duplicates);
        Assert.Equal(4900, await db.ScalarAsync("SELECT COUNT(DISTINCT phone) FROM leads"));
        Assert.Equal(4900, (await db.Reports.GetSummaryAsync(c.Id)).LeadsByState[LeadState.Pending]);
    }

    [Fact]
    public async Task Batches_checkpoint_beside_the_writer_and_the_wal_starts_over_every_so_many_rows()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("l.csv"), Numbers(0, 3000));
        var result = await db.Importer.ImportFileAsync(db.PathOf("l.csv"), new CsvImportOptions { CampaignId = c.Id, BatchSize = 100, WalSettleRows = 200 });

        Assert.Equal(3000, result.Imported);
        Assert.Equal(3000, await db.ScalarAsync("SELECT COUNT(*) FROM leads"));
        Assert.Equal(3000, (await db.Reports.GetSummaryAsync(c.Id)).LeadsByState[LeadState.Pending]);
        // 30 batches write about 2 MB of WAL frames; starting over every other batch keeps the file to a few batches.
        // (No file at all when another test cleared the connection pools: the last close checkpoints and removes it.)
        var walFile = new FileInfo(db.Database.Path + "-wal");
        var wal = walFile.Exists ? walFile.Length : 0;
        Assert.True(wal < 600_000, $"WAL of {wal} bytes");
    }

    [Fact]
    public async Task A_crash_inside_a_batch_rolls_that_batch_back_entirely()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("l.csv"), Numbers(0, 500));
        var crashing = new CsvImportOptions { CampaignId = c.Id, BatchSize = 100, BeforeCommit = n => { if (n == 3) throw new IOException("power cut"); } };

        await Assert.ThrowsAsync<IOException>(() => db.Importer.ImportFileAsync(db.PathOf("l.csv"), crashing));
        Assert.Equal(200, await db.ScalarAsync("SELECT COUNT(*) FROM leads"));
        var record = (await db.Imports.ListAsync(c.Id)).Single();
        Assert.Equal(201, record.LastCommittedLine);
        Assert.Equal(ImportStatus.Failed, record.Status);
        Assert.Equal(200, (await db.Reports.GetSummaryAsync(c.Id)).LeadsByState[LeadState.Pending]);
    }

    [Fact]
    public async Task Cancelling_stops_after_whole_batches_and_marks_the_import_cancelled()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("l.csv"), Numbers(0, 1000));
        using var cts = new CancellationTokenSource();
        var options = new CsvImportOptions { CampaignId = c.Id, BatchSize = 100, AfterCommit = n => { if (n == 2) cts.Cancel(); } };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.Importer.ImportFileAsync(db.PathOf("l.csv"), options, cancellationToken: cts.Token));
        var record = (await db.Imports.ListAsync(c.Id)).Single();
        Assert.Equal(ImportStatus.Cancelled, record.Status);
        var leads = await db.ScalarAsync("SELECT COUNT(*) FROM leads");
        Assert.Equal(0, leads % 100);
        Assert.Equal(leads, record.RowsImported);
    }

    [Fact]
    public async Task Duplicates_are_skipped_within_a_file_and_across_imports_but_not_across_campaigns()
    {
        await using var db = await TempDatabase.CreateAsync();
        var a = await db.CreateCampaignAsync("a");
        var b = await db.CreateCampaignAsync("b");
        await File.WriteAllTextAsync(db.PathOf("1.csv"), "phone\n2125550100\n+1 212 555 0100\n2125550101\n");
        await File.WriteAllTextAsync(db.PathOf("2.csv"), "phone\n212.555.0101\n2125550102\n");

        var first = await db.Importer.ImportFileAsync(db.PathOf("1.csv"), new CsvImportOptions { CampaignId = a.Id });
        Assert.Equal((2L, 1L), (first.Imported, first.Duplicates));
        var second = await db.Importer.ImportFileAsync(db.PathOf("2.csv"), new CsvImportOptions { CampaignId = a.Id });
        Assert.Equal((1L, 1L), (second.Imported, second.Duplicates));
        var other = await db.Importer.ImportFileAsync(db.PathOf("2.csv"), new CsvImportOptions { CampaignId = b.Id });
        Assert.Equal((2L, 0L), (other.Imported, other.Duplicates));
        Assert.Equal(3, (await db.Reports.GetSummaryAsync(a.Id)).Leads);
    }

    [Fact]
    public async Task The_error_csv_can_be_fixed_and_uploaded_back()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("l.csv"), "phone,name,formula\n2125550100,ok,=SUM(A1)\n21255501,short,-5\n");
        var first = await db.Importer.ImportFileAsync(db.PathOf("l.csv"), new CsvImportOptions { CampaignId = c.Id });
        Assert.Equal(1, first.Rejected);
        Assert.Equal("=SUM(A1)", (await db.Leads.GetByPhoneAsync(c.Id, "+12125550100"))!.Fields["formula"]);

        // The user fixes the number in the error CSV and uploads it as it is.
        var fixedCsv = (await File.ReadAllTextAsync(first.ErrorCsvPath!)).Replace("21255501,", "2125550199,", StringComparison.Ordinal);
        Assert.Contains("'-5", fixedCsv, StringComparison.Ordinal);
        await File.WriteAllTextAsync(db.PathOf("fixed.csv"), fixedCsv);
        var second = await db.Importer.ImportFileAsync(db.PathOf("fixed.csv"), new CsvImportOptions { CampaignId = c.Id });
        Assert.Equal(1, second.Imported);
        Assert.Equal(0, second.Rejected);
        var lead = await db.Leads.GetByPhoneAsync(c.Id, "+12125550199");
        Assert.Equal(new Dictionary<string, string> { ["name"] = "short", ["formula"] = "-5" }, lead!.Fields);
    }

    [Fact]
    public async Task Progress_is_reported_per_batch_up_to_one_hundred_percent()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("l.csv"), Numbers(0, 1000));
        var reports = new List<ImportProgress>();
        var progress = new SyncProgress(reports.Add);
        var result = await db.Importer.ImportFileAsync(db.PathOf("l.csv"), new CsvImportOptions { CampaignId = c.Id, BatchSize = 250 }, progress);

        Assert.True(reports.Count >= 4);
        Assert.Equal(reports.Select(r => r.RowsRead).Order(), reports.Select(r => r.RowsRead));
        Assert.Equal(1000, reports[^1].RowsRead);
        Assert.Equal(100, reports[^1].Percent);
        Assert.True(reports[^1].RowsPerSecond > 0);
        Assert.Equal(result.ImportId, reports[0].ImportId);
    }

    [Fact]
    public async Task A_campaign_deleted_during_an_import_stops_it_and_leaves_no_lead_behind()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("l.csv"), Numbers(0, 1000));
        var options = new CsvImportOptions
        {
            CampaignId = c.Id,
            BatchSize = 100,
            AfterCommit = n =>
            {
                if (n == 2)
                {
                    Assert.True(db.Campaigns.DeleteAsync(c.Id, "tester").GetAwaiter().GetResult());
                }
            },
        };

        var e = await Assert.ThrowsAsync<CsvImportTargetMissingException>(() => db.Importer.ImportFileAsync(db.PathOf("l.csv"), options));

        Assert.Contains("deleted during the import", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, await db.ScalarAsync("SELECT COUNT(*) FROM leads"));
        Assert.Equal(0, await db.ScalarAsync("SELECT COUNT(*) FROM pragma_foreign_key_check"));
    }

    [Fact]
    public async Task Connections_come_back_from_an_import_with_foreign_keys_on()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("l.csv"), Numbers(0, 300));
        await db.Importer.ImportFileAsync(db.PathOf("l.csv"), new CsvImportOptions { CampaignId = c.Id, BatchSize = 100 });

        // Hold several at once, so the import's pooled handle is among them.
        var connections = new List<Microsoft.Data.Sqlite.SqliteConnection>();
        for (var i = 0; i < 4; i++)
        {
            connections.Add(await db.Database.OpenSqliteConnectionAsync());
        }

        foreach (var connection in connections)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA foreign_keys";
            Assert.Equal(1L, await command.ExecuteScalarAsync());
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unknown_campaign_or_region_is_an_error_before_anything_is_written()
    {
        await using var db = await TempDatabase.CreateAsync();
        await File.WriteAllTextAsync(db.PathOf("l.csv"), Numbers(0, 3));
        await Assert.ThrowsAsync<CsvImportTargetMissingException>(() => db.Importer.ImportFileAsync(db.PathOf("l.csv"), new CsvImportOptions { CampaignId = 42 }));
        var c = await db.CreateCampaignAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => db.Importer.ImportFileAsync(db.PathOf("l.csv"), new CsvImportOptions { CampaignId = c.Id, DefaultRegion = "XX" }));
        Assert.Equal(0, await db.ScalarAsync("SELECT COUNT(*) FROM imports"));
    }

    [Fact]
    public async Task A_region_given_per_import_reads_national_numbers_of_that_country()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("gb.csv"), "phone\n020 7946 0958\n(212) 555-0100\n+1 212 555 0101\n");
        var result = await db.Importer.ImportFileAsync(db.PathOf("gb.csv"), new CsvImportOptions { CampaignId = c.Id, DefaultRegion = "GB" });
        Assert.Equal(2, result.Imported);
        Assert.NotNull(await db.Leads.GetByPhoneAsync(c.Id, "+442079460958"));
        Assert.NotNull(await db.Leads.GetByPhoneAsync(c.Id, "+12125550101"));
        Assert.Equal(3, result.FirstErrors.Single().Line);
    }

    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
