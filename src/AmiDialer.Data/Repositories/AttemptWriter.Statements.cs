using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Repositories;

public sealed partial class AttemptWriter
{
    /// <summary>
    /// The writer's statements on its own connection, each prepared once and re-bound per use: parsing SQL was the
    /// largest single cost of a claim or an ending when every call opened a pooled connection and its own commands.
    /// </summary>
    private sealed class Statements : IDisposable
    {
        private readonly List<SqliteCommand> _all = [];
        private readonly SqliteCommand _begin;
        private readonly SqliteCommand _commit;
        private readonly SqliteCommand _rollback;
        private readonly SqliteCommand _savepoint;
        private readonly SqliteCommand _release;
        private readonly SqliteCommand _rollbackTo;
        private readonly SqliteCommand _isBlocked;
        private readonly SqliteCommand _leadState;
        private readonly SqliteCommand _block;
        private readonly SqliteCommand _claimLead;
        private readonly SqliteCommand _attemptCount;
        private readonly SqliteCommand _insertAttempt;
        private readonly SqliteCommand _openAttempt;
        private readonly SqliteCommand _markLive;
        private readonly SqliteCommand _endAttempt;
        private readonly SqliteCommand _leadForEnd;
        private readonly SqliteCommand _endLead;
        private readonly SqliteCommand _endInProgressLead;
        private readonly SqliteCommand _addCounter;
        private readonly SqliteCommand _addHour;
        private bool _inTransaction;

        public Statements(SqliteConnection connection)
        {
            // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads first could be refused
            // its upgrade (SQLITE_BUSY) by another process's writer after doing work.
            _begin = Command(connection, "BEGIN IMMEDIATE");
            _commit = Command(connection, "COMMIT");
            _rollback = Command(connection, "ROLLBACK");
            _savepoint = Command(connection, "SAVEPOINT request");
            _release = Command(connection, "RELEASE request");
            _rollbackTo = Command(connection, "ROLLBACK TO request");
            _isBlocked = Command(connection, "SELECT 1 FROM dnc WHERE number = $number AND (campaign_id IS NULL OR campaign_id = $campaign) LIMIT 1",
                ("$number", SqliteType.Text), ("$campaign", SqliteType.Integer));
            _leadState = Command(connection, "SELECT state, attempt_count FROM leads WHERE id = $lead AND campaign_id = $campaign",
                ("$lead", SqliteType.Integer), ("$campaign", SqliteType.Integer));
            _block = Command(connection, "UPDATE leads SET state = 'blocked', next_eligible_at = NULL WHERE id = $lead AND campaign_id = $campaign AND state = $state AND state IN ('pending', 'waiting_retry')",
                ("$lead", SqliteType.Integer), ("$state", SqliteType.Text), ("$campaign", SqliteType.Integer));
            // The conditional update is the claim: of two claimers only one sees its row change.
            // No RETURNING on the statements below: SQLite runs a RETURNING clause as a trigger, and a statement with a
            // trigger that may abort half-way (a NOT NULL or UNIQUE check) copies every page it changes into a
            // statement journal first, in case it must undo itself alone: 8 KB copied, allocated and freed per page.
            _claimLead = Command(connection, """
                UPDATE leads SET state = 'in_progress', attempt_count = attempt_count + 1, next_eligible_at = NULL
                WHERE id = $lead AND campaign_id = $campaign AND state = $state AND state IN ('pending', 'waiting_retry') AND next_eligible_at <= $now
                """, ("$lead", SqliteType.Integer), ("$state", SqliteType.Text), ("$now", SqliteType.Text), ("$campaign", SqliteType.Integer));
            _attemptCount = Command(connection, "SELECT attempt_count FROM leads WHERE id = $lead", ("$lead", SqliteType.Integer));
            _insertAttempt = Command(connection, AttemptRepository.InsertDialingSql,
                ("@leadId", SqliteType.Integer), ("@campaignId", SqliteType.Integer), ("@actionId", SqliteType.Text), ("@channelId", SqliteType.Text),
                ("@server", SqliteType.Text), ("@now", SqliteType.Text), ("@isSimulated", SqliteType.Integer));
            _markLive = Command(connection, "UPDATE attempts SET state = 'live' WHERE id = $attempt AND state = 'dialing'", ("$attempt", SqliteType.Integer));
            _openAttempt = Command(connection, "SELECT lead_id, campaign_id, created_at FROM attempts WHERE id = $attempt AND state <> 'ended'",
                ("$attempt", SqliteType.Integer));
            _endAttempt = Command(connection, """
                UPDATE attempts SET state = 'ended', ended_at = $endedAt, outcome = $outcome, failure_reason = $failureReason,
                    reason = $reason, dial_status = $dialStatus, hangup_cause = $hangupCause, hangup_cause_text = $hangupCauseText,
                    answered_at = COALESCE(answered_at, $answeredAt), talk_seconds = $talkSeconds
                WHERE id = $attempt
                """, ("$attempt", SqliteType.Integer), ("$endedAt", SqliteType.Text), ("$outcome", SqliteType.Text), ("$failureReason", SqliteType.Text),
                ("$reason", SqliteType.Text), ("$dialStatus", SqliteType.Text), ("$hangupCause", SqliteType.Integer), ("$hangupCauseText", SqliteType.Text),
                ("$answeredAt", SqliteType.Text), ("$talkSeconds", SqliteType.Real));
            _leadForEnd = Command(connection, "SELECT state, final_outcome FROM leads WHERE id = $lead", ("$lead", SqliteType.Integer));
            _endLead = Command(connection, "UPDATE leads SET state = $state, final_outcome = COALESCE(final_outcome, $finalOutcome), next_eligible_at = $next WHERE id = $lead",
                ("$lead", SqliteType.Integer), ("$state", SqliteType.Text), ("$finalOutcome", SqliteType.Text), ("$next", SqliteType.Text));
            // The usual case, the lead in progress with no final outcome yet, in one statement: its old values are known
            // when it changes a row, so the counters need no read first.
            _endInProgressLead = Command(connection, """
                UPDATE leads SET state = $state, final_outcome = $finalOutcome, next_eligible_at = $next
                WHERE id = $lead AND state = 'in_progress' AND final_outcome IS NULL
                """, ("$lead", SqliteType.Integer), ("$state", SqliteType.Text), ("$finalOutcome", SqliteType.Text), ("$next", SqliteType.Text));
            _addCounter = Command(connection, CampaignCounters.AddSql.Replace("@", "$", StringComparison.Ordinal),
                ("$campaignId", SqliteType.Integer), ("$name", SqliteType.Text), ("$delta", SqliteType.Real));
            _addHour = Command(connection, """
                INSERT INTO campaign_hourly (campaign_id, hour_utc, attempts, answered, talk_seconds) VALUES ($campaign, $hour, $attempts, $answered, $talk)
                ON CONFLICT (campaign_id, hour_utc) DO UPDATE SET attempts = campaign_hourly.attempts + excluded.attempts,
                    answered = campaign_hourly.answered + excluded.answered, talk_seconds = campaign_hourly.talk_seconds + excluded.talk_seconds
                """, ("$campaign", SqliteType.Integer), ("$hour", SqliteType.Text), ("$attempts", SqliteType.Integer), ("$answered", SqliteType.Integer), ("$talk", SqliteType.Real));
        }

        public void Begin()
        {
            _begin.ExecuteNonQuery();
            _inTransaction = true;
        }

        public void Commit()
        {
            _commit.ExecuteNonQuery();
            _inTransaction = false;
        }

        public void Rollback()
        {
            if (_inTransaction)
            {
                _inTransaction = false;
                _rollback.ExecuteNonQuery();
            }
        }

        /// <summary>
        /// Keeps statement journals in memory. SQLite saves each page changed inside a savepoint (or by a statement it
        /// may have to undo alone) to a statement journal, a temporary file by default: when every request had its own
        /// savepoint the engine bench measured about 100 KB of such writes per call, four fifths of all the dialer
        /// wrote, plus an open, unlink and close per transaction. The journal holds at most the pages of one batch.
        /// </summary>
        public void UseMemoryJournals() => Execute("PRAGMA temp_store = MEMORY");

        /// <summary>Undoes <see cref="UseMemoryJournals"/>; false when the connection would not take it.</summary>
        public bool TryRestoreJournals()
        {
            try
            {
                if (_inTransaction)
                {
                    Rollback();
                }

                Execute("PRAGMA temp_store = DEFAULT");
                return true;
            }
            catch (SqliteException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        private void Execute(string sql)
        {
            using var command = _begin.Connection!.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        public void Savepoint() => _savepoint.ExecuteNonQuery();

        public void Release() => _release.ExecuteNonQuery();

        /// <summary>Undoes everything since the savepoint, which stays open: release it too, so savepoints never nest.</summary>
        public void RollbackToSavepoint()
        {
            _rollbackTo.ExecuteNonQuery();
            _release.ExecuteNonQuery();
        }

        /// <summary>
        /// Claims one lead and writes its attempt. With <paramref name="isolated"/> false (no savepoint of its own), a
        /// store error after the lead changed is thrown rather than reported, so the caller can undo the whole request.
        /// </summary>
        public DialClaimResult Claim(DialClaim claim, DateTimeOffset now, CounterDeltas counters, bool isolated)
        {
            var a = claim.Attempt;
            string state;
            if (claim.LeadState is { } known)
            {
                // The state the dialer read the lead in: the conditional updates below refuse it if it changed since.
                state = DbNames.Of(known);
            }
            else
            {
                _leadState.Parameters[0].Value = a.LeadId;
                _leadState.Parameters[1].Value = claim.CampaignId;
                using var reader = _leadState.ExecuteReader();
                if (!reader.Read())
                {
                    return new DialClaimResult(DialClaimStatus.NotClaimable);
                }

                state = reader.GetString(0);
            }

            var from = DbNames.LeadStateOf(state);
            _isBlocked.Parameters[0].Value = claim.PhoneE164;
            _isBlocked.Parameters[1].Value = claim.CampaignId;
            if (_isBlocked.ExecuteScalar() is not null)
            {
                _block.Parameters[0].Value = a.LeadId;
                _block.Parameters[1].Value = state;
                _block.Parameters[2].Value = claim.CampaignId;
                if (_block.ExecuteNonQuery() == 0)
                {
                    return new DialClaimResult(DialClaimStatus.NotClaimable);
                }

                counters.MoveLead(claim.CampaignId, from, LeadState.Blocked);
                return new DialClaimResult(DialClaimStatus.Blocked);
            }

            _claimLead.Parameters[0].Value = a.LeadId;
            _claimLead.Parameters[1].Value = state;
            _claimLead.Parameters[2].Value = DapperTypeHandlers.ToDb(now);
            _claimLead.Parameters[3].Value = claim.CampaignId;
            if (_claimLead.ExecuteNonQuery() == 0)
            {
                return new DialClaimResult(DialClaimStatus.NotClaimable);
            }

            _attemptCount.Parameters[0].Value = a.LeadId;
            var prior = (int)(long)_attemptCount.ExecuteScalar()! - 1;
            var p = _insertAttempt.Parameters;
            p[0].Value = a.LeadId;
            p[1].Value = claim.CampaignId;
            p[2].Value = a.ActionId;
            p[3].Value = a.ChannelId;
            p[4].Value = a.Server;
            p[5].Value = DapperTypeHandlers.ToDb(now);
            p[6].Value = a.IsSimulated ? 1 : 0;
            long id;
            try
            {
                _insertAttempt.ExecuteNonQuery();
                id = AttemptRepository.LastRowId(_insertAttempt.Connection!);
            }
            catch (SqliteException e) when (isolated && AttemptRepository.IsOpenAttemptConflict(e))
            {
                return new DialClaimResult(DialClaimStatus.NotClaimable);
            }

            counters.MoveLead(claim.CampaignId, from, LeadState.InProgress);
            counters.Add(claim.CampaignId, CampaignCounters.Attempts, 1);
            return new DialClaimResult(DialClaimStatus.Claimed, new Attempt
            {
                Id = id,
                LeadId = a.LeadId,
                CampaignId = claim.CampaignId,
                State = AttemptState.Dialing,
                ActionId = a.ActionId,
                ChannelId = a.ChannelId,
                Server = a.Server,
                CreatedAt = now,
                IsSimulated = a.IsSimulated,
            })
            {
                PriorAttempts = prior,
            };
        }

        public int MarkLive(long attemptId)
        {
            _markLive.Parameters[0].Value = attemptId;
            return _markLive.ExecuteNonQuery();
        }

        /// <summary>The same changes as <see cref="AttemptRepository.EndAsync"/>; false when the attempt was already ended.</summary>
        public bool End(AttemptEnding ending, CounterDeltas counters)
        {
            long leadId, campaignId;
            string createdAt;
            _openAttempt.Parameters[0].Value = ending.AttemptId;
            using (var reader = _openAttempt.ExecuteReader())
            {
                if (!reader.Read())
                {
                    return false;
                }

                leadId = reader.GetInt64(0);
                campaignId = reader.GetInt64(1);
                createdAt = reader.GetString(2);
            }

            var p = _endAttempt.Parameters;
            p[0].Value = ending.AttemptId;
            p[1].Value = DapperTypeHandlers.ToDb(ending.EndedAt);
            p[2].Value = DbNames.Of(ending.Outcome);
            p[3].Value = (object?)ending.FailureReason ?? DBNull.Value;
            p[4].Value = (object?)ending.Reason ?? DBNull.Value;
            p[5].Value = (object?)ending.DialStatus ?? DBNull.Value;
            p[6].Value = (object?)ending.HangupCause ?? DBNull.Value;
            p[7].Value = (object?)ending.HangupCauseText ?? DBNull.Value;
            p[8].Value = (object?)DapperTypeHandlers.ToDb(ending.AnsweredAt) ?? DBNull.Value;
            p[9].Value = (object?)ending.TalkSeconds ?? DBNull.Value;
            _endAttempt.ExecuteNonQuery();

            string state;
            string? finalOutcome;
            var q = _endInProgressLead.Parameters;
            q[0].Value = leadId;
            q[1].Value = DbNames.Of(ending.LeadState);
            q[2].Value = ending.LeadFinalOutcome is { } f ? DbNames.Of(f) : DBNull.Value;
            q[3].Value = (object?)DapperTypeHandlers.ToDb(ending.LeadNextEligibleAt) ?? DBNull.Value;
            if (_endInProgressLead.ExecuteNonQuery() == 1)
            {
                state = DbNames.Of(LeadState.InProgress);
                finalOutcome = null;
            }
            else
            {
                _leadForEnd.Parameters[0].Value = leadId;
                using (var reader = _leadForEnd.ExecuteReader())
                {
                    reader.Read();
                    state = reader.GetString(0);
                    finalOutcome = reader.IsDBNull(1) ? null : reader.GetString(1);
                }

                var u = _endLead.Parameters;
                u[0].Value = leadId;
                u[1].Value = q[1].Value;
                u[2].Value = q[2].Value;
                u[3].Value = q[3].Value;
                _endLead.ExecuteNonQuery();
            }

            counters.MoveLead(campaignId, DbNames.LeadStateOf(state), ending.LeadState);
            if (ending.LeadFinalOutcome is { } final && finalOutcome is null)
            {
                counters.Add(campaignId, CampaignCounters.Outcome(final), 1);
            }

            counters.Add(campaignId, CampaignCounters.AttemptOutcome(ending.Outcome), 1);
            var talk = ending.TalkSeconds ?? 0;
            if (ending.TalkSeconds is not null)
            {
                counters.Add(campaignId, CampaignCounters.TalkSeconds, talk);
                counters.Add(campaignId, CampaignCounters.TalkedAttempts, 1);
            }

            counters.AddHour(campaignId, CampaignCounters.HourKey(DapperTypeHandlers.FromDb(createdAt)), ending.Outcome == CallOutcome.Answered, talk);
            return true;
        }

        public void AddCounter(long campaignId, string name, double delta)
        {
            _addCounter.Parameters[0].Value = campaignId;
            _addCounter.Parameters[1].Value = name;
            _addCounter.Parameters[2].Value = delta;
            _addCounter.ExecuteNonQuery();
        }

        public void AddHour(long campaignId, string hour, long attempts, long answered, double talk)
        {
            var p = _addHour.Parameters;
            p[0].Value = campaignId;
            p[1].Value = hour;
            p[2].Value = attempts;
            p[3].Value = answered;
            p[4].Value = talk;
            _addHour.ExecuteNonQuery();
        }

        public void Dispose()
        {
            foreach (var command in _all)
            {
                command.Dispose();
            }
        }

        private SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type) in parameters)
            {
                command.Parameters.Add(name, type);
            }

            command.Prepare();
            _all.Add(command);
            return command;
        }
    }
}
