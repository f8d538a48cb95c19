using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Npgsql;

namespace AmiDialer.Data.Repositories;

public sealed partial class PostgresAttemptWriter
{
    private const string MarkLiveSql = "UPDATE attempts SET state = 'live' WHERE id = ANY($1) AND state = 'dialing'";

    private const string MarkAnsweredSql = """
        UPDATE attempts a SET state = 'live', answered_at = COALESCE(a.answered_at, u.answered_at)
        FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, answered_at)
        WHERE a.id = u.id AND a.state <> 'ended'
        """;

    // An ended attempt never changes again: the condition makes a second ending a no-op, and RETURNING gives what the
    // lead and the counters need without a read.
    private const string EndAttemptsSql = """
        UPDATE attempts a SET state = 'ended', ended_at = u.ended_at, outcome = u.outcome, failure_reason = u.failure_reason,
            reason = u.reason, dial_status = u.dial_status, hangup_cause = u.hangup_cause, hangup_cause_text = u.hangup_cause_text,
            answered_at = COALESCE(a.answered_at, u.answered_at), talk_seconds = u.talk_seconds
        FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::integer[], $8::text[], $9::timestamptz[], $10::double precision[])
            AS u(id, ended_at, outcome, failure_reason, reason, dial_status, hangup_cause, hangup_cause_text, answered_at, talk_seconds)
        WHERE a.id = u.id AND a.state <> 'ended'
        RETURNING a.id, a.lead_id, a.campaign_id, a.created_at
        """;

    private const string LockEndedLeadsSql = "SELECT id, state, final_outcome FROM leads WHERE id = ANY($1) ORDER BY id FOR UPDATE";

    private const string EndLeadsSql = """
        UPDATE leads l SET state = u.state, final_outcome = COALESCE(l.final_outcome, u.final_outcome), next_eligible_at = u.next_eligible_at
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[]) AS u(id, state, final_outcome, next_eligible_at)
        WHERE l.id = u.id
        """;

    // An Originate that never reached Asterisk called nobody: the lead's count of attempts goes back down.
    private const string UncountSql = "UPDATE leads SET attempt_count = attempt_count - 1 WHERE id = ANY($1) AND attempt_count > 0";

    private static async Task WriteMarksAsync(NpgsqlTransaction transaction, List<(long AttemptId, DateTimeOffset? AnsweredAt)> marks)
    {
        if (marks.Count == 0)
        {
            return;
        }

        var live = marks.Where(m => m.AnsweredAt is null).Select(m => m.AttemptId).Distinct().Order().ToArray();
        // One row per attempt (an UPDATE ... FROM changes a row once): the earliest answer, as COALESCE keeps the first.
        var answered = marks.Where(m => m.AnsweredAt is not null)
            .GroupBy(m => m.AttemptId, m => m.AnsweredAt!.Value)
            .Select(g => (Id: g.Key, At: g.Min().UtcDateTime))
            .OrderBy(m => m.Id)
            .ToArray();
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction);
        if (live.Length > 0)
        {
            batch.BatchCommands.Add(Command(MarkLiveSql, Param(live)));
        }

        if (answered.Length > 0)
        {
            batch.BatchCommands.Add(Command(MarkAnsweredSql, Param(answered.Select(a => a.Id).ToArray()), Param(answered.Select(a => a.At).ToArray())));
        }

        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Every ending of the request in this transaction: the attempts, their leads locked and moved, the counters.</summary>
    private static async Task<AttemptEndResult[]> EndAllAsync(NpgsqlTransaction transaction, IReadOnlyList<AttemptEnding> endings)
    {
        var connection = transaction.Connection!;
        var results = new AttemptEndResult[endings.Count];
        // The first ending of an attempt named twice ends it; the later find it ended, as they would one after another.
        var first = new Dictionary<long, int>();
        for (var i = 0; i < endings.Count; i++)
        {
            first.TryAdd(endings[i].AttemptId, i);
        }

        var todo = first.OrderBy(f => f.Key).Select(f => endings[f.Value]).ToArray();
        var ended = new Dictionary<long, (long LeadId, long CampaignId, DateTimeOffset CreatedAt)>();
        await using (var command = new NpgsqlCommand(EndAttemptsSql, connection, transaction))
        {
            command.Parameters.Add(Param(todo.Select(e => e.AttemptId).ToArray()));
            command.Parameters.Add(Param(todo.Select(e => Utc(e.EndedAt).UtcDateTime).ToArray()));
            command.Parameters.Add(Param(todo.Select(e => DbNames.Of(e.Outcome)).ToArray()));
            command.Parameters.Add(Param(todo.Select(e => e.FailureReason).ToArray()));
            command.Parameters.Add(Param(todo.Select(e => e.Reason).ToArray()));
            command.Parameters.Add(Param(todo.Select(e => e.DialStatus).ToArray()));
            command.Parameters.Add(Param(todo.Select(e => e.HangupCause).ToArray()));
            command.Parameters.Add(Param(todo.Select(e => e.HangupCauseText).ToArray()));
            command.Parameters.Add(Param(todo.Select(e => Utc(e.AnsweredAt)?.UtcDateTime).ToArray()));
            command.Parameters.Add(Param(todo.Select(e => e.TalkSeconds).ToArray()));
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                ended[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3));
            }
        }

        for (var i = 0; i < endings.Count; i++)
        {
            results[i] = new AttemptEndResult(first[endings[i].AttemptId] == i && ended.ContainsKey(endings[i].AttemptId), null);
        }

        if (ended.Count == 0)
        {
            return results;
        }

        var leadsWere = new Dictionary<long, (string State, bool Final)>();
        await using (var command = new NpgsqlCommand(LockEndedLeadsSql, connection, transaction))
        {
            command.Parameters.Add(Param(ended.Values.Select(e => e.LeadId).Distinct().ToArray()));
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                leadsWere[reader.GetInt64(0)] = (reader.GetString(1), !reader.IsDBNull(2));
            }
        }

        var counters = new CounterDeltas();
        var moves = todo.Where(e => ended.ContainsKey(e.AttemptId)).ToArray();
        foreach (var ending in moves)
        {
            var (leadId, campaignId, createdAt) = ended[ending.AttemptId];
            // A lead gone (deleted with its campaign meanwhile) moves nowhere: only the attempt's own counts change.
            var (state, final) = leadsWere.TryGetValue(leadId, out var was) ? (DbNames.LeadStateOf(was.State), was.Final) : (ending.LeadState, true);
            counters.Ended(campaignId, state, final, ending, CampaignCounters.HourKey(createdAt));
            if (leadsWere.ContainsKey(leadId))
            {
                // The next ending of the same lead in this request (a stale attempt ended with the live one) starts from here.
                leadsWere[leadId] = (DbNames.Of(ending.LeadState), final || ending.LeadFinalOutcome is not null);
            }
        }

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            var leads = moves.Select(e => (Ending: e, LeadId: ended[e.AttemptId].LeadId)).GroupBy(m => m.LeadId).Select(g => g.Last()).OrderBy(m => m.LeadId).ToArray();
            batch.BatchCommands.Add(Command(EndLeadsSql,
                Param(leads.Select(m => m.LeadId).ToArray()),
                Param(leads.Select(m => DbNames.Of(m.Ending.LeadState)).ToArray()),
                Param(leads.Select(m => Name(moves.Where(x => ended[x.AttemptId].LeadId == m.LeadId).Select(x => x.LeadFinalOutcome).FirstOrDefault(o => o is not null))).ToArray()),
                Param(leads.Select(m => Utc(m.Ending.LeadNextEligibleAt)?.UtcDateTime).ToArray())));
            var uncount = moves.Where(e => e.Outcome == CallOutcome.NotSent).Select(e => ended[e.AttemptId].LeadId).ToArray();
            if (uncount.Length > 0)
            {
                batch.BatchCommands.Add(Command(UncountSql, Param(uncount)));
            }

            PostgresCounterSink.AddTo(batch, counters);
            await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        PassEndingCommit();
        return results;
    }
}
