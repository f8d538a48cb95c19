using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Web;

/// <summary>The repositories the endpoints use, from the shared composition root.</summary>
internal sealed class WebData(WebBackend backend)
{
    public DateTimeOffset Now => backend.Time.GetUtcNow();

    /// <summary>The composition root, for what needs more than a repository (the pre-flight check of a start).</summary>
    public Hosting.AppServices Services => backend.Services;

    public TimeProvider Time => backend.Time;

    /// <summary>The dialing engine, when this process runs one (serve does; tests may not).</summary>
    public Engine.DialerEngine? Engine => backend.Services.Engine;

    public Task<AmiDialerDatabase> DatabaseAsync(CancellationToken ct) => Task.FromResult(backend.Services.Database);

    public Task<CampaignRepository> CampaignsAsync(CancellationToken ct) => Task.FromResult(backend.Services.Campaigns);

    public Task<ReportRepository> ReportsAsync(CancellationToken ct) => Task.FromResult(backend.Services.Reports);

    public Task<LeadRepository> LeadsAsync(CancellationToken ct) => Task.FromResult(backend.Services.Leads);

    public Task<AttemptRepository> AttemptsAsync(CancellationToken ct) => Task.FromResult(backend.Services.Attempts);

    public Task<ImportRepository> ImportsAsync(CancellationToken ct) => Task.FromResult(backend.Services.Imports);

    public Task<DncRepository> DncAsync(CancellationToken ct) => Task.FromResult(backend.Services.Dnc);
}
