using System.Data.Common;
using System.Globalization;
using AmiDialer.Data.Database;
using Dapper;

namespace AmiDialer.Data.Repositories;

public enum ImportStatus
{
    Running,
    Completed,
    Failed,
    Cancelled,

    /// <summary>Its process died mid-import (killed, power lost): everything up to its last committed line is stored.</summary>
    Interrupted,
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

    /// <summary>The process that runs (or ran) the import, as <see cref="ProcessIdentity"/> names it.</summary>
    public string? Process { get; init; }

    /// <summary>When that process last said it was still importing.</summary>
    public DateTimeOffset? HeartbeatAt { get; init; }
}

/// <summary>
/// Import records. The importer writes them inside its batch transactions and keeps them alive with a heartbeat;
/// others read them. Reading first settles the records of imports whose process is gone (see <see cref="SettleAsync"/>).
/// </summary>
public sealed class ImportRepository(AmiDialerDatabase database, TimeProvider? time = null)
{
    /// <summary>How often a running import says it is alive.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    /// <summary>A running import silent for longer than this is taken for dead, even if a process of its name runs.</summary>
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeProvider time = time ?? TimeProvider.System;

    private const string SelectColumns = """
        SELECT id AS Id, campaign_id AS CampaignId, file_name AS FileName, region AS Region, status AS Status,
               started_at AS StartedAt, finished_at AS FinishedAt, rows_read AS RowsRead, rows_imported AS RowsImported,
               rows_rejected AS RowsRejected, rows_duplicate AS RowsDuplicate, rows_blocked AS RowsBlocked,
               last_committed_line AS LastCommittedLine, error_file AS ErrorFile, message AS Message, actor AS Actor,
               process AS Process, heartbeat_at AS HeartbeatAt
        FROM imports
        """;

    public async Task<ImportRecord?> GetAsync(long importId, CancellationToken cancellationToken = default)
    {
        await SettleAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ImportRow>(new CommandDefinition(
            SelectColumns + " WHERE id = @importId", new { importId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<ImportRecord>> ListAsync(long campaignId, CancellationToken cancellationToken = default)
    {
        await SettleAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ImportRow>(new CommandDefinition(
            SelectColumns + " WHERE campaign_id = @campaignId ORDER BY id", new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>
    /// Marks <c>interrupted</c> every running import whose process is gone, or whose heartbeat is older than
    /// <see cref="HeartbeatTimeout"/>; a live importer (this process, serve, another command) is left alone.
    /// Returns the records it marked.
    /// </summary>
    public async Task<IReadOnlyList<ImportRecord>> SettleAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var running = (await connection.QueryAsync<ImportRow>(new CommandDefinition(
            SelectColumns + " WHERE status = 'running'", cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        if (running.Count == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var staleBefore = now - HeartbeatTimeout;
        var marked = new List<ImportRecord>();
        foreach (var row in running)
        {
            var heartbeat = row.HeartbeatAt ?? row.StartedAt;
            var alive = ProcessIdentity.IsAlive(row.Process);
            string why;
            if (alive == false)
            {
                why = $"its process ({row.Process}) is gone";
            }
            else if (heartbeat < staleBefore)
            {
                why = string.Create(CultureInfo.InvariantCulture, $"no heartbeat from its process ({row.Process ?? "unknown"}) since {heartbeat:yyyy-MM-dd HH:mm:ss}Z");
            }
            else
            {
                continue;
            }

            var message = string.Create(CultureInfo.InvariantCulture,
                $"Interrupted after line {row.LastCommittedLine}: {why}. Import the same file again to complete it; rows already imported are skipped.");

            // The heartbeat is compared again in the update: an importer that spoke up since the read is alive.
            var changed = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE imports SET status = 'interrupted', finished_at = @now, message = @message
                WHERE id = @Id AND status = 'running' AND (@gone OR COALESCE(heartbeat_at, started_at) < @staleBefore)
                """, new { row.Id, now, message, gone = alive == false, staleBefore }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (changed == 1)
            {
                marked.Add(row.ToRecord() with { Status = ImportStatus.Interrupted, FinishedAt = now, Message = message });
            }
        }

        return marked;
    }

    internal static Task<long> CreateAsync(DbConnection connection, long campaignId, string fileName, string region, string actor, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO imports (campaign_id, file_name, region, status, started_at, actor, process, heartbeat_at)
            VALUES (@campaignId, @fileName, @region, 'running', @now, @actor, @process, @now) RETURNING id
            """, new { campaignId, fileName, region, now, actor, process = ProcessIdentity.Current }, cancellationToken: cancellationToken));

    /// <summary>
    /// Renews the heartbeat of a running import every <see cref="HeartbeatInterval"/> on a connection of its own,
    /// whether or not a batch commits (a slow upload, a long batch), until <paramref name="cancellationToken"/> ends it.
    /// </summary>
    internal static async Task KeepAliveAsync(AmiDialerDatabase database, long importId, TimeProvider time, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(HeartbeatInterval, time, cancellationToken).ConfigureAwait(false);
                await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE imports SET heartbeat_at = @now WHERE id = @importId AND status = 'running'",
                    new { importId, now = time.GetUtcNow() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (StoreErrors.IsStoreError(e))
            {
                // Busy past the timeout: the next beat tries again, well within HeartbeatTimeout.
            }
        }
    }

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
        public string? Process { get; set; }
        public DateTimeOffset? HeartbeatAt { get; set; }

        public ImportRecord ToRecord() => new()
        {
            Id = Id, CampaignId = CampaignId, FileName = FileName, Region = Region,
            Status = Enum.GetValues<ImportStatus>().First(s => StatusName(s) == Status),
            StartedAt = StartedAt, FinishedAt = FinishedAt, RowsRead = RowsRead, RowsImported = RowsImported,
            RowsRejected = RowsRejected, RowsDuplicate = RowsDuplicate, RowsBlocked = RowsBlocked,
            LastCommittedLine = LastCommittedLine, ErrorFile = ErrorFile, Message = Message, Actor = Actor,
            Process = Process, HeartbeatAt = HeartbeatAt,
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
