using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Npgsql;
using NpgsqlTypes;

namespace AmiDialer.Data.Repositories;

public sealed partial class PostgresAttemptWriter
{
    // The lease rows the claims are fenced by, share-locked to the commit: a takeover's update waits for it, so a
    // fence seen held stays held until the claims are on disk.
    private const string FenceSql = "SELECT key, owner FROM leases WHERE key = ANY($1) FOR SHARE";

    private const string DncSql = "SELECT number, campaign_id FROM dnc WHERE number = ANY($1)";

    // The claim's lock: leads another transaction holds (another node claiming them right now) are skipped rather than
    // waited for, and those returned are this transaction's until it commits, so the decisions below stay true.
    private const string LockLeadsSql = """
        SELECT id, campaign_id, state, attempt_count, next_eligible_at <= $2 FROM leads
        WHERE id = ANY($1) AND state IN ('pending', 'waiting_retry')
        ORDER BY id
        FOR UPDATE SKIP LOCKED
        """;

    private const string BlockSql = "UPDATE leads SET state = 'blocked', next_eligible_at = NULL WHERE id = ANY($1)";

    private const string ClaimLeadsSql = "UPDATE leads SET state = 'in_progress', attempt_count = attempt_count + 1, next_eligible_at = NULL WHERE id = ANY($1)";

    private const string InsertAttemptsSql = """
        INSERT INTO attempts (lead_id, campaign_id, action_id, channel_id, server, state, created_at, is_simulated, lease_key)
        SELECT u.lead_id, u.campaign_id, u.action_id, u.channel_id, u.server, 'dialing', $8, u.is_simulated, COALESCE(u.lease_key, 'campaign:' || u.campaign_id)
        FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[])
            AS u(lead_id, campaign_id, action_id, channel_id, server, is_simulated, lease_key)
        RETURNING id, lead_id
        """;

    private readonly record struct LockedLead(long CampaignId, string State, int AttemptCount, bool Due);

    /// <summary>
    /// Every claim of the request in this transaction: three round trips whatever their number, then the commit. Claims
    /// with a server cap first lock their servers (<see cref="ServerSlots"/>) and count what is open on them.
    /// </summary>
    private static async Task<DialClaimResult[]> ClaimAllAsync(NpgsqlTransaction transaction, IReadOnlyList<DialClaim> claims, DateTimeOffset now)
    {
        var connection = transaction.Connection!;
        var at = Utc(now).UtcDateTime;
        var fences = claims.Where(c => c.Fence is not null).Select(c => c.Fence!.Key).Distinct().ToArray();
        var held = new HashSet<(string, string)>();
        var blockedScopes = new HashSet<(string Number, long? Campaign)>();
        var locked = new Dictionary<long, LockedLead>();
        var caps = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var claim in claims)
        {
            if (claim.ServerCap is { } cap)
            {
                caps[claim.Attempt.Server] = Math.Max(cap, caps.GetValueOrDefault(claim.Attempt.Server));
            }
        }

        var open = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var read = new NpgsqlBatch(connection, transaction))
        {
            if (caps.Count > 0)
            {
                // Before anything is read: each statement of the batch takes its own snapshot, so the count sees every
                // claim committed by whoever held the lock before.
                read.BatchCommands.Add(Command(ServerSlots.PostgresLockSql, Param(caps.Keys.ToArray())));
                read.BatchCommands.Add(Command(ServerSlots.PostgresCountSql, Param(caps.Keys.ToArray()), Param(caps.Values.ToArray())));
            }

            read.BatchCommands.Add(Command(FenceSql, Param(fences)));
            read.BatchCommands.Add(Command(DncSql, Param(claims.Select(c => c.PhoneE164).Distinct().ToArray())));
            read.BatchCommands.Add(Command(LockLeadsSql, Param(claims.Select(c => c.Attempt.LeadId).Distinct().ToArray()), Param(at)));
            await using var reader = await read.ExecuteReaderAsync().ConfigureAwait(false);
            if (caps.Count > 0)
            {
                await reader.NextResultAsync().ConfigureAwait(false);
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    open[reader.GetString(0)] = (int)reader.GetInt64(1);
                }

                await reader.NextResultAsync().ConfigureAwait(false);
            }

            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                held.Add((reader.GetString(0), reader.GetString(1)));
            }

            await reader.NextResultAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                blockedScopes.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1)));
            }

            await reader.NextResultAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                locked[reader.GetInt64(0)] = new LockedLead(reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3), !reader.IsDBNull(4) && reader.GetBoolean(4));
            }
        }

        var results = new DialClaimResult[claims.Count];
        var counters = new CounterDeltas();
        var block = new List<long>();
        var claimed = new List<int>();
        for (var i = 0; i < claims.Count; i++)
        {
            var claim = claims[i];
            var leadId = claim.Attempt.LeadId;
            if (claim.Fence is { } fence && !held.Contains((fence.Key, fence.Owner)))
            {
                results[i] = new DialClaimResult(DialClaimStatus.LeaseLost);
                continue;
            }

            // Removed once decided: the same lead twice in one request is claimed once.
            if (!locked.Remove(leadId, out var lead) || lead.CampaignId != claim.CampaignId
                || (claim.LeadState is { } stated && DbNames.Of(stated) != lead.State)
                || (claim is { LeadState: not null, AttemptCount: { } count } && count != lead.AttemptCount))
            {
                results[i] = new DialClaimResult(DialClaimStatus.NotClaimable);
                continue;
            }

            var from = DbNames.LeadStateOf(lead.State);
            if (blockedScopes.Contains((claim.PhoneE164, null)) || blockedScopes.Contains((claim.PhoneE164, claim.CampaignId)))
            {
                block.Add(leadId);
                counters.Blocked(claim.CampaignId, from);
                results[i] = new DialClaimResult(DialClaimStatus.Blocked);
                continue;
            }

            if (!lead.Due)
            {
                results[i] = new DialClaimResult(DialClaimStatus.NotClaimable);
                continue;
            }

            int? serverOpen = null;
            if (claim.ServerCap is { } cap)
            {
                var onServer = open.GetValueOrDefault(claim.Attempt.Server);
                if (onServer >= cap)
                {
                    results[i] = new DialClaimResult(DialClaimStatus.ServerFull) { ServerOpen = onServer };
                    continue;
                }

                open[claim.Attempt.Server] = onServer + 1;
                serverOpen = onServer + 1;
            }

            claimed.Add(i);
            counters.Claimed(claim.CampaignId, from);
            results[i] = new DialClaimResult(DialClaimStatus.Claimed) { PriorAttempts = lead.AttemptCount, ServerOpen = serverOpen };
        }

        await using (var write = new NpgsqlBatch(connection, transaction))
        {
            if (block.Count > 0)
            {
                write.BatchCommands.Add(Command(BlockSql, Param(block.ToArray())));
            }

            if (claimed.Count > 0)
            {
                var c = claimed.Select(i => claims[i]).ToArray();
                write.BatchCommands.Add(Command(ClaimLeadsSql, Param(c.Select(x => x.Attempt.LeadId).ToArray())));
                write.BatchCommands.Add(Command(InsertAttemptsSql,
                    Param(c.Select(x => x.Attempt.LeadId).ToArray()),
                    Param(c.Select(x => x.CampaignId).ToArray()),
                    Param(c.Select(x => x.Attempt.ActionId).ToArray()),
                    Param(c.Select(x => x.Attempt.ChannelId).ToArray()),
                    Param(c.Select(x => x.Attempt.Server).ToArray()),
                    Param(c.Select(x => x.Attempt.IsSimulated).ToArray()),
                    Param(c.Select(x => x.Attempt.LeaseKey).ToArray()),
                    Param(at)));
            }

            PostgresCounterSink.AddTo(write, counters);
            if (write.BatchCommands.Count == 0)
            {
                return results;
            }

            var ids = new Dictionary<long, long>();
            await using var reader = await write.ExecuteReaderAsync().ConfigureAwait(false);
            do
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    if (reader.FieldCount == 2)
                    {
                        ids[reader.GetInt64(1)] = reader.GetInt64(0);
                    }
                }
            }
            while (await reader.NextResultAsync().ConfigureAwait(false));

            foreach (var i in claimed)
            {
                var claim = claims[i];
                results[i] = results[i] with { Attempt = claim.Attempt.Dialing(ids[claim.Attempt.LeadId], claim.CampaignId, now) };
            }
        }

        return results;
    }

    internal static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    internal static NpgsqlParameter Param<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    internal static NpgsqlParameter Param(string?[] value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
}
