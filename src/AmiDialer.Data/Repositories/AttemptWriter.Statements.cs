using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using Microsoft.Data.Sqlite;

namespace AmiDialer.Data.Repositories;

public sealed partial class AttemptWriter
{
    /// <summary>
    /// The writer's statements on its own connection, each prepared once and re-bound per use: parsing SQL was the
    /// largest single cost of a claim or an ending when every call opened a pooled connection and its own commands.
    /// The transaction's own statements stay commands, which wait out SQLITE_BUSY; those that run inside it, where
    /// the write lock is already held, go through <see cref="PreparedStatement"/>.
    /// </summary>
    private sealed class Statements : ICounterSink, IDisposable
    {
        private readonly List<IDisposable> _all = [];
        private readonly SqliteCommand _begin;
        private readonly SqliteCommand _commit;
        private readonly SqliteCommand _rollback;
        private readonly SqliteCommand _savepoint;
        private readonly SqliteCommand _release;
        private readonly SqliteCommand _rollbackTo;
        private readonly PreparedStatement _isBlocked;
        private readonly PreparedStatement _leadState;
        private readonly PreparedStatement _block;
        private readonly PreparedStatement _claimLead;
        private readonly PreparedStatement _insertAttempt;
        private readonly PreparedStatement _claimedAttempt;
        private readonly PreparedStatement _fence;
        private readonly PreparedStatement _openOnServer;
        private readonly PreparedStatement _markLive;
        private readonly PreparedStatement _markAnswered;
        private readonly PreparedStatement _endAttempt;
        private readonly PreparedStatement _leadForEnd;
        private readonly PreparedStatement _endLead;
        private readonly PreparedStatement _endInProgressLead;
        private readonly PreparedStatement _uncountAttempt;
        private readonly PreparedStatement _addCounter;
        private readonly PreparedStatement _addHour;
        private readonly SqliteConnection _connection;
        private bool _inTransaction;
        // The fence as checked in this transaction: the write lock is held from BEGIN IMMEDIATE to COMMIT, so the lease row
        // cannot change hands in between and one look serves every claim of the batch.
        private (LeaseFence Fence, bool Held)? _fenceSeen;
        // Open attempts per server as counted in this transaction, plus its own claims since: the write lock keeps other
        // processes out until the commit, so one count serves the batch. Forgotten whenever this transaction ends an
        // attempt or undoes writes, and counted again.
        private readonly Dictionary<string, int> _openSeen = new(StringComparer.Ordinal);
        private long _lastHour = -1;
        private string _lastHourKey = "";

        public Statements(SqliteConnection connection)
        {
            _connection = connection;
            // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads first could be refused
            // its upgrade (SQLITE_BUSY) by another process's writer after doing work.
            _begin = Command(connection, "BEGIN IMMEDIATE");
            _commit = Command(connection, "COMMIT");
            _rollback = Command(connection, "ROLLBACK");
            _savepoint = Command(connection, "SAVEPOINT request");
            _release = Command(connection, "RELEASE request");
            _rollbackTo = Command(connection, "ROLLBACK TO request");
            _isBlocked = Prepare(connection, "SELECT 1 FROM dnc WHERE number = $number AND (campaign_id IS NULL OR campaign_id = $campaign) LIMIT 1", "$number", "$campaign");
            _leadState = Prepare(connection, "SELECT state, attempt_count FROM leads WHERE id = $lead AND campaign_id = $campaign", "$lead", "$campaign");
            _block = Prepare(connection, "UPDATE leads SET state = 'blocked', next_eligible_at = NULL WHERE id = $lead AND campaign_id = $campaign AND state = $state AND state IN ('pending', 'waiting_retry')", "$lead", "$campaign", "$state");
            // The conditional update is the claim: of two claimers only one sees its row change.
            // No RETURNING on the statements below: SQLite runs a RETURNING clause as a trigger, and a statement with a
            // trigger that may abort half-way (a NOT NULL or UNIQUE check) copies every page it changes into a
            // statement journal first, in case it must undo itself alone: 8 KB copied, allocated and freed per page.
            _claimLead = Prepare(connection, """
                UPDATE leads SET state = 'in_progress', attempt_count = attempt_count + 1, next_eligible_at = NULL
                WHERE id = $lead AND campaign_id = $campaign AND state = $state AND attempt_count = $count AND state IN ('pending', 'waiting_retry') AND next_eligible_at <= $now
                """, "$lead", "$campaign", "$state", "$count", "$now");
            _insertAttempt = Prepare(connection, AttemptRepository.InsertDialingSql, "@leadId", "@campaignId", "@actionId", "@channelId", "@server", "@now", "@isSimulated", "@leaseKey");
            _fence = Prepare(connection, "SELECT 1 FROM leases WHERE key = $key AND owner = $owner", "$key", "$owner");
            _openOnServer = Prepare(connection, ServerSlots.SqliteCountSql, "$server", "$limit");
            _markLive = Prepare(connection, "UPDATE attempts SET state = 'live' WHERE id = $attempt AND state = 'dialing'", "$attempt");
            _markAnswered = Prepare(connection, """
                UPDATE attempts SET state = 'live', answered_at = COALESCE(answered_at, $answeredAt)
                WHERE id = $attempt AND state <> 'ended'
                """, "$answeredAt", "$attempt");
            _claimedAttempt = Prepare(connection, "SELECT lead_id, campaign_id, created_at FROM attempts WHERE id = $attempt", "$attempt");
            _endAttempt = Prepare(connection, """
                UPDATE attempts SET state = 'ended', ended_at = $endedAt, outcome = $outcome, failure_reason = $failureReason,
                    reason = $reason, dial_status = $dialStatus, hangup_cause = $hangupCause, hangup_cause_text = $hangupCauseText,
                    answered_at = COALESCE(answered_at, $answeredAt), talk_seconds = $talkSeconds
                WHERE id = $attempt AND state <> 'ended'
                """, "$endedAt", "$outcome", "$failureReason", "$reason", "$dialStatus", "$hangupCause", "$hangupCauseText", "$answeredAt", "$talkSeconds", "$attempt");
            _leadForEnd = Prepare(connection, "SELECT state, final_outcome FROM leads WHERE id = $lead", "$lead");
            _endLead = Prepare(connection, "UPDATE leads SET state = $state, final_outcome = COALESCE(final_outcome, $finalOutcome), next_eligible_at = $next WHERE id = $lead", "$state", "$finalOutcome", "$next", "$lead");
            // The usual case, the lead in progress with no final outcome yet, in one statement: its old values are known
            // when it changes a row, so the counters need no read first.
            _endInProgressLead = Prepare(connection, """
                UPDATE leads SET state = $state, final_outcome = $finalOutcome, next_eligible_at = $next
                WHERE id = $lead AND state = 'in_progress' AND final_outcome IS NULL
                """, "$state", "$finalOutcome", "$next", "$lead");
            // An Originate that never reached Asterisk called nobody: the lead's count of attempts goes back down.
            _uncountAttempt = Prepare(connection, "UPDATE leads SET attempt_count = attempt_count - 1 WHERE id = $lead AND attempt_count > 0", "$lead");
            _addCounter = Prepare(connection, CampaignCounters.AddSql, "@campaignId", "@name", "@delta");
            _addHour = Prepare(connection, """
                INSERT INTO campaign_hourly (campaign_id, hour_utc, attempts, answered, talk_seconds) VALUES ($campaign, $hour, $attempts, $answered, $talk)
                ON CONFLICT (campaign_id, hour_utc) DO UPDATE SET attempts = campaign_hourly.attempts + excluded.attempts,
                    answered = campaign_hourly.answered + excluded.answered, talk_seconds = campaign_hourly.talk_seconds + excluded.talk_seconds
                """, "$campaign", "$hour", "$attempts", "$answered", "$talk");
        }

        public void Begin()
        {
            _fenceSeen = null;
            _openSeen.Clear();
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
            _fenceSeen = null;
            _openSeen.Clear();
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
            _openSeen.Clear();
            _rollbackTo.ExecuteNonQuery();
            _release.ExecuteNonQuery();
        }

        /// <summary>
        /// Claims one lead and writes its attempt. With <paramref name="isolated"/> false (no savepoint of its own), a
        /// store error after the lead changed is thrown rather than reported, so the caller can undo the whole request.
        /// </summary>
        public DialClaimResult Claim(DialClaim claim, DateTimeOffset now, CounterDeltas counters, bool isolated)
        {
            if (claim.Fence is { } fence && !Holds(fence))
            {
                return new DialClaimResult(DialClaimStatus.LeaseLost);
            }

            var a = claim.Attempt;
            string state;
            long count;
            if (claim is { LeadState: { } known, AttemptCount: { } knownCount })
            {
                // The lead as the dialer read it: the conditional updates below refuse it if it changed since.
                state = DbNames.Of(known);
                count = knownCount;
            }
            else
            {
                _leadState.Bind(1, a.LeadId);
                _leadState.Bind(2, claim.CampaignId);
                try
                {
                    if (!_leadState.Read())
                    {
                        return new DialClaimResult(DialClaimStatus.NotClaimable);
                    }

                    // A state the caller read still holds it to that state.
                    state = claim.LeadState is { } stated ? DbNames.Of(stated) : _leadState.Text(0)!;
                    count = _leadState.Int64(1);
                }
                finally
                {
                    _leadState.Reset();
                }
            }

            var from = DbNames.LeadStateOf(state);
            _isBlocked.Bind(1, claim.PhoneE164);
            _isBlocked.Bind(2, claim.CampaignId);
            var blocked = _isBlocked.Read();
            _isBlocked.Reset();
            if (blocked)
            {
                _block.Bind(1, a.LeadId);
                _block.Bind(2, claim.CampaignId);
                _block.Bind(3, state);
                if (_block.Execute() == 0)
                {
                    return new DialClaimResult(DialClaimStatus.NotClaimable);
                }

                counters.Blocked(claim.CampaignId, from);
                return new DialClaimResult(DialClaimStatus.Blocked);
            }

            var open = 0;
            if (claim.ServerCap is { } cap)
            {
                open = OpenOn(a.Server, cap);
                if (open >= cap)
                {
                    return new DialClaimResult(DialClaimStatus.ServerFull) { ServerOpen = open };
                }
            }

            var at = DapperTypeHandlers.ToDb(now);
            _claimLead.Bind(1, a.LeadId);
            _claimLead.Bind(2, claim.CampaignId);
            _claimLead.Bind(3, state);
            _claimLead.Bind(4, count);
            _claimLead.Bind(5, at);
            if (_claimLead.Execute() == 0)
            {
                return new DialClaimResult(DialClaimStatus.NotClaimable);
            }

            _insertAttempt.Bind(1, a.LeadId);
            _insertAttempt.Bind(2, claim.CampaignId);
            _insertAttempt.Bind(3, a.ActionId);
            _insertAttempt.Bind(4, a.ChannelId);
            _insertAttempt.Bind(5, a.Server);
            _insertAttempt.Bind(6, at);
            _insertAttempt.Bind(7, a.IsSimulated ? 1 : 0);
            _insertAttempt.Bind(8, a.LeaseKey);
            long id;
            try
            {
                _insertAttempt.Execute();
                id = AttemptRepository.LastRowId(_connection);
            }
            catch (SqliteException e) when (isolated && AttemptRepository.IsOpenAttemptConflict(e))
            {
                return new DialClaimResult(DialClaimStatus.NotClaimable);
            }

            counters.Claimed(claim.CampaignId, from);
            int? serverOpen = null;
            if (claim.ServerCap is not null)
            {
                _openSeen[a.Server] = ++open;
                serverOpen = open;
            }

            return new DialClaimResult(DialClaimStatus.Claimed, a.Dialing(id, claim.CampaignId, now)) { PriorAttempts = (int)count, ServerOpen = serverOpen };
        }

        /// <summary>The server's open attempts in this transaction (up to <paramref name="cap"/>), counted once until something invalidates it.</summary>
        private int OpenOn(string server, int cap)
        {
            if (_openSeen.TryGetValue(server, out var seen))
            {
                return seen;
            }

            _openOnServer.Bind(1, server);
            _openOnServer.Bind(2, cap);
            try
            {
                _openOnServer.Read();
                seen = (int)_openOnServer.Int64(0);
            }
            finally
            {
                _openOnServer.Reset();
            }

            _openSeen[server] = seen;
            return seen;
        }

        private bool Holds(LeaseFence fence)
        {
            if (_fenceSeen is { } seen && seen.Fence == fence)
            {
                return seen.Held;
            }

            _fence.Bind(1, fence.Key);
            _fence.Bind(2, fence.Owner);
            var held = _fence.Read();
            _fence.Reset();
            _fenceSeen = (fence, held);
            return held;
        }

        public int MarkLive(long attemptId)
        {
            _markLive.Bind(1, attemptId);
            return _markLive.Execute();
        }

        public int MarkAnswered(long attemptId, DateTimeOffset answeredAt)
        {
            _markAnswered.Bind(1, DapperTypeHandlers.ToDb(answeredAt));
            _markAnswered.Bind(2, attemptId);
            return _markAnswered.Execute();
        }

        /// <summary>
        /// Ends one attempt: the attempt, then its lead (in one statement when it is in progress with no final outcome,
        /// as nearly always), then the counters. False, with nothing changed, when the attempt was already ended.
        /// </summary>
        public bool End(AttemptEnding ending, CounterDeltas counters)
        {
            _endAttempt.Bind(1, DapperTypeHandlers.ToDb(ending.EndedAt));
            _endAttempt.Bind(2, DbNames.Of(ending.Outcome));
            _endAttempt.Bind(3, ending.FailureReason);
            _endAttempt.Bind(4, ending.Reason);
            _endAttempt.Bind(5, ending.DialStatus);
            _endAttempt.Bind(6, ending.HangupCause);
            _endAttempt.Bind(7, ending.HangupCauseText);
            _endAttempt.Bind(8, DapperTypeHandlers.ToDb(ending.AnsweredAt));
            _endAttempt.Bind(9, ending.TalkSeconds);
            _endAttempt.Bind(10, ending.AttemptId);
            if (_endAttempt.Execute() == 0)
            {
                // Already ended (or never written): that ending settled its lead and counters.
                return false;
            }

            // A slot came free on some server: counted again by the next claim of this transaction.
            _openSeen.Clear();

            var (leadId, campaignId, createdAt) = ending.Claimed ?? ReadAttempt(ending.AttemptId);
            var newState = DbNames.Of(ending.LeadState);
            var newFinal = ending.LeadFinalOutcome is { } f ? DbNames.Of(f) : null;
            var next = DapperTypeHandlers.ToDb(ending.LeadNextEligibleAt);
            string state;
            string? finalOutcome;
            _endInProgressLead.Bind(1, newState);
            _endInProgressLead.Bind(2, newFinal);
            _endInProgressLead.Bind(3, next);
            _endInProgressLead.Bind(4, leadId);
            if (_endInProgressLead.Execute() == 1)
            {
                state = DbNames.Of(LeadState.InProgress);
                finalOutcome = null;
            }
            else
            {
                _leadForEnd.Bind(1, leadId);
                try
                {
                    _leadForEnd.Read();
                    state = _leadForEnd.Text(0)!;
                    finalOutcome = _leadForEnd.Text(1);
                }
                finally
                {
                    _leadForEnd.Reset();
                }

                _endLead.Bind(1, newState);
                _endLead.Bind(2, newFinal);
                _endLead.Bind(3, next);
                _endLead.Bind(4, leadId);
                _endLead.Execute();
            }

            if (ending.Outcome == CallOutcome.NotSent)
            {
                _uncountAttempt.Bind(1, leadId);
                _uncountAttempt.Execute();
            }

            counters.Ended(campaignId, DbNames.LeadStateOf(state), finalOutcome is not null, ending, HourKey(createdAt));
            return true;
        }

        /// <summary><see cref="CampaignCounters.HourKey"/>, formatted once per hour: a batch's attempts were nearly all created in the same one.</summary>
        private string HourKey(DateTimeOffset at)
        {
            var hour = at.UtcTicks / TimeSpan.TicksPerHour;
            if (hour != _lastHour)
            {
                _lastHourKey = CampaignCounters.HourKey(at);
                _lastHour = hour;
            }

            return _lastHourKey;
        }

        private ClaimedAttempt ReadAttempt(long attemptId)
        {
            _claimedAttempt.Bind(1, attemptId);
            try
            {
                _claimedAttempt.Read();
                return new ClaimedAttempt(_claimedAttempt.Int64(0), _claimedAttempt.Int64(1), DapperTypeHandlers.FromDb(_claimedAttempt.Text(2)!));
            }
            finally
            {
                _claimedAttempt.Reset();
            }
        }

        public void AddCounter(long campaignId, string name, double delta)
        {
            _addCounter.Bind(1, campaignId);
            _addCounter.Bind(2, name);
            _addCounter.Bind(3, delta);
            _addCounter.Execute();
        }

        public void AddHour(long campaignId, string hour, long attempts, long answered, double talkSeconds)
        {
            _addHour.Bind(1, campaignId);
            _addHour.Bind(2, hour);
            _addHour.Bind(3, attempts);
            _addHour.Bind(4, answered);
            _addHour.Bind(5, talkSeconds);
            _addHour.Execute();
        }

        public void Dispose()
        {
            // Statements first: a statement left unfinalized would keep the pooled connection from closing cleanly.
            foreach (var statement in _all)
            {
                statement.Dispose();
            }
        }

        private PreparedStatement Prepare(SqliteConnection connection, string sql, params string[] parameters)
        {
            var statement = new PreparedStatement(connection, sql, parameters);
            _all.Add(statement);
            return statement;
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
