using Npgsql;

namespace AmiDialer.Data.Import;

/// <summary>The import's store on PostgreSQL: rows through <see cref="PostgresLeadImportWriter"/>, error CSVs in a configured folder.</summary>
internal sealed class PostgresLeadImportStore(NpgsqlDataSource dataSource, string errorFolder, TimeProvider time) : ILeadImportStore
{
    public string ErrorFolder => errorFolder;

    public async Task<HashSet<string>> LoadBlockedSetAsync(long campaignId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT number FROM dnc WHERE campaign_id IS NULL OR campaign_id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = campaignId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            numbers.Add(reader.GetString(0));
        }

        return numbers;
    }

    public async Task<ILeadImportWriter> OpenWriterAsync(LeadImportTarget target, CancellationToken cancellationToken) =>
        await PostgresLeadImportWriter.OpenAsync(dataSource, target, time, cancellationToken).ConfigureAwait(false);

    public bool IsStoreError(Exception e) => e is NpgsqlException;
}
