using System.Data.Common;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

public enum ImportStatus
{
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>The progress record of one import: how far it got, even after a crash.</summary>
public sealed record ImportRecord
{
    public long Id { get; init; }
    public long CampaignId { get; init; }
    public string FileName { get; init; } = "";
    public string Region { get; init; } = "";
    public ImportStatus Status { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long RowsRead { get; init; }
    public long RowsImported { get; init; }
    public long RowsRejected { get; init; }
    public long RowsDuplicate { get; init; }
    public long RowsBlocked { get; init; }

    /// <summary>The last CSV line whose batch is committed: everything up to it is in the database.</summary>
    public long LastCommittedLine { get; init; }
    public string? ErrorFile { get; init; }
    public string? Message { get; init; }
    public string Actor { get; init; } = "";
}

/// <summary>Import records. The importer writes them inside its batch transactions; others read them.</summary>
public sealed class ImportRepository(AmiDialerDatabase database)
{
    private const string SelectColumns = """
        SELECT id AS Id, campaign_id AS CampaignId, file_name AS FileName, region AS Region, status AS Status,
               started_at AS StartedAt, finished_at AS FinishedAt, rows_read AS RowsRead, rows_imported AS RowsImported,
               rows_rejected AS RowsRejected, rows_duplicate AS RowsDuplicate, rows_blocked AS RowsBlocked,
               last_committed_line AS LastCommittedLine, error_file AS ErrorFile, message AS Message, actor AS Actor
        FROM imports
        """;

    public async Task<ImportRecord?> GetAsync(long importId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ImportRow>(new CommandDefinition(
            SelectColumns + " WHERE id = @importId", new { importId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<ImportRecord>> ListAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ImportRow>(new CommandDefinition(
            SelectColumns + " WHERE campaign_id = @campaignId ORDER BY id", new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    internal static Task<long> CreateAsync(DbConnection connection, long campaignId, string fileName, string region, string actor, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO imports (campaign_id, file_name, region, status, started_at, actor)
            VALUES (@campaignId, @fileName, @region, 'running', @now, @actor) RETURNING id
            """, new { campaignId, fileName, region, now, actor }, cancellationToken: cancellationToken));

    internal static Task SaveProgressAsync(DbConnection connection, DbTransaction? transaction, long importId, ImportCounts counts, string? errorFile, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE imports SET rows_read = @RowsRead, rows_imported = @Imported, rows_rejected = @Rejected, rows_duplicate = @Duplicates,
                rows_blocked = @Blocked, last_committed_line = @LastCommittedLine, error_file = @errorFile
            WHERE id = @importId
            """, new { importId, counts.RowsRead, counts.Imported, counts.Rejected, counts.Duplicates, counts.Blocked, counts.LastCommittedLine, errorFile },
            transaction, cancellationToken: cancellationToken));

    internal static Task FinishAsync(DbConnection connection, long importId, ImportStatus status, DateTimeOffset now, string? message, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE imports SET status = @status, finished_at = @now, message = @message WHERE id = @importId",
            new { importId, status = StatusName(status), now, message }, cancellationToken: cancellationToken));

    internal static string StatusName(ImportStatus status) => status.ToString().ToLowerInvariant();

    private sealed class ImportRow
    {
        public long Id { get; set; }
        public long CampaignId { get; set; }
        public string FileName { get; set; } = "";
        public string Region { get; set; } = "";
        public string Status { get; set; } = "";
        public DateTimeOffset StartedAt { get; set; }
        public DateTimeOffset? FinishedAt { get; set; }
        public long RowsRead { get; set; }
        public long RowsImported { get; set; }
        public long RowsRejected { get; set; }
        public long RowsDuplicate { get; set; }
        public long RowsBlocked { get; set; }
        public long LastCommittedLine { get; set; }
        public string? ErrorFile { get; set; }
        public string? Message { get; set; }
        public string Actor { get; set; } = "";

        public ImportRecord ToRecord() => new()
        {
            Id = Id, CampaignId = CampaignId, FileName = FileName, Region = Region,
            Status = Enum.GetValues<ImportStatus>().First(s => StatusName(s) == Status),
            StartedAt = StartedAt, FinishedAt = FinishedAt, RowsRead = RowsRead, RowsImported = RowsImported,
            RowsRejected = RowsRejected, RowsDuplicate = RowsDuplicate, RowsBlocked = RowsBlocked,
            LastCommittedLine = LastCommittedLine, ErrorFile = ErrorFile, Message = Message, Actor = Actor,
        };
    }
}

/// <summary>Running totals of one import.</summary>
public sealed record ImportCounts
{
    public long RowsRead { get; init; }
    public long Imported { get; init; }
    public long Rejected { get; init; }
    public long Duplicates { get; init; }
    public long Blocked { get; init; }
    public long LastCommittedLine { get; init; }
}
