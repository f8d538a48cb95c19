using System.Globalization;
using AmiDialer.Core.Model;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AmiDialer.Data.Tests.Postgres;

/// <summary>
/// The import on PostgreSQL (binary COPY straight into leads, duplicates dropped by the writer; a staging table and
/// INSERT ... SELECT ... ON CONFLICT DO NOTHING for a batch that races another writer) keeps the SQLite import's
/// semantics: the same file gives the same leads, counts and error CSV on both stores.
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
    public async Task A_number_someone_else_adds_during_the_import_is_a_duplicate_and_the_rest_of_its_batch_still_goes_in_in_file_order()
    {
        // The writer COPYs straight into leads, dropping the numbers it knows the campaign has; one added by someone else
        // after the import began makes the unique index refuse that batch's COPY, which must then go in the slow way.
        await using var store = await PgStore.CreateAsync(postgres, "import_race");
        var campaign = await store.CreateCampaignAsync(0, Start);
        await store.ExecuteAsync("INSERT INTO dnc (number, campaign_id, source, added_at, added_by) VALUES ('+12125550150', NULL, 'manual', now(), 't')");
        var options = new CsvImportOptions
        {
            CampaignId = campaign,
            BatchSize = 100,
            ErrorCsvPath = Path.GetTempFileName(),
            // Awaited, never waited on: the hook runs where the commit's read completed, often the socket engine's thread.
            AfterCommitAsync = async n =>
            {
                if (n == 1)
                {
                    await store.ExecuteAsync($$"""
                        INSERT INTO leads (campaign_id, phone, fields, time_zones, state, next_eligible_at)
                        VALUES ({{campaign}}, '+12125550170', '{"by":"other"}', '[]', 'pending', now())
                        """);
                }
            },
        };
        var importer = new CsvLeadImporter(store.DataSource, Path.GetTempPath(), new FixedTime(Start));

        var result = await importer.ImportAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Numbers(0, 300))), "l.csv", options);

        Assert.Equal(ImportStatus.Completed, result.Status);
        Assert.Equal((300L, 299L, 1L, 1L, 0L), (result.RowsRead, result.Imported, result.Duplicates, result.Blocked, result.Rejected));
        Assert.Equal(300L, await store.ScalarAsync<long>($"SELECT count(*) FROM leads WHERE campaign_id = {campaign}"));
        Assert.Equal("{\"by\":\"other\"}", await store.ScalarAsync<string>("SELECT fields || coalesce(import_id::text, '') FROM leads WHERE phone = '+12125550170'"));
        Assert.Equal("blocked", await store.ScalarAsync<string>("SELECT state FROM leads WHERE phone = '+12125550150'"));
        Assert.Equal(298, await store.CounterAsync(campaign, "state:pending"));
        Assert.Equal(1, await store.CounterAsync(campaign, "state:blocked"));
        Assert.Equal("299 299 1 1", await store.ScalarAsync<string>(
            $"SELECT rows_imported || ' ' || count(*) || ' ' || rows_duplicate || ' ' || rows_blocked FROM imports i JOIN leads l ON l.import_id = i.id WHERE i.id = {result.ImportId} GROUP BY i.id"));
        // The batch that went the slow way kept file order too: ids rise with the line.
        Assert.Equal(0L, await store.ScalarAsync<long>($"""
            SELECT count(*) FROM (SELECT source_line, lag(source_line) OVER (ORDER BY id) AS previous FROM leads WHERE import_id = {result.ImportId}) o
            WHERE source_line < previous
            """));
        File.Delete(options.ErrorCsvPath);
    }

    [PostgresFact]
    public async Task An_import_by_a_role_that_may_not_skip_the_foreign_key_check_gives_the_same_leads_and_counts()
    {
        // The test cluster's superuser may set session_replication_role, so its batches skip the row-by-row foreign-key
        // check; a plain role's may not, and must get the same result with the check.
        await using var db = await TempDatabase.CreateAsync();
        await File.WriteAllTextAsync(db.PathOf("first.csv"), "phone,name\n2125550199,already\n");
        await File.WriteAllTextAsync(db.PathOf("mixed.csv"), Mixed);
        var results = new List<(ImportResult Result, List<string> Leads)>();
        foreach (var plain in new[] { false, true })
        {
            await using var store = await PgStore.CreateAsync(postgres, plain ? "import_plain" : "import_super");
            var campaign = await store.CreateCampaignAsync(0, Start);
            await store.ExecuteAsync($"""
                INSERT INTO dnc (number, campaign_id, source, added_at, added_by) VALUES ('+12125550105', NULL, 'manual', now(), 't');
                INSERT INTO dnc (number, campaign_id, source, added_at, added_by) VALUES ('+12125550108', {campaign}, 'manual', now(), 't');
                """);
            var connectionString = store.ConnectionString;
            if (plain)
            {
                var role = "importer_" + new NpgsqlConnectionStringBuilder(store.ConnectionString).Database;
                await store.ExecuteAsync($"""
                    CREATE ROLE {role} LOGIN;
                    GRANT ALL ON ALL TABLES IN SCHEMA public TO {role};
                    GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role};
                    """);
                connectionString = new NpgsqlConnectionStringBuilder(store.ConnectionString) { Username = role }.ConnectionString;
            }

            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            if (plain)
            {
                // The premise: this role's batches cannot skip the check.
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var probe = new NpgsqlCommand("SET session_replication_role = replica", connection);
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => probe.ExecuteNonQueryAsync())).SqlState);
            }

            var importer = new CsvLeadImporter(dataSource, db.PathOf(plain ? "plain" : "super"), new FixedTime(Start));
            await importer.ImportFileAsync(db.PathOf("first.csv"), Options(campaign, db.PathOf($"first-{plain}-errors.csv")));
            var result = await importer.ImportFileAsync(db.PathOf("mixed.csv"), Options(campaign, db.PathOf($"mixed-{plain}-errors.csv")));
            results.Add((result, await PostgresLeadsAsync(store, campaign)));
        }

        Assert.All(results, r => Assert.Equal((17L, 11L, 3L, 3L, 2L, 18L), (r.Result.RowsRead, r.Result.Imported, r.Result.Rejected, r.Result.Duplicates, r.Result.Blocked, r.Result.LastCommittedLine)));
        Assert.Equal(12, results[1].Leads.Count);
        Assert.Equal(results[0].Leads, results[1].Leads);
    }

    [PostgresFact]
    public async Task A_batch_rolled_back_with_its_copy_still_open_leaves_nothing_and_the_next_batch_goes_in()
    {
        // The importer rolls a batch back when something fails between rows (its COPY then still streaming): the COPY
        // must be cancelled so the connection can roll back and carry on.
        await using var store = await PgStore.CreateAsync(postgres, "import_rollback");
        var campaign = await store.CreateCampaignAsync(0, Start);
        await using var writer = await PostgresLeadImportWriter.OpenAsync(store.DataSource,
            new LeadImportTarget(campaign, "l.csv", "US", "t", Start, 0), TimeProvider.System, CancellationToken.None);
        // The test cluster's superuser: the batches run without the row-by-row foreign-key check.
        Assert.True(writer.SkipsForeignKeyCheck);

        await writer.BeginBatchAsync(0);
        Assert.Null(writer.Add("+12125550100"u8, "{}"u8, "[]"u8, false, 2));
        Assert.False(writer.Add("+12125550100"u8, "{}"u8, "[]"u8, false, 3));
        await writer.FlushAsync(CancellationToken.None);
        await writer.RollbackBatchAsync();

        await writer.BeginBatchAsync(0);
        // The rolled-back row's number is not in the campaign: new again.
        Assert.Null(writer.Add("+12125550100"u8, "{\"n\":\"1\"}"u8, "[\"America/New_York\"]"u8, false, 4));
        Assert.Null(writer.Add("+12125550102"u8, "{}"u8, "[]"u8, true, 5));
        var written = await writer.CommitBatchAsync(w => new ImportCounts { RowsRead = 2, Imported = w.Imported, Blocked = w.Blocked, LastCommittedLine = 5 }, null, null, CancellationToken.None);

        Assert.Equal(new BatchWritten(2, 1), written);
        Assert.Equal("+12125550100 {\"n\":\"1\"} pending 4, +12125550102 {} blocked 5", await store.ScalarAsync<string>(
            $"SELECT string_agg(phone || ' ' || fields || ' ' || state || ' ' || source_line, ', ' ORDER BY id) FROM leads WHERE campaign_id = {campaign} AND import_id = {writer.ImportId}"));
        Assert.Equal(Start, await store.ScalarAsync<DateTime>("SELECT next_eligible_at FROM leads WHERE phone = '+12125550100'"));
        Assert.Equal(1L, await store.ScalarAsync<long>("SELECT count(*) FROM leads WHERE phone = '+12125550102' AND next_eligible_at IS NULL"));
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
            AfterCommitAsync = async n =>
            {
                if (n == 2)
                {
                    await store.ExecuteAsync($"DELETE FROM campaigns WHERE id = {campaign}");
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
