using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// The due-leads query prepared once on a connection of its own, for the dialer, which asks it several times a
/// second: opening a pooled connection, preparing the SQL and mapping through Dapper each time cost more than the
/// query itself. Same rows and order as <see cref="LeadRepository.GetDueAsync"/>. One caller at a time.
/// </summary>
public sealed class DueLeadsQuery : IDueLeadsQuery
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _command;
    private readonly SqliteCommand _byState;

    internal DueLeadsQuery(SqliteConnection connection)
    {
        _connection = connection;
        _command = connection.CreateCommand();
        _command.CommandText = LeadRepository.DueSql;
        _command.Parameters.Add("$campaign", SqliteType.Integer);
        _command.Parameters.Add("$now", SqliteType.Text);
        _command.Parameters.Add("$limit", SqliteType.Integer);
        _command.Prepare();
        _byState = connection.CreateCommand();
        _byState.CommandText = LeadRepository.DueByStateSql;
        _byState.Parameters.Add("$campaign", SqliteType.Integer);
        _byState.Parameters.Add("$state", SqliteType.Text);
        _byState.Parameters.Add("$now", SqliteType.Text);
        _byState.Parameters.Add("$limit", SqliteType.Integer);
        _byState.Prepare();
    }

    /// <summary>
    /// Up to <paramref name="limit"/> due leads in the campaign's <paramref name="order"/>: the due leads of the first
    /// kind (retries or fresh), earliest first, then the other kind's to fill the room. Fresh leads are due since their
    /// import, so by due time alone a retry would wait behind every one of them.
    /// </summary>
    public async Task<IReadOnlyList<Lead>> GetAsync(long campaignId, DateTimeOffset now, int limit, LeadOrder order, CancellationToken cancellationToken = default)
    {
        var (first, second) = order == LeadOrder.FreshFirst ? (LeadState.Pending, LeadState.WaitingRetry) : (LeadState.WaitingRetry, LeadState.Pending);
        var leads = new List<Lead>(Math.Clamp(limit, 0, 64));
        await ReadByStateAsync(leads, campaignId, first, now, limit, cancellationToken).ConfigureAwait(false);
        if (leads.Count < limit)
        {
            await ReadByStateAsync(leads, campaignId, second, now, limit - leads.Count, cancellationToken).ConfigureAwait(false);
        }

        return leads;
    }

    private async Task ReadByStateAsync(List<Lead> leads, long campaignId, LeadState state, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        _byState.Parameters[0].Value = campaignId;
        _byState.Parameters[1].Value = DbNames.Of(state);
        _byState.Parameters[2].Value = DapperTypeHandlers.ToDb(now);
        _byState.Parameters[3].Value = limit;
        await using var reader = await _byState.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await ReadAsync(reader, leads, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="LeadRepository.GetDueAsync"/>
    public async Task<IReadOnlyList<Lead>> GetAsync(long campaignId, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        _command.Parameters[0].Value = campaignId;
        _command.Parameters[1].Value = DapperTypeHandlers.ToDb(now);
        _command.Parameters[2].Value = limit;
        var leads = new List<Lead>(Math.Clamp(limit, 0, 64));
        await using var reader = await _command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await ReadAsync(reader, leads, cancellationToken).ConfigureAwait(false);
        return leads;
    }

    private static async Task ReadAsync(SqliteDataReader reader, List<Lead> leads, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            leads.Add(LeadRepository.LeadRow.Build(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetString(8)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _command.DisposeAsync().ConfigureAwait(false);
        await _byState.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
