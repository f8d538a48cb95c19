using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Npgsql;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// The dialer's due leads on PostgreSQL. <c>FOR UPDATE SKIP LOCKED</c>: a lead whose claim is in flight on another node
/// (its row locked by that claim's transaction, see <see cref="PostgresAttemptWriter"/>) is passed over, not waited for,
/// and the next due lead is returned in its place, so nodes dialing side by side are not handed the same leads. The
/// query's own locks last only for the statement: the claim, not this read, is what makes a lead one node's.
/// Prepared once on the data source's connections (Npgsql prepares it per physical connection).
/// </summary>
public sealed class PostgresDueLeadsQuery(NpgsqlDataSource dataSource) : IDueLeadsQuery
{
    // Ordered by due time alone: read in the order of ix_leads_due_state (campaign, state, due time), stopping after
    // $4 rows. SQLite's index ends with the rowid, so its ORDER BY next_eligible_at, id costs nothing; here the id would
    // make PostgreSQL read and sort every due lead of the campaign (a million after an import, all due at one instant)
    // for each query. Leads due at the same instant come in index order, which for one import is file order (the
    // import inserts in file order), so the dialing order is SQLite's in practice; the id is not a promise here.
    private const string Sql = """
        SELECT id, campaign_id, phone, fields, time_zones, state, final_outcome, attempt_count, next_eligible_at FROM leads
        WHERE campaign_id = $1 AND state IN ('pending', 'waiting_retry') AND state = $2 AND next_eligible_at <= $3
        ORDER BY next_eligible_at LIMIT $4
        FOR UPDATE SKIP LOCKED
        """;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Lead>> GetAsync(long campaignId, DateTimeOffset now, int limit, LeadOrder order, CancellationToken cancellationToken = default)
    {
        var (first, second) = order == LeadOrder.FreshFirst ? (LeadState.Pending, LeadState.WaitingRetry) : (LeadState.WaitingRetry, LeadState.Pending);
        var leads = new List<Lead>(Math.Clamp(limit, 0, 64));
        if (limit <= 0)
        {
            return leads;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ReadAsync(connection, leads, campaignId, first, now, limit, cancellationToken).ConfigureAwait(false);
        if (leads.Count < limit)
        {
            await ReadAsync(connection, leads, campaignId, second, now, limit - leads.Count, cancellationToken).ConfigureAwait(false);
        }

        return leads;
    }

    private static async Task ReadAsync(NpgsqlConnection connection, List<Lead> leads, long campaignId, LeadState state, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = campaignId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = DbNames.Of(state) });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            leads.Add(new Lead
            {
                Id = reader.GetInt64(0),
                CampaignId = reader.GetInt64(1),
                PhoneE164 = reader.GetString(2),
                Fields = JsonSerializer.Deserialize(reader.GetString(3), DataJson.Default.DictionaryStringString) ?? [],
                TimeZones = JsonSerializer.Deserialize(reader.GetString(4), DataJson.Default.ListString) ?? [],
                State = DbNames.LeadStateOf(reader.GetString(5)),
                FinalOutcome = DbNames.OutcomeOf(reader.IsDBNull(6) ? null : reader.GetString(6)),
                AttemptCount = reader.GetInt32(7),
                NextEligibleAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
            });
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
