using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Data.Import;

/// <summary>The import's store on SQLite: the error CSVs beside the file, the rows through <see cref="LeadImportWriter"/>.</summary>
internal sealed class SqliteLeadImportStore(AmiDialerDatabase database, TimeProvider time) : ILeadImportStore
{
    public string ErrorFolder => Path.Combine(Path.GetDirectoryName(database.Path) ?? ".", "imports");

    public Task<HashSet<string>> LoadBlockedSetAsync(long campaignId, CancellationToken cancellationToken) =>
        new DncRepository(database, time).LoadBlockedSetAsync(campaignId, cancellationToken);

    public async Task<ILeadImportWriter> OpenWriterAsync(LeadImportTarget target, CancellationToken cancellationToken) =>
        await LeadImportWriter.OpenAsync(database, target.CampaignId, target.FileName, target.Region, target.Actor, target.EligibleAt, target.WalSettleRows, time, cancellationToken).ConfigureAwait(false);

    public bool IsStoreError(Exception e) => e is Microsoft.Data.Sqlite.SqliteException;
}
