using System.Globalization;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AmiDialer.Data.Tests.Postgres;

/// <summary>
/// The import on PostgreSQL (binary COPY into a staging table, one INSERT ... SELECT ... ON CONFLICT DO NOTHING per batch)
/// keeps the SQLite import's semantics: the same file gives the same leads, counts and error CSV on both stores.
/// </summary>
public sealed class PostgresImportTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static string Numbers(int from, int count, Func<int, string?>? bad = null) =>
        "phone,name\n" + string.Concat(Enumerable.Range(from, count).Select(i => bad?.Invoke(i) ?? $"(212) 555-{i:0000},n{i}\n"));

    /// <summary>
    /// Good rows, bad numbers, a row with too many cells, a number twice in the file (the first row kept), a number
    /// the campaign already has, numbers on the do-not-call list (global and the campaign's), in batches of 7.
    /// </summary>
    private const string Mixed = """
        phone;name;city
        (212) 555-0100;Ada;London
        not a number;Bob;Paris
        212-555-0101;Cy;Oslo
        (212) 555-0100;Ada again;Rome
        212 555 0102;Di;Bern
        212 555 0103;Ed;Kiev;extra
        212 555 0104;Flo
        212 555 0199;Gus;Lima
        212 555 0105;Hal;Riga
        212 555 0106;Ida;Nice
        212 555 0107;Jo;Bonn
        555;Kay;Graz
        212 555 0108;Lu;Metz
        212 555 0109;Mo;Lyon
        212 555 0110;Ned;Oulu
        212 555 0101;Cy twice;Oslo
        212 555 0111;Oz;Pisa
        """;

    private static CsvImportOptions Options(long campaignId, string errors) => new() { CampaignId = campaignId, BatchSize = 7, ErrorCsvPath = errors, ValidationWorkers = 2 };

    [PostgresFact]
    public async Task The_same_file_gives_the_same_leads_counts_and_error_csv_on_sqlite_and_on_postgres()
    {
        // SQLite.
        await using var db = await TempDatabase.CreateAsync();
        var sqliteCampaign = (await db.CreateCampaignAsync()).Id;
        await db.Dnc.AddAsync("+12125550105", null, DncSource.Manual, "t");
        await db.Dnc.AddAsync("+12125550108", sqliteCampaign, DncSource.Manual, "t");
        await File.WriteAllTextAsync(db.PathOf("first.csv"), "phone,name\n2125550199,already\n");
        await File.WriteAllTextAsync(db.PathOf("mixed.csv"), Mixed);
        var sqliteImporter = new CsvLeadImporter(db.Database, new FixedTime(Start));
        await sqliteImporter.ImportFileAsync(db.PathOf("first.csv"), Options(sqliteCampaign, db.PathOf("first-errors.csv")));
        var sqlite = await sqliteImporter.ImportFileAsync(db.PathOf("mixed.csv"), Options(sqliteCampaign, db.PathOf("sqlite-errors.csv")));

        // PostgreSQL: the same campaign, list and files.
        await using var store = await PgStore.CreateAsync(postgres, "import_parity");
        var pgCampaign = await store.CreateCampaignAsync(0, Start);
        await store.ExecuteAsync($"""
            INSERT INTO dnc (number, campaign_id, source, added_at, added_by) VALUES ('+12125550105', NULL, 'manual', now(), 't');
            INSERT INTO dnc (number, campaign_id, source, added_at, added_by) VALUES ('+12125550108', {pgCampaign}, 'manual', now(), 't');
            """);
        var pgImporter = new CsvLeadImporter(store.DataSource, db.PathOf("pg-imports"), new FixedTime(Start));
        await pgImporter.ImportFileAsync(db.PathOf("first.csv"), Options(pgCampaign, db.PathOf("first-pg-errors.csv")));
        var pg = await pgImporter.ImportFileAsync(db.PathOf("mixed.csv"), Options(pgCampaign, db.PathOf("pg-errors.csv")));

        Assert.Equal(ImportStatus.Completed, pg.Status);
        Assert.Equal((17L, 11L, 3L, 3L, 2L, 18L), (pg.RowsRead, pg.Imported, pg.Rejected, pg.Duplicates, pg.Blocked, pg.LastCommittedLine));
        Assert.Equal(
            (sqlite.RowsRead, sqlite.Imported, sqlite.Rejected, sqlite.Duplicates, sqlite.Blocked, sqlite.LastCommittedLine),
            (pg.RowsRead, pg.Imported, pg.Rejected, pg.Duplicates, pg.Blocked, pg.LastCommittedLine));
        Assert.Equal(await File.ReadAllTextAsync(db.PathOf("sqlite-errors.csv")), await File.ReadAllTextAsync(db.PathOf("pg-errors.csv")));

        var sqliteLeads = await SqliteLeadsAsync(db, sqliteCampaign);
        var pgLeads = await PostgresLeadsAsync(store, pgCampaign);
        Assert.Equal(12, pgLeads.Count);
        Assert.Equal(sqliteLeads, pgLeads);
        // In file order, the first row of a number kept.
        Assert.Contains("+12125550100|{\"name\":\"Ada\",\"city\":\"London\"}", pgLeads[1], StringComparison.Ordinal);

        Assert.Equal(10, await store.CounterAsync(pgCampaign, "state:pending"));
        Assert.Equal(2, await store.CounterAsync(pgCampaign, "state:blocked"));
        Assert.Equal("completed 17 11 3 3 2 18", await store.ScalarAsync<string>(
            $"SELECT status || ' ' || rows_read || ' ' || rows_imported || ' ' || rows_rejected || ' ' || rows_duplicate || ' ' || rows_blocked || ' ' || last_committed_line FROM imports WHERE id = {pg.ImportId}"));
    }

    [PostgresFact]
    public async Task A_crash_between_batches_keeps_whole_batches_and_a_reimport_adds_the_rest_without_duplicates()
    {
        await using var store = await PgStore.CreateAsync(postgres, "import_crash");
        var campaign = await store.CreateCampaignAsync(0, Start);
        var folder = Directory.CreateTempSubdirectory("amidialer-pgimport-").FullName;
        try
        {
            var file = Path.Combine(folder, "l.csv");
            // 1,000 rows, every 50th bad; batches of 100 rows.
            await File.WriteAllTextAsync(file, Numbers(0, 1000, i => i % 50 == 0 ? $"bad{i},n{i}\n" : null));
            var importer = new CsvLeadImporter(store.DataSource, folder, TimeProvider.System);
            var crashing = new CsvImportOptions { CampaignId = campaign, BatchSize = 100, AfterCommit = n => { if (n == 4) throw new IOException("simulated crash"); } };

            await Assert.ThrowsAsync<IOException>(() => importer.ImportFileAsync(file, crashing));
            Assert.Equal(392L, await store.ScalarAsync<long>("SELECT count(*) FROM leads"));
            Assert.Equal("failed 400 392 401", await store.ScalarAsync<string>("SELECT status || ' ' || rows_read || ' ' || rows_imported || ' ' || last_committed_line FROM imports"));

            var again = await importer.ImportFileAsync(file, new CsvImportOptions { CampaignId = campaign, BatchSize = 100 });
            Assert.Equal((980L, 588L, 392L, 20L), (again.Imported + again.Duplicates, again.Imported, again.Duplicates, again.Rejected));
            Assert.Equal(980L, await store.ScalarAsync<long>("SELECT count(*) FROM leads"));
            Assert.Equal(980, await store.CounterAsync(campaign, "state:pending"));
            Assert.True(File.Exists(Path.Combine(folder, $"import-{again.ImportId}-errors.csv")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [PostgresFact]
    public async Task A_crash_inside_a_batch_rolls_that_batch_back_entirely()
    {
        await using var store = await PgStore.CreateAsync(postgres, "import_inside");
        var campaign = await store.CreateCampaignAsync(0, Start);
        var crashing = new CsvImportOptions { CampaignId = campaign, BatchSize = 100, ErrorCsvPath = Path.GetTempFileName(), BeforeCommit = n => { if (n == 3) throw new IOException("power cut"); } };
        var importer = new CsvLeadImporter(store.DataSource, Path.GetTempPath(), TimeProvider.System);

        await Assert.ThrowsAsync<IOException>(() => importer.ImportAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Numbers(0, 500))), "l.csv", crashing));

        Assert.Equal(200L, await store.ScalarAsync<long>("SELECT count(*) FROM leads"));
        Assert.Equal("failed 201", await store.ScalarAsync<string>("SELECT status || ' ' || last_committed_line FROM imports"));
        Assert.Equal(200, await store.CounterAsync(campaign, "state:pending"));
        File.Delete(crashing.ErrorCsvPath);
    }

    [PostgresFact]
    public async Task A_campaign_deleted_during_an_import_stops_it_and_leaves_no_lead_behind()
    {
        await using var store = await PgStore.CreateAsync(postgres, "import_deleted");
        var campaign = await store.CreateCampaignAsync(0, Start);
        var options = new CsvImportOptions
        {
            CampaignId = campaign,
            BatchSize = 100,
            AfterCommit = n =>
            {
                if (n == 2)
                {
                    store.ExecuteAsync($"DELETE FROM campaigns WHERE id = {campaign}").GetAwaiter().GetResult();
                }
            },
        };
        var importer = new CsvLeadImporter(store.DataSource, Path.GetTempPath(), TimeProvider.System);

        var e = await Assert.ThrowsAsync<CsvImportTargetMissingException>(() => importer.ImportAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Numbers(0, 1000))), "l.csv", options));

        Assert.Contains("deleted during the import", e.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(*) FROM leads"));
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(*) FROM imports"));
    }

    [PostgresFact]
    public async Task An_unknown_campaign_is_an_error_before_anything_is_written()
    {
        await using var store = await PgStore.CreateAsync(postgres, "import_unknown");
        var importer = new CsvLeadImporter(store.DataSource, Path.GetTempPath(), TimeProvider.System);

        await Assert.ThrowsAsync<CsvImportTargetMissingException>(() => importer.ImportAsync(
            new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Numbers(0, 3))), "l.csv", new CsvImportOptions { CampaignId = 42 }));
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(*) FROM imports"));
    }

    /// <summary>Each lead as one comparable line, in id order: number, fields, zones, state, due time, line, import's ordinal.</summary>
    private static async Task<List<string>> SqliteLeadsAsync(TempDatabase db, long campaignId)
    {
        await using var connection = await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT phone, fields, time_zones, state, next_eligible_at, source_line, import_id FROM leads WHERE campaign_id = {campaignId} ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        var imports = new List<long>();
        while (await reader.ReadAsync())
        {
            var import = reader.GetInt64(6);
            if (!imports.Contains(import))
            {
                imports.Add(import);
            }

            var due = reader.IsDBNull(4) ? "-" : DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture).ToString("O", CultureInfo.InvariantCulture);
            rows.Add($"{reader.GetString(0)}|{reader.GetString(1)}|{reader.GetString(2)}|{reader.GetString(3)}|{due}|{reader.GetInt64(5)}|{imports.IndexOf(import)}");
        }

        SqliteConnection.ClearAllPools();
        return rows;
    }

    private static async Task<List<string>> PostgresLeadsAsync(PgStore store, long campaignId)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand($"SELECT phone, fields, time_zones, state, next_eligible_at, source_line, import_id FROM leads WHERE campaign_id = {campaignId} ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        var imports = new List<long>();
        while (await reader.ReadAsync())
        {
            var import = reader.GetInt64(6);
            if (!imports.Contains(import))
            {
                imports.Add(import);
            }

            var due = reader.IsDBNull(4) ? "-" : reader.GetFieldValue<DateTimeOffset>(4).ToString("O", CultureInfo.InvariantCulture);
            rows.Add($"{reader.GetString(0)}|{reader.GetString(1)}|{reader.GetString(2)}|{reader.GetString(3)}|{due}|{reader.GetInt64(5)}|{imports.IndexOf(import)}");
        }

        return rows;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
