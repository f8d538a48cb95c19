using System.Diagnostics;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using Dapper;
using AmiDialer.Testing.Postgres;

namespace AmiDialer.Data.Tests.Repositories;

/// <summary>Running import records: settled as interrupted only when their process is gone or silent past 30 s.</summary>
public sealed class ImportRecordTests(PostgresFixture postgres) : StoreTests(postgres)
{
    [Theory, SqliteStore, PostgresStore]
    public async Task A_running_import_is_interrupted_when_its_process_is_gone_or_its_heartbeat_is_stale_and_not_before(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var c = await db.CreateCampaignAsync();
        var started = db.Time.GetUtcNow();
        var live = await InsertRunningAsync(db, c.Id, ProcessIdentity.Current, started, 120);
        var gone = await InsertRunningAsync(db, c.Id, DeadProcess(), started, 42);
        var elsewhere = await InsertRunningAsync(db, c.Id, "another-host:1:1700000000000", started, 7);
        var imports = new ImportRepository(db.Database, db.Time);

        // At once: only the one whose process has exited, whatever its heartbeat says.
        db.Time.Advance(TimeSpan.FromSeconds(20));
        var first = Assert.Single(await imports.SettleAsync());
        Assert.Equal(gone, first.Id);
        var record = (await imports.GetAsync(gone))!;
        Assert.Equal(ImportStatus.Interrupted, record.Status);
        Assert.Equal(42, record.LastCommittedLine);
        Assert.StartsWith("Interrupted after line 42: its process (", record.Message, StringComparison.Ordinal);
        Assert.Equal(db.Time.GetUtcNow(), record.FinishedAt);
        Assert.Equal(ImportStatus.Running, (await imports.GetAsync(live))!.Status);
        Assert.Equal(ImportStatus.Running, (await imports.GetAsync(elsewhere))!.Status);

        // A heartbeat keeps one alive; past 30 s of silence even a live process's import is taken for dead.
        await Heartbeat(db, live, db.Time.GetUtcNow());
        db.Time.Advance(TimeSpan.FromSeconds(11));
        var stale = Assert.Single(await imports.SettleAsync());
        Assert.Equal(elsewhere, stale.Id);
        Assert.Contains("after line 7: no heartbeat from its process (another-host:1:1700000000000)", stale.Message, StringComparison.Ordinal);
        Assert.Equal(ImportStatus.Running, (await imports.GetAsync(live))!.Status);

        db.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(live, Assert.Single(await imports.SettleAsync()).Id);
        Assert.Empty(await imports.SettleAsync());
        Assert.All(await imports.ListAsync(c.Id), r => Assert.Equal(ImportStatus.Interrupted, r.Status));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task An_import_beats_while_it_runs_and_its_record_names_this_process(StoreProvider store)
    {
        await using var db = await OpenAsync(store);
        var c = await db.CreateCampaignAsync();
        var id = await InsertRunningAsync(db, c.Id, ProcessIdentity.Current, db.Time.GetUtcNow(), 0);
        using var stop = new CancellationTokenSource();
        var beating = ImportRepository.KeepAliveAsync(db.Database, id, db.Time, stop.Token);

        // The beat waits on the fake clock: move it on until the record shows a later time than its start.
        var began = db.Time.GetUtcNow();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        DateTimeOffset? seen = began;
        while (seen <= began && DateTime.UtcNow < deadline)
        {
            db.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
            seen = (await new ImportRepository(db.Database, db.Time).GetAsync(id))!.HeartbeatAt;
        }

        Assert.True(seen > began, $"no heartbeat after {db.Time.GetUtcNow() - began}");
        Assert.True(seen - began >= ImportRepository.HeartbeatInterval, $"a beat after {seen - began}");
        Assert.Equal(ImportStatus.Running, (await new ImportRepository(db.Database, db.Time).GetAsync(id))!.Status);
        await stop.CancelAsync();
        await beating;

        Assert.True(ProcessIdentity.IsAlive(ProcessIdentity.Current));
        Assert.False(ProcessIdentity.IsAlive(DeadProcess()));
        Assert.Null(ProcessIdentity.IsAlive("another-host:1:0"));
        Assert.Null(ProcessIdentity.IsAlive("not an identity"));
    }

    [Fact]
    public async Task The_importer_names_its_process_and_completes_its_record()
    {
        await using var db = await TempDatabase.CreateAsync();
        var c = await db.CreateCampaignAsync();
        await File.WriteAllTextAsync(db.PathOf("l.csv"), "phone\n2125550100\n2125550101\n");
        var result = await db.Importer.ImportFileAsync(db.PathOf("l.csv"), new AmiDialer.Data.Import.CsvImportOptions { CampaignId = c.Id });
        var record = (await new ImportRepository(db.Database, db.Time).GetAsync(result.ImportId))!;
        Assert.Equal(ImportStatus.Completed, record.Status);
        Assert.Equal(ProcessIdentity.Current, record.Process);
        Assert.Equal(db.Time.GetUtcNow(), record.HeartbeatAt);
    }

    private static string DeadProcess()
    {
        using var child = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        child.WaitForExit();
        return ProcessIdentity.Describe(Environment.MachineName, child.Id, DateTimeOffset.UtcNow);
    }

    private static async Task<long> InsertRunningAsync(TempDatabase db, long campaignId, string process, DateTimeOffset at, long lastLine)
    {
        await using var connection = await db.Database.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO imports (campaign_id, file_name, region, status, started_at, actor, process, heartbeat_at, last_committed_line)
            VALUES (@campaignId, 'leads.csv', 'US', 'running', @at, 'tester', @process, @at, @lastLine) RETURNING id
            """, new { campaignId, process, at, lastLine });
    }

    private static async Task Heartbeat(TempDatabase db, long importId, DateTimeOffset at)
    {
        await using var connection = await db.Database.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE imports SET heartbeat_at = @at WHERE id = @importId", new { importId, at });
    }
}
