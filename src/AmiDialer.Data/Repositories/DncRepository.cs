using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Data.Repositories;

public enum DncSource
{
    Manual,
    Import,
    OptOut,
}

/// <summary>How a bulk add went: numbers new to the list, transactions, the longest and the total time holding the write lock.</summary>
internal sealed record DncAddStats(int Added, int Chunks, TimeSpan LongestHold, TimeSpan TotalHold);

/// <summary>Which entries to list: one campaign's, or only those for every campaign; a search in the number (its digits) or the note; a page.</summary>
public sealed record DncQuery
{
    public long? CampaignId { get; init; }
    public bool AllCampaignsOnly { get; init; }
    public string? Search { get; init; }
    public int Limit { get; init; } = 1000;
    public int Offset { get; init; }
}

/// <summary>What a removal did: whether the entry was there, the leads made dialable again, and those of the number still blocked in its scope.</summary>
public sealed record DncRemoval(bool Removed, int Unblocked, int StillBlocked);

public sealed record DncEntry
{
    public long Id { get; init; }
    public string Number { get; init; } = "";

    /// <summary>Null: every campaign.</summary>
    public long? CampaignId { get; init; }
    public DncSource Source { get; init; }
    public DateTimeOffset AddedAt { get; init; }
    public string AddedBy { get; init; } = "";
    public string? Note { get; init; }
}

/// <summary>
/// Do-not-call numbers (E.164; normalise with <see cref="Phones.PhoneNormalizer"/> first). Adding and removing are
/// audited. Adding also blocks the matching leads that are still dialable, so reports show them as blocked at once.
/// </summary>
public sealed partial class DncRepository(AmiDialerDatabase database, TimeProvider time, ILogger<DncRepository>? logger = null)
{
    private readonly ILogger logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Adds a number (no-op if already there for that scope). True when it was new.</summary>
    public async Task<bool> AddAsync(string e164, long? campaignId, DncSource source, string actor, string? note = null, CancellationToken cancellationToken = default)
    {
        var added = await AddManyAsync([e164], campaignId, source, actor, note, cancellationToken).ConfigureAwait(false);
        return added == 1;
    }

    /// <summary>
    /// Adds many numbers (a DNC list import); numbers already listed in that scope are left as they are. Returns how
    /// many were new. Works in short transactions, so a dialer sharing the file never waits long for the write lock:
    /// each chunk commits its numbers with their audit rows and the blocking of their leads, and its size adapts so
    /// one holds the lock about <see cref="ChunkTarget"/>, and the lock is left free for half as long between chunks. Every number is checked before anything is written.
    /// </summary>
    public async Task<int> AddManyAsync(IEnumerable<string> e164Numbers, long? campaignId, DncSource source, string actor, string? note = null, CancellationToken cancellationToken = default) =>
        (await AddInChunksAsync(e164Numbers, campaignId, source, actor, note, cancellationToken).ConfigureAwait(false)).Added;

    /// <summary><see cref="AddManyAsync"/>, with how its transactions went (the dnc bench prints them).</summary>
    internal async Task<DncAddStats> AddInChunksAsync(IEnumerable<string> e164Numbers, long? campaignId, DncSource source, string actor, string? note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e164Numbers);
        var numbers = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var number in e164Numbers)
        {
            RequireE164(number);
            if (seen.Add(number))
            {
                numbers.Add(number);
            }
        }

        var now = time.GetUtcNow();
        var added = 0;
        var chunks = 0;
        var longest = TimeSpan.Zero;
        var holding = TimeSpan.Zero;
        var dialect = database.Dialect;
        var sqlite = !dialect.IsPostgres;

        // SQLite has one write lock, so a chunk's size follows how long it held it; PostgreSQL locks rows, and a
        // chunk costs a few round trips whatever its size: the largest chunks, one after another.
        var chunk = sqlite ? FirstChunk : MaxChunk;
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // Checkpoints on a connection of their own, as the lead importer does: the add's transactions stay short,
        // and the copying happens beside them rather than after each commit. PostgreSQL checkpoints by itself.
        if (sqlite)
        {
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA wal_autocheckpoint = 0;", cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        try
        {
            await using var checkpointer = sqlite ? await WalCheckpointer.OpenAsync(database, long.MaxValue, cancellationToken).ConfigureAwait(false) : null;
            for (var offset = 0; offset < numbers.Count;)
            {
                var slice = numbers.GetRange(offset, Math.Min(chunk, numbers.Count - offset));
                var began = Stopwatch.GetTimestamp();
                IReadOnlyList<string> fresh;
                await using (var transaction = connection.BeginTransaction())
                {
                    fresh = await AddChunkAsync(connection, transaction, dialect, slice, campaignId, source, actor, note, now, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                // The lock's real hold time, not the application's clock: it is what other writers wait for.
                var held = Stopwatch.GetElapsedTime(began);
                checkpointer?.Request();
                chunks++;
                holding += held;
                longest = held > longest ? held : longest;
                if (sqlite)
                {
                    var scale = held <= TimeSpan.Zero ? 1.5 : Math.Min(1.5, ChunkTarget / held);
                    chunk = (int)Math.Clamp(chunk * scale, 1, MaxChunk);
                }

                offset += slice.Count;
                added += fresh.Count;
                foreach (var number in fresh)
                {
                    logger.DncChanged("add", number, Scope(campaignId), actor);
                }

                if (sqlite && offset < numbers.Count)
                {
                    // SQLite queues no one: a writer waiting for the lock polls (every 1-25 ms in its first 100 ms),
                    // and would lose every race against a loop that begins again at once. A pause of half the hold
                    // lets the dialer in between chunks.
                    await Task.Delay(held / 2, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (sqlite)
            {
                // Pooled handles keep their settings: give this one back as it came.
                await connection.ExecuteAsync(new CommandDefinition("PRAGMA wal_autocheckpoint = 1000;", cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            }
        }

        return new DncAddStats(added, chunks, longest, holding);
    }

    /// <summary>How long one chunk of <see cref="AddManyAsync"/> aims to hold the write lock (the ceiling asked is 100 ms; a loaded machine stretches a chunk).</summary>
    internal static readonly TimeSpan ChunkTarget = TimeSpan.FromMilliseconds(30);

    private const int FirstChunk = 256;
    private const int MaxChunk = 8192;

    /// <summary>Numbers of <paramref name="numbers"/> found in campaign <c>@campaignId</c>'s dialable leads, by the (campaign, phone) key.</summary>
    internal static string DialableInCampaignSql(SqlDialect dialect) => $"""
        SELECT l.id AS Id, l.campaign_id AS CampaignId, l.state AS State
        FROM {dialect.JsonValues("@numbers")} AS n {dialect.OrderedJoin} leads AS l ON l.campaign_id = @campaignId AND l.phone = n.value
        WHERE l.state IN ('pending', 'waiting_retry')
        """;

    /// <summary>
    /// The same across every campaign: one (campaign, phone) key lookup per campaign and number. No index on the
    /// phone alone: every lead import and every call would pay to keep it, and campaigns are few.
    /// </summary>
    internal static string DialableEverywhereSql(SqlDialect dialect) => $"""
        SELECT l.id AS Id, l.campaign_id AS CampaignId, l.state AS State
        FROM {dialect.JsonValues("@numbers")} AS n CROSS JOIN campaigns AS c {dialect.OrderedJoin} leads AS l ON l.campaign_id = c.id AND l.phone = n.value
        WHERE l.state IN ('pending', 'waiting_retry')
        """;

    private static async Task<IReadOnlyList<string>> AddChunkAsync(
        System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, SqlDialect dialect, List<string> numbers, long? campaignId,
        DncSource source, string actor, string? note, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The unique (number, scope) index skips what is already listed; RETURNING names only the rows inserted.
        // (WHERE true: SQLite would read ON CONFLICT as the start of a join's ON clause.)
        var fresh = (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            INSERT INTO dnc (number, campaign_id, source, added_at, added_by, note)
            SELECT value, @campaignId, @source, @now, @actor, @note FROM {dialect.JsonValues("@numbers")} AS n WHERE true
            ON CONFLICT DO NOTHING
            RETURNING number
            """, new { numbers = Json(numbers), campaignId, source = SourceName(source), now, actor, note }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        if (fresh.Count == 0)
        {
            return fresh;
        }

        var freshJson = Json(fresh);
        var leads = (await connection.QueryAsync<(long Id, long CampaignId, string State)>(new CommandDefinition(
            campaignId is null ? DialableEverywhereSql(dialect) : DialableInCampaignSql(dialect), new { numbers = freshJson, campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        if (leads.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE leads SET state = 'blocked', next_eligible_at = NULL WHERE id IN (SELECT CAST(value AS bigint) FROM {dialect.JsonValues("@ids")} AS n)",
                new { ids = JsonSerializer.Serialize(leads.Select(l => l.Id).ToList(), DataJson.Default.ListInt64) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            foreach (var group in leads.GroupBy(l => (l.CampaignId, l.State)))
            {
                await CampaignCounters.MoveLeadAsync(connection, transaction, group.Key.CampaignId, DbNames.LeadStateOf(group.Key.State), LeadState.Blocked, group.Count(), cancellationToken).ConfigureAwait(false);
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO audit_log (at, actor, action, subject, details) SELECT @now, @actor, 'dnc.add', value, @details FROM {dialect.JsonValues("@numbers")} AS n",
            new { now, actor, numbers = freshJson, details = $"scope={Scope(campaignId)} source={SourceName(source)}" }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return fresh;
    }

    private static string Json(List<string> values) => JsonSerializer.Serialize(values, DataJson.Default.ListString);

    /// <summary>Removes a number from one scope, leaving the leads it blocked blocked (the block is kept as proof). True when it was there.</summary>
    public async Task<bool> RemoveAsync(string e164, long? campaignId, string actor, string? reason = null, CancellationToken cancellationToken = default) =>
        (await RemoveAsync(e164, campaignId, unblock: false, actor, reason, cancellationToken).ConfigureAwait(false)).Removed;

    /// <summary>
    /// Removes a number from one scope and, with <paramref name="unblock"/>, makes the leads it blocked dialable again
    /// in the same transaction (each audited). A lead another entry still lists (the number for every campaign, or
    /// for the lead's own) stays blocked. The answer counts the leads unblocked and those still blocked.
    /// </summary>
    public async Task<DncRemoval> RemoveAsync(string e164, long? campaignId, bool unblock, string actor, string? reason, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM dnc WHERE number = @e164 AND COALESCE(campaign_id, 0) = COALESCE(@campaignId, 0)",
            new { e164, campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (removed == 0)
        {
            return new DncRemoval(false, 0, 0);
        }

        await AuditLog.WriteAsync(connection, transaction, now, actor, "dnc.remove", e164, $"scope={Scope(campaignId)} unblock={(unblock ? "yes" : "no")} reason={reason}", cancellationToken).ConfigureAwait(false);
        var (unblocked, stillBlocked) = await UnblockInAsync(connection, transaction, e164, campaignId, unblock, actor, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        logger.DncChanged("remove", e164, Scope(campaignId), actor);
        if (unblocked > 0)
        {
            logger.DncLeadsUnblocked(unblocked, e164, Scope(campaignId), actor, stillBlocked);
        }

        return new DncRemoval(true, unblocked, stillBlocked);
    }

    /// <summary>
    /// Unblocks the leads of <paramref name="e164"/> in one scope that no entry lists any more (a removal made without
    /// unblocking, offered again later). Audited. Counts the leads unblocked and those still blocked by an entry.
    /// </summary>
    public async Task<DncRemoval> UnblockAsync(string e164, long? campaignId, string actor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var (unblocked, stillBlocked) = await UnblockInAsync(connection, transaction, e164, campaignId, true, actor, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (unblocked > 0)
        {
            logger.DncLeadsUnblocked(unblocked, e164, Scope(campaignId), actor, stillBlocked);
        }

        return new DncRemoval(false, unblocked, stillBlocked);
    }

    /// <summary>How many leads of a number are blocked in a scope, and how many of those no entry lists any more (what unblocking would free).</summary>
    public async Task<(int Blocked, int Unlisted)> CountBlockedAsync(string e164, long? campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var leads = await BlockedLeadsAsync(connection, null, e164, campaignId, cancellationToken).ConfigureAwait(false);
        return (leads.Count, leads.Count(l => !l.Listed));
    }

    private async Task<(int Unblocked, int StillBlocked)> UnblockInAsync(
        System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string e164, long? campaignId, bool unblock, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var leads = await BlockedLeadsAsync(connection, transaction, e164, campaignId, cancellationToken).ConfigureAwait(false);
        var free = leads.Where(l => !l.Listed).ToList();
        if (!unblock || free.Count == 0)
        {
            return (0, leads.Count);
        }

        // Back to where the block took it from: a lead with calls behind it was waiting for a retry, else pending. Due at once;
        // the dialer applies the calling hours as for any lead.
        foreach (var lead in free)
        {
            var state = lead.AttemptCount > 0 ? LeadState.WaitingRetry : LeadState.Pending;
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE leads SET state = @state, next_eligible_at = @now WHERE id = @Id AND state = 'blocked'",
                new { state = DbNames.Of(state), now, lead.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await CampaignCounters.MoveLeadAsync(connection, transaction, lead.CampaignId, LeadState.Blocked, state, 1, cancellationToken).ConfigureAwait(false);
            await AuditLog.WriteAsync(connection, transaction, now, actor, "dnc.unblock", e164, $"lead={lead.Id} campaign={lead.CampaignId} state={DbNames.Of(state)}", cancellationToken).ConfigureAwait(false);
        }

        return (free.Count, leads.Count - free.Count);
    }

    /// <summary>The number's blocked leads in a scope (one campaign, or every one by the (campaign, phone) key), each with whether an entry still lists it for its campaign.</summary>
    private async Task<List<BlockedLead>> BlockedLeadsAsync(
        System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string e164, long? campaignId, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<BlockedLead>(new CommandDefinition(
            $"""
            SELECT l.id AS Id, l.campaign_id AS CampaignId, l.attempt_count AS AttemptCount,
                   EXISTS (SELECT 1 FROM dnc d WHERE d.number = l.phone AND (d.campaign_id IS NULL OR d.campaign_id = l.campaign_id)) AS Listed
            FROM campaigns AS c {database.Dialect.OrderedJoin} leads AS l ON l.campaign_id = c.id AND l.phone = @e164
            WHERE (@campaignId IS NULL OR c.id = @campaignId) AND l.state = 'blocked'
            """, new { e164, campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();

    private sealed class BlockedLead
    {
        public long Id { get; set; }
        public long CampaignId { get; set; }
        public long AttemptCount { get; set; }
        public bool Listed { get; set; }
    }

    /// <summary>True when the number is on the list for every campaign or for this one. Checked again just before each dial.</summary>
    public async Task<bool> IsBlockedAsync(string e164, long campaignId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var found = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM dnc WHERE number = @e164 AND (campaign_id IS NULL OR campaign_id = @campaignId) LIMIT 1",
            new { e164, campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return found is not null;
    }

    /// <summary>Entries, newest first; <paramref name="campaignId"/> null lists every scope.</summary>
    public Task<IReadOnlyList<DncEntry>> ListAsync(long? campaignId = null, int limit = 1000, int offset = 0, CancellationToken cancellationToken = default) =>
        ListAsync(new DncQuery { CampaignId = campaignId, Limit = limit, Offset = offset }, cancellationToken);

    /// <summary>Entries matching <paramref name="query"/>, newest first.</summary>
    public async Task<IReadOnlyList<DncEntry>> ListAsync(DncQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, string Number, long? CampaignId, string Source, DateTimeOffset AddedAt, string AddedBy, string? Note)>(new CommandDefinition(
            "SELECT id, number, campaign_id, source, added_at, added_by, note FROM dnc" + QueryFilter(database.Dialect) + " ORDER BY id DESC LIMIT @limit OFFSET @offset",
            QueryArgs(query), cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new DncEntry
        {
            Id = r.Id, Number = r.Number, CampaignId = r.CampaignId, Source = SourceOf(r.Source), AddedAt = r.AddedAt, AddedBy = r.AddedBy, Note = r.Note,
        }).ToList();
    }

    /// <summary>How many entries match <paramref name="query"/> (its page ignored).</summary>
    public async Task<long> CountAsync(DncQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM dnc" + QueryFilter(database.Dialect), QueryArgs(query), cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    // A note matches whatever its case, as SQLite's LIKE does for ASCII.
    private static string QueryFilter(SqlDialect dialect) => $"""
         WHERE (@campaignId IS NULL OR campaign_id = @campaignId)
           AND (@allCampaignsOnly = 0 OR campaign_id IS NULL)
           AND (@digits IS NULL OR number LIKE @digits ESCAPE '\' OR note {dialect.LikeInsensitive} @text ESCAPE '\')
        """;

    private static object QueryArgs(DncQuery query)
    {
        var search = query.Search?.Trim();
        var digits = string.IsNullOrEmpty(search) ? null : new string(search.Where(char.IsAsciiDigit).ToArray());
        return new
        {
            campaignId = query.CampaignId,
            allCampaignsOnly = query.AllCampaignsOnly ? 1 : 0,
            // A search with no digit matches notes only: an empty digit pattern would match every number.
            digits = string.IsNullOrEmpty(search) ? null : digits!.Length == 0 ? "\u0001" : "%" + digits + "%",
            text = string.IsNullOrEmpty(search) ? null : "%" + search.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%",
            limit = query.Limit,
            offset = query.Offset,
        };
    }

    /// <summary>The numbers that block a campaign, for the importer (held in memory for the length of one import).</summary>
    internal async Task<HashSet<string>> LoadBlockedSetAsync(long campaignId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var numbers = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT number FROM dnc WHERE campaign_id IS NULL OR campaign_id = @campaignId", new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new HashSet<string>(numbers, StringComparer.Ordinal);
    }

    private static void RequireE164(string number)
    {
        if (!E164().IsMatch(number ?? ""))
        {
            throw new ArgumentException($"'{number}' is not an E.164 number (+ and 7 to 15 digits); normalise it first.", nameof(number));
        }
    }

    private static string Scope(long? campaignId) => campaignId is { } id ? $"campaign:{id}" : "all";

    public static string SourceName(DncSource source) => source switch
    {
        DncSource.Manual => "manual",
        DncSource.Import => "import",
        DncSource.OptOut => "opt-out",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    private static DncSource SourceOf(string name) => Enum.GetValues<DncSource>().First(s => SourceName(s) == name);

    [GeneratedRegex(@"^\+[1-9]\d{6,14}$")]
    private static partial Regex E164();
}
