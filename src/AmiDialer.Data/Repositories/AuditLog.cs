using System.Data.Common;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

/// <summary>Who changed what, when. Written inside the transaction of the change it records.</summary>
public sealed class AuditLog(AmiDialerDatabase database)
{
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit = 100, string? subject = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AuditEntry>(new CommandDefinition(
            """
            SELECT id AS Id, at AS At, actor AS Actor, action AS Action, subject AS Subject, details AS Details
            FROM audit_log WHERE (@subject IS NULL OR subject = @subject) ORDER BY id DESC LIMIT @limit
            """, new { limit, subject }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToList();
    }

    /// <summary>Records an action that changes nothing in this store (e.g. an agent paused on the PBX), in a transaction of its own.</summary>
    public async Task RecordAsync(DateTimeOffset at, string actor, string action, string subject, string? details, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(connection, transaction, at, actor, action, subject, details, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static Task WriteAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset at, string actor, string action, string subject, string? details, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO audit_log (at, actor, action, subject, details) VALUES (@at, @actor, @action, @subject, @details)",
            new { at, actor, action, subject, details }, transaction, cancellationToken: cancellationToken));
}

public sealed record AuditEntry
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string Actor { get; init; } = "";
    public string Action { get; init; } = "";
    public string Subject { get; init; } = "";
    public string? Details { get; init; }
}
