using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Web;

/// <summary>The repositories the endpoints use, over one database opened (and migrated) on first use.</summary>
internal sealed class WebData(WebBackend backend, ILoggerFactory loggers)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private AmiDialerDatabase? database;

    public async Task<AmiDialerDatabase> DatabaseAsync(CancellationToken ct)
    {
        if (database is { } open)
        {
            return open;
        }

        await gate.WaitAsync(ct);
        try
        {
            return database ??= await AmiDialerDatabase.OpenAsync(backend.DatabasePath, loggers.CreateLogger("AmiDialer.Data"), ct);
        }
        finally
        {
            gate.Release();
        }
    }

    public DateTimeOffset Now => backend.Time.GetUtcNow();

    public async Task<CampaignRepository> CampaignsAsync(CancellationToken ct) =>
        new(await DatabaseAsync(ct), backend.Time, loggers.CreateLogger<CampaignRepository>());

    public async Task<ReportRepository> ReportsAsync(CancellationToken ct) => new(await DatabaseAsync(ct));

    public async Task<LeadRepository> LeadsAsync(CancellationToken ct) => new(await DatabaseAsync(ct));

    public async Task<ImportRepository> ImportsAsync(CancellationToken ct) => new(await DatabaseAsync(ct));

    public async Task<DncRepository> DncAsync(CancellationToken ct) =>
        new(await DatabaseAsync(ct), backend.Time, loggers.CreateLogger<DncRepository>());
}
