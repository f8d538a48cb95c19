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

    /// <summary>Adds many numbers in one transaction (a DNC list import). Returns how many were new.</summary>
    public async Task<int> AddManyAsync(IEnumerable<string> e164Numbers, long? campaignId, DncSource source, string actor, string? note = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(e164Numbers);
        var now = time.GetUtcNow();
        var added = 0;
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        foreach (var number in e164Numbers)
        {
            RequireE164(number);
            var inserted = await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO dnc (number, campaign_id, source, added_at, added_by, note)
                SELECT @number, @campaignId, @source, @now, @actor, @note
                WHERE NOT EXISTS (SELECT 1 FROM dnc WHERE number = @number AND COALESCE(campaign_id, 0) = COALESCE(@campaignId, 0))
                """, new { number, campaignId, source = SourceName(source), now, actor, note }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (inserted == 0)
            {
                continue;
            }

            added++;
            await BlockDialableLeadsAsync(connection, transaction, number, campaignId, cancellationToken).ConfigureAwait(false);
            await AuditLog.WriteAsync(connection, transaction, now, actor, "dnc.add", number, $"scope={Scope(campaignId)} source={SourceName(source)}", cancellationToken).ConfigureAwait(false);
            logger.DncChanged("add", number, Scope(campaignId), actor);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>Removes a number from one scope. Leads already blocked stay blocked (the block is kept as proof). True when it was there.</summary>
    public async Task<bool> RemoveAsync(string e164, long? campaignId, string actor, string? reason = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM dnc WHERE number = @e164 AND COALESCE(campaign_id, 0) = COALESCE(@campaignId, 0)",
            new { e164, campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (removed == 0)
        {
            return false;
        }

        await AuditLog.WriteAsync(connection, transaction, now, actor, "dnc.remove", e164, $"scope={Scope(campaignId)} reason={reason}", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        logger.DncChanged("remove", e164, Scope(campaignId), actor);
        return true;
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
    public async Task<IReadOnlyList<DncEntry>> ListAsync(long? campaignId = null, int limit = 1000, int offset = 0, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, string Number, long? CampaignId, string Source, DateTimeOffset AddedAt, string AddedBy, string? Note)>(new CommandDefinition(
            """
            SELECT id, number, campaign_id, source, added_at, added_by, note FROM dnc
            WHERE (@campaignId IS NULL OR campaign_id = @campaignId) ORDER BY id DESC LIMIT @limit OFFSET @offset
            """, new { campaignId, limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new DncEntry
        {
            Id = r.Id, Number = r.Number, CampaignId = r.CampaignId, Source = SourceOf(r.Source), AddedAt = r.AddedAt, AddedBy = r.AddedBy, Note = r.Note,
        }).ToList();
    }

    /// <summary>The numbers that block a campaign, for the importer (held in memory for the length of one import).</summary>
    internal async Task<HashSet<string>> LoadBlockedSetAsync(long campaignId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var numbers = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT number FROM dnc WHERE campaign_id IS NULL OR campaign_id = @campaignId", new { campaignId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new HashSet<string>(numbers, StringComparer.Ordinal);
    }

    private static async Task BlockDialableLeadsAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string number, long? campaignId, CancellationToken cancellationToken)
    {
        var leads = await connection.QueryAsync<(long Id, long CampaignId, string State)>(new CommandDefinition(
            """
            SELECT id, campaign_id, state FROM leads
            WHERE phone = @number AND state IN ('pending', 'waiting_retry') AND (@campaignId IS NULL OR campaign_id = @campaignId)
            """, new { number, campaignId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var lead in leads.ToList())
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE leads SET state = 'blocked', next_eligible_at = NULL WHERE id = @Id", new { lead.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await CampaignCounters.MoveLeadAsync(connection, transaction, lead.CampaignId, DbNames.LeadStateOf(lead.State), LeadState.Blocked, 1, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void RequireE164(string number)
    {
        if (!E164().IsMatch(number ?? ""))
        {
            throw new ArgumentException($"'{number}' is not an E.164 number (+ and 7 to 15 digits); normalise it first.", nameof(number));
        }
    }

    private static string Scope(long? campaignId) => campaignId is { } id ? $"campaign:{id}" : "all";

    internal static string SourceName(DncSource source) => source switch
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
