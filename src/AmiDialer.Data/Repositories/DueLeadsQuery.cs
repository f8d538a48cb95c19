using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// The due-leads query prepared once on a connection of its own, for the dialer, which asks it several times a
/// second: opening a pooled connection, preparing the SQL and mapping through Dapper each time cost more than the
/// query itself. Same rows and order as <see cref="LeadRepository.GetDueAsync"/>. One caller at a time.
/// </summary>
public sealed class DueLeadsQuery : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _command;

    internal DueLeadsQuery(SqliteConnection connection)
    {
        _connection = connection;
        _command = connection.CreateCommand();
        _command.CommandText = LeadRepository.DueSql;
        _command.Parameters.Add("$campaign", SqliteType.Integer);
        _command.Parameters.Add("$now", SqliteType.Text);
        _command.Parameters.Add("$limit", SqliteType.Integer);
        _command.Prepare();
    }

    /// <inheritdoc cref="LeadRepository.GetDueAsync"/>
    public async Task<IReadOnlyList<Lead>> GetAsync(long campaignId, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        _command.Parameters[0].Value = campaignId;
        _command.Parameters[1].Value = DapperTypeHandlers.ToDb(now);
        _command.Parameters[2].Value = limit;
        var leads = new List<Lead>(Math.Clamp(limit, 0, 64));
        await using var reader = await _command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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

        return leads;
    }

    public async ValueTask DisposeAsync()
    {
        await _command.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
