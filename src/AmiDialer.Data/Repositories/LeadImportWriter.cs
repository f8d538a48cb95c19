using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// The importer's side of the leads table: one prepared insert reused for every row, one transaction per batch that
/// also moves the counters and the import record, so a committed batch is complete and a crash loses only the
/// batch in flight. Duplicates (in the file or already in the campaign) are left to the unique key.
/// </summary>
internal sealed class LeadImportWriter : IAsyncDisposable
{
    private readonly SqliteConnection connection;
    private readonly SqliteCommand insert;
    private readonly SqliteParameter phone;
    private readonly SqliteParameter fields;
    private readonly SqliteParameter zones;
    private readonly SqliteParameter state;
    private readonly SqliteParameter next;
    private readonly SqliteParameter line;
    private readonly long campaignId;
    private readonly long importId;
    private SqliteTransaction? transaction;
    private int pendingAdded;
    private int blockedAdded;

    private LeadImportWriter(SqliteConnection connection, long campaignId, long importId)
    {
        this.connection = connection;
        this.campaignId = campaignId;
        this.importId = importId;
        insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO leads (campaign_id, phone, fields, time_zones, state, next_eligible_at, import_id, source_line)
            VALUES ($campaign, $phone, $fields, $zones, $state, $next, $import, $line)
            ON CONFLICT (campaign_id, phone) DO NOTHING
            """;
        insert.Parameters.AddWithValue("$campaign", campaignId);
        insert.Parameters.AddWithValue("$import", importId);
        phone = insert.Parameters.Add("$phone", SqliteType.Text);
        fields = insert.Parameters.Add("$fields", SqliteType.Text);
        zones = insert.Parameters.Add("$zones", SqliteType.Text);
        state = insert.Parameters.Add("$state", SqliteType.Text);
        next = insert.Parameters.Add("$next", SqliteType.Text);
        line = insert.Parameters.Add("$line", SqliteType.Integer);
    }

    /// <summary>Creates the import record (the first write of an import) and readies the insert.</summary>
    public static async Task<LeadImportWriter> OpenAsync(AmiDialerDatabase database, long campaignId, string fileName, string region, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT id FROM campaigns WHERE id = @campaignId", new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (exists is null)
            {
                throw new CsvImportTargetMissingException($"Campaign {campaignId} does not exist.");
            }

            // A bigger page cache for the bulk insert: the unique and due indexes take random inserts.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA cache_size = -65536;", cancellationToken: cancellationToken)).ConfigureAwait(false);
            var importId = await ImportRepository.CreateAsync(connection, campaignId, fileName, region, actor, now, cancellationToken).ConfigureAwait(false);
            return new LeadImportWriter(connection, campaignId, importId);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public long ImportId => importId;

    public void BeginBatch()
    {
        transaction = connection.BeginTransaction();
        insert.Transaction = transaction;
        pendingAdded = 0;
        blockedAdded = 0;
    }

    /// <summary>Inserts one lead; false when the campaign already has the number (a duplicate).</summary>
    public bool Insert(string e164, string fieldsJson, string zonesJson, bool blocked, DateTimeOffset eligibleAt, long sourceLine)
    {
        phone.Value = e164;
        fields.Value = fieldsJson;
        zones.Value = zonesJson;
        state.Value = blocked ? "blocked" : "pending";
        next.Value = blocked ? DBNull.Value : DapperTypeHandlers.ToDb(eligibleAt);
        line.Value = sourceLine;
        if (insert.ExecuteNonQuery() == 0)
        {
            return false;
        }

        if (blocked)
        {
            blockedAdded++;
        }
        else
        {
            pendingAdded++;
        }

        return true;
    }

    public async Task CommitBatchAsync(ImportCounts counts, string? errorFile, Action? beforeCommit, CancellationToken cancellationToken)
    {
        var tx = transaction ?? throw new InvalidOperationException("No batch open.");
        await CampaignCounters.AddAsync(connection, tx, campaignId, CampaignCounters.State(LeadState.Pending), pendingAdded, cancellationToken).ConfigureAwait(false);
        await CampaignCounters.AddAsync(connection, tx, campaignId, CampaignCounters.State(LeadState.Blocked), blockedAdded, cancellationToken).ConfigureAwait(false);
        await ImportRepository.SaveProgressAsync(connection, tx, importId, counts, errorFile, cancellationToken).ConfigureAwait(false);
        beforeCommit?.Invoke();
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await tx.DisposeAsync().ConfigureAwait(false);
        transaction = null;
    }

    public async Task RollbackBatchAsync()
    {
        if (transaction is { } tx)
        {
            transaction = null;
            await tx.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            await tx.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task FinishAsync(ImportStatus status, DateTimeOffset now, string? message, CancellationToken cancellationToken) =>
        ImportRepository.FinishAsync(connection, importId, status, now, message, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await RollbackBatchAsync().ConfigureAwait(false);
        await insert.DisposeAsync().ConfigureAwait(false);
        try
        {
            connection.Execute("PRAGMA cache_size = -2000;");
        }
        catch (SqliteException)
        {
            // The connection is going back to the pool; a failed reset only costs memory.
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>The campaign to import into does not exist.</summary>
public sealed class CsvImportTargetMissingException(string message) : Exception(message);
