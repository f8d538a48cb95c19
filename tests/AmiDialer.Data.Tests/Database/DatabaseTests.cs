using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Tests.Database;

public sealed class DatabaseTests
{
    [Fact]
    public async Task Opening_migrates_to_the_latest_version_with_wal_and_foreign_keys()
    {
        await using var db = await TempDatabase.CreateAsync();
        Assert.Equal(AmiDialerDatabase.LatestVersion, await db.ScalarAsync("PRAGMA user_version"));
        await using var connection = await db.Database.OpenConnectionAsync();
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("PRAGMA foreign_keys"));
        Assert.True(await connection.ExecuteScalarAsync<int>("PRAGMA busy_timeout") >= 5000);
    }

    [Fact]
    public async Task A_new_file_gets_8_kb_pages_and_an_existing_file_keeps_its_own()
    {
        await using var db = await TempDatabase.CreateAsync();
        Assert.Equal(8192, await db.ScalarAsync("PRAGMA page_size"));

        var old = db.PathOf("old.db");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={old};Pooling=False"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("PRAGMA page_size = 4096; CREATE TABLE t (x INTEGER);");
        }

        var reopened = await AmiDialerDatabase.OpenAsync(old);
        await using var check = await reopened.OpenConnectionAsync();
        Assert.Equal(4096, await check.ExecuteScalarAsync<int>("PRAGMA page_size"));
        Assert.Equal(AmiDialerDatabase.LatestVersion, await check.ExecuteScalarAsync<int>("PRAGMA user_version"));
    }

    [Fact]
    public async Task Reopening_is_idempotent_and_leaves_quartz_tables_alone()
    {
        await using var db = await TempDatabase.CreateAsync();
        await using (var connection = await db.Database.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE qrtz_locks (sched_name TEXT, lock_name TEXT); INSERT INTO qrtz_locks VALUES ('s', 'TRIGGER_ACCESS');");
        }

        var campaign = await db.CreateCampaignAsync();
        var again = await AmiDialerDatabase.OpenAsync(db.Database.Path);
        Assert.Equal(AmiDialerDatabase.LatestVersion, again.SchemaVersion);
        Assert.Equal(1, await db.ScalarAsync("SELECT COUNT(*) FROM qrtz_locks"));
        Assert.NotNull(await db.Campaigns.GetAsync(campaign.Id));
    }

    [Fact]
    public async Task A_newer_schema_than_this_build_knows_is_refused()
    {
        await using var db = await TempDatabase.CreateAsync();
        await using (var connection = await db.Database.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"PRAGMA user_version = {AmiDialerDatabase.LatestVersion + 1}");
        }

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => AmiDialerDatabase.OpenAsync(db.Database.Path));
        Assert.Contains("newer than this build", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instants_are_stored_as_utc_text_and_read_back_equal()
    {
        await using var db = await TempDatabase.CreateAsync();
        var local = new DateTimeOffset(2026, 3, 8, 1, 30, 0, TimeSpan.FromHours(-5));
        await using var connection = await db.Database.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TABLE t (at TEXT, span INTEGER, id TEXT)");
        var id = Guid.NewGuid();
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO t VALUES (@local, @span, @id)", new { local, span = TimeSpan.FromSeconds(90), id }));
        Assert.Equal("2026-03-08T06:30:00.0000000Z", await connection.ExecuteScalarAsync<string>("SELECT at FROM t"));
        Assert.Equal(90_000, await connection.ExecuteScalarAsync<long>("SELECT span FROM t"));
        var row = await connection.QuerySingleAsync<(DateTimeOffset At, TimeSpan Span, Guid Id)>("SELECT at, span, id FROM t");
        Assert.Equal(local, row.At);
        Assert.Equal(TimeSpan.Zero, row.At.Offset);
        Assert.Equal(TimeSpan.FromSeconds(90), row.Span);
        Assert.Equal(id, row.Id);
    }

    [Fact]
    public async Task Foreign_keys_cascade_a_deleted_campaign()
    {
        await using var db = await TempDatabase.CreateAsync();
        var campaign = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("a.csv"), "phone\n2125550100\n");
        await db.Importer.ImportFileAsync(db.PathOf("a.csv"), new AmiDialer.Data.Import.CsvImportOptions { CampaignId = campaign.Id });
        Assert.Equal(1, await db.ScalarAsync("SELECT COUNT(*) FROM leads"));
        Assert.True(await db.Campaigns.DeleteAsync(campaign.Id, "tester"));
        Assert.Equal(0, await db.ScalarAsync("SELECT COUNT(*) FROM leads"));
        Assert.Equal(0, await db.ScalarAsync("SELECT COUNT(*) FROM campaign_counters"));
    }
}
