namespace AmiDialer.Data.Database;

/// <summary>
/// The schema, as an append-only list of steps. A step is never edited once released: add a new one.
/// <c>PRAGMA user_version</c> holds the number of steps applied. Tables named <c>qrtz_*</c> belong to Quartz,
/// which provisions them itself in the same file; no step may touch them. Each step has its PostgreSQL twin, same
/// number, in <see cref="PostgresMigrations"/>: add both in one commit (<c>SchemaParityTests</c> compares them).
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<string> Steps { get; } =
    [
        // 1: the whole first schema.
        """
        CREATE TABLE campaigns (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            dial_template TEXT NOT NULL,
            destination_context TEXT NOT NULL,
            destination_extension TEXT NOT NULL,
            destination_priority INTEGER NOT NULL,
            on_answer_context TEXT NULL,
            on_answer_extension TEXT NULL,
            on_answer_priority INTEGER NULL,
            caller_id TEXT NULL,
            ring_timeout_ms INTEGER NOT NULL,
            variables TEXT NOT NULL,
            max_concurrent_calls INTEGER NOT NULL,
            calls_per_second REAL NOT NULL,
            start_at TEXT NULL,
            end_at TEXT NULL,
            days TEXT NOT NULL,
            windows TEXT NOT NULL,
            calling_hours TEXT NOT NULL,
            retry_policy TEXT NOT NULL,
            max_attempts INTEGER NOT NULL,
            is_simulated INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            file_name TEXT NOT NULL,
            region TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NULL,
            rows_read INTEGER NOT NULL DEFAULT 0,
            rows_imported INTEGER NOT NULL DEFAULT 0,
            rows_rejected INTEGER NOT NULL DEFAULT 0,
            rows_duplicate INTEGER NOT NULL DEFAULT 0,
            rows_blocked INTEGER NOT NULL DEFAULT 0,
            last_committed_line INTEGER NOT NULL DEFAULT 0,
            error_file TEXT NULL,
            message TEXT NULL,
            actor TEXT NOT NULL
        );
        CREATE INDEX ix_imports_campaign ON imports(campaign_id, id);

        CREATE TABLE leads (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            phone TEXT NOT NULL,
            fields TEXT NOT NULL,
            time_zones TEXT NOT NULL,
            state TEXT NOT NULL,
            final_outcome TEXT NULL,
            attempt_count INTEGER NOT NULL DEFAULT 0,
            next_eligible_at TEXT NULL,
            import_id INTEGER NULL,
            source_line INTEGER NULL,
            UNIQUE (campaign_id, phone)
        );
        -- The dialer's hot query: dialable leads of a campaign in next_eligible_at order, read straight off the index.
        CREATE INDEX ix_leads_due ON leads(campaign_id, next_eligible_at) WHERE state IN ('pending', 'waiting_retry');

        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            action_id TEXT NOT NULL UNIQUE,
            channel_id TEXT NOT NULL,
            server TEXT NOT NULL,
            state TEXT NOT NULL,
            created_at TEXT NOT NULL,
            answered_at TEXT NULL,
            ended_at TEXT NULL,
            outcome TEXT NULL,
            failure_reason TEXT NULL,
            reason TEXT NULL,
            dial_status TEXT NULL,
            hangup_cause INTEGER NULL,
            hangup_cause_text TEXT NULL,
            talk_seconds REAL NULL,
            is_simulated INTEGER NOT NULL
        );
        CREATE INDEX ix_attempts_lead ON attempts(lead_id, id);
        -- A lead is never in two live attempts: the database refuses it even if the code forgets.
        CREATE UNIQUE INDEX ux_attempts_open_lead ON attempts(lead_id) WHERE state <> 'ended';
        CREATE INDEX ix_attempts_open_server ON attempts(server, id) WHERE state <> 'ended';
        CREATE INDEX ix_attempts_campaign ON attempts(campaign_id, id);

        -- Running totals per campaign (lead states, final outcomes, attempt outcomes, talk time), updated in the
        -- same transaction as the change they count, so reports never scan leads or attempts.
        CREATE TABLE campaign_counters (
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (campaign_id, name)
        );

        CREATE TABLE campaign_hourly (
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            hour_utc TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            answered INTEGER NOT NULL,
            talk_seconds REAL NOT NULL,
            PRIMARY KEY (campaign_id, hour_utc)
        );

        CREATE TABLE dnc (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL,
            campaign_id INTEGER NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL,
            note TEXT NULL
        );
        CREATE UNIQUE INDEX ux_dnc_number_scope ON dnc(number, COALESCE(campaign_id, 0));

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            details TEXT NULL
        );
        CREATE INDEX ix_audit_log_at ON audit_log(at);

        CREATE TABLE campaign_leases (
            campaign_id INTEGER PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
            owner TEXT NOT NULL,
            acquired_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        """,

        // 2: an import record names the process that runs it and is kept fresh by a heartbeat, so a killed import can
        // be told from a live one; a campaign dialed by the simulator says so (attempts from before this step show it).
        """
        ALTER TABLE imports ADD COLUMN process TEXT NULL;
        ALTER TABLE imports ADD COLUMN heartbeat_at TEXT NULL;
        UPDATE campaigns SET is_simulated = 1
        WHERE is_simulated = 0 AND EXISTS (SELECT 1 FROM attempts a WHERE a.campaign_id = campaigns.id AND a.is_simulated = 1);
        """,

        // 3: ownership. A lease per key (`campaign:<id>`, `c2c:<instance>`) with a heartbeat counter a taker watches on its
        // own monotonic clock (never a stored expiry: hosts' clocks differ), and the holder's host, pid and start time so
        // a holder gone from this host is told at once. Every attempt names the lease that owns it while open. Open
        // click-to-call attempts of older versions belong to no known process: `c2c:` (unheld), which serve takes over.
        """
        CREATE TABLE leases (
            key TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            heartbeat INTEGER NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            process_start INTEGER NOT NULL,
            acquired_at TEXT NOT NULL,
            renewed_at TEXT NOT NULL
        );
        DROP TABLE campaign_leases;
        ALTER TABLE attempts ADD COLUMN lease_key TEXT NULL;
        UPDATE attempts SET lease_key = CASE
            WHEN campaign_id IN (SELECT id FROM campaigns WHERE name = 'click-to-call') THEN 'c2c:'
            ELSE 'campaign:' || campaign_id END;
        CREATE INDEX ix_attempts_open_lease ON attempts(lease_key, id) WHERE state <> 'ended';
        """,

        // 4: why a lead ended without a call (a field used as a channel variable holds a line break, ...), for the
        // report, the leads CSV and the API.
        """
        ALTER TABLE leads ADD COLUMN note TEXT NULL;
        """,

        // 5: a click-to-call keeps whose phone rang first and where the customer was dialed, for the call list and for
        // the record once the call has ended (the engine's memory of it is gone then). Older calls have no row.
        """
        CREATE TABLE click_to_calls (
            attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id) ON DELETE CASCADE,
            agent TEXT NOT NULL,
            destination TEXT NOT NULL
        );
        CREATE INDEX ix_click_to_calls_agent ON click_to_calls(agent, attempt_id);
        """,

        // 6: a campaign's lead order (due retries or fresh leads first), and an index per dialable state so either
        // kind is read straight off it however many of the other are due.
        """
        ALTER TABLE campaigns ADD COLUMN lead_order TEXT NOT NULL DEFAULT 'retries-first';
        CREATE INDEX ix_leads_due_state ON leads(campaign_id, state, next_eligible_at) WHERE state IN ('pending', 'waiting_retry');
        """,

        // 7: the report filters a campaign's leads by state or by final outcome, page by page in id order: each read off
        // its own index instead of walking every lead of the campaign. Neither holds what an import writes (pending
        // leads, no outcome), so a million-row import does not maintain them; pending leads are read off the primary key.
        """
        CREATE INDEX ix_leads_campaign_state ON leads(campaign_id, state, id) WHERE state <> 'pending';
        CREATE INDEX ix_leads_campaign_outcome ON leads(campaign_id, final_outcome, id) WHERE final_outcome IS NOT NULL;
        """,

        // 8: the queue whose agents take a campaign's answered calls, and how the campaign is paced (issue #26):
        // fixed caps (every campaign so far), or by that queue's free agents.
        """
        ALTER TABLE campaigns ADD COLUMN queue TEXT NULL;
        ALTER TABLE campaigns ADD COLUMN pacing TEXT NOT NULL DEFAULT 'fixed';
        ALTER TABLE campaigns ADD COLUMN pacing_ratio REAL NOT NULL DEFAULT 1.0;
        """,

        // 9: what became of an answered call on a queue campaign (issue #26), as the regulators measure it: the queue it
        // was placed for, the agent who took it (MemberName), the wait from the answer to AgentConnect in ms, whether it
        // counts as abandoned (no agent within 2 s, the caller left, or its fate is unknown because the dialer was down)
        // and which of those (queue_fate: connected | late | caller-left | unknown). Null on other attempts and until
        // the fate is known; the outcome stays answered. And the free agents of each queue as one budget in the store,
        // so two campaigns on one queue (or two nodes) never count the same free agent: the follower writes what the
        // queue reports, a campaign claims calls in flight against it in one conditional update.
        """
        ALTER TABLE attempts ADD COLUMN queue TEXT NULL;
        ALTER TABLE attempts ADD COLUMN queue_agent TEXT NULL;
        ALTER TABLE attempts ADD COLUMN queue_wait_ms INTEGER NULL;
        ALTER TABLE attempts ADD COLUMN is_abandoned INTEGER NULL;
        ALTER TABLE attempts ADD COLUMN queue_fate TEXT NULL;
        -- The abandon rate per campaign over the operator's window: answered queue calls by answer time.
        CREATE INDEX ix_attempts_campaign_abandon ON attempts(campaign_id, answered_at) WHERE is_abandoned IS NOT NULL;

        CREATE TABLE queue_budgets (
            server TEXT NOT NULL,
            queue TEXT NOT NULL,
            logged_in INTEGER NOT NULL DEFAULT 0,
            paused INTEGER NOT NULL DEFAULT 0,
            busy INTEGER NOT NULL DEFAULT 0,
            free_agents INTEGER NOT NULL DEFAULT 0,
            waiting INTEGER NOT NULL DEFAULT 0,
            in_flight INTEGER NOT NULL DEFAULT 0,
            observed_at TEXT NULL,
            observed_by TEXT NULL,
            PRIMARY KEY (server, queue)
        );
        """,

        // 10: the cluster's nodes (issue #25): every process that runs the dialing engine (serve, run) writes its row at
        // start and beats it on a timer of its own (never a clustered job, which fires on one node only), so any node's
        // pages, API and CLI list every node: its instance name (the owner its leases carry), host, pid, version, start,
        // the heartbeat's counter, instant and interval, and running | draining | stopped. A reader judges the age of a
        // beat against the store's clock (the writer's host on SQLite, the database server's on PostgreSQL), never its
        // own, and a node on its own host by its process (host_id, pid and process_start as a lease records them).
        """
        CREATE TABLE nodes (
            name TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            host_id TEXT NOT NULL,
            pid INTEGER NOT NULL,
            process_start INTEGER NOT NULL,
            version TEXT NOT NULL,
            started_at TEXT NOT NULL,
            heartbeat INTEGER NOT NULL,
            heartbeat_at TEXT NOT NULL,
            heartbeat_ms INTEGER NOT NULL,
            state TEXT NOT NULL,
            stopped_at TEXT NULL
        );
        CREATE INDEX ix_nodes_heartbeat_at ON nodes(heartbeat_at);
        """,

        // 11: a queue's calls in flight are no longer a counter (a node that died kept its claims in it for good): they
        // are derived, at each claim, from the open unanswered attempts of the queue's campaigns on that server, plus the
        // claims granted but not yet written as attempts (queue_claims: each expires, so a dead claimer's lapses).
        """
        ALTER TABLE queue_budgets DROP COLUMN in_flight;
        CREATE TABLE queue_claims (
            id TEXT NOT NULL PRIMARY KEY,
            server TEXT NOT NULL,
            queue TEXT NOT NULL,
            granted INTEGER NOT NULL,
            claimed_by TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX ix_queue_claims_queue ON queue_claims(server, queue, expires_at);
        """,

        // 12: what each node says of its AMI servers (settings index, name, host, port, MaxConcurrentCalls; never a login),
        // as JSON written with its row, so every node, the doctor and the cluster view see two nodes that describe one
        // Asterisk differently, and each node claims with the smallest cap the live nodes give a server. NULL: a node of a
        // version before this step.
        """
        ALTER TABLE nodes ADD COLUMN ami_servers TEXT NULL;
        """,
    ];
}
