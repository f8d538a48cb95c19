using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Testing.Postgres;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace AmiDialer.Data.Tests;

/// <summary>
/// A real store in its own temp folder, deleted afterwards: a SQLite file, or a fresh database on the test class's
/// throwaway PostgreSQL (<see cref="CreateAsync(StoreProvider, PostgresFixture?)"/>).
/// </summary>
public sealed class TempDatabase : IAsyncDisposable
{
    private TempDatabase(string folder, AmiDialerDatabase database, FakeTimeProvider time)
    {
        Folder = folder;
        Database = database;
        Time = time;
    }

    public string Folder { get; }
    public AmiDialerDatabase Database { get; }
    public FakeTimeProvider Time { get; }

    public StoreProvider Provider => Database.Provider;

    public static Task<TempDatabase> CreateAsync() => CreateAsync(StoreProvider.Sqlite, null);

    /// <summary>A fresh store of <paramref name="provider"/>: PostgreSQL needs the test class's <paramref name="postgres"/>.</summary>
    public static async Task<TempDatabase> CreateAsync(StoreProvider provider, PostgresFixture? postgres)
    {
        var folder = Path.Combine(Path.GetTempPath(), "amidialer-data-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var database = provider == StoreProvider.Postgres
            ? await AmiDialerDatabase.OpenPostgresAsync(
                await (postgres ?? throw new ArgumentNullException(nameof(postgres))).CreateDatabaseAsync("store"), Path.Combine(folder, "test.db"))
            : await AmiDialerDatabase.OpenAsync(Path.Combine(folder, "test.db"));
        return new TempDatabase(folder, database, new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 14, 0, 0, TimeSpan.Zero)));
    }

    public string PathOf(string name) => Path.Combine(Folder, name);

    public CampaignRepository Campaigns => new(Database, Time);
    public LeadRepository Leads => new(Database);
    public AttemptRepository Attempts => new(Database);
    public LeaseRepository Leases => new(Database, Time);
    public ReportRepository Reports => new(Database);
    public DncRepository Dnc => new(Database, Time);
    public ImportRepository Imports => new(Database);
    public AmiDialer.Data.Import.CsvLeadImporter Importer => new(Database, Time);

    public async Task<Campaign> CreateCampaignAsync(string name = "test") =>
        await Campaigns.CreateAsync(new Campaign { Name = name }, "tester");

    /// <summary>
    /// A campaign with <paramref name="count"/> leads imported by the real importer (SQLite's writer or PostgreSQL's COPY):
    /// +1 212 555 0000 upwards, named n0, n1..., pending and due now.
    /// </summary>
    public async Task<Campaign> CreateCampaignWithLeadsAsync(int count)
    {
        var campaign = await CreateCampaignAsync();
        var csv = "phone,name\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"212555{i:0000},n{i}\n"));
        await File.WriteAllTextAsync(PathOf("leads.csv"), csv);
        var result = await Importer.ImportFileAsync(PathOf("leads.csv"), new AmiDialer.Data.Import.CsvImportOptions { CampaignId = campaign.Id });
        Assert.Equal(count, result.Imported);
        return campaign;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        await Task.Yield();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
