using AmiDialer.Ami;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;

namespace AmiDialer.Engine;

/// <summary>One Asterisk the engine dials through.</summary>
/// <param name="Name">The configured name; written on every attempt sent there.</param>
/// <param name="Client">How to reach and log in to its AMI.</param>
/// <param name="MaxConcurrentCalls">Calls this server carries at once, over every campaign.</param>
public sealed record AmiServerConfig(string Name, AmiClientOptions Client, int MaxConcurrentCalls)
{
    /// <summary>
    /// The server has the outcome ledger dialplan (<c>[amidialer-dial]</c>, <c>[amidialer-ledger]</c>,
    /// <c>[amidialer-c2c]</c>, version 1): calls are dialed through it, and the outcome of a call that ended while no
    /// dialer watched is read back from AstDB (config <c>Ami:Servers[n]:Ledger</c>).
    /// </summary>
    public bool Ledger { get; init; }
}

/// <summary>How the engine runs. Only <see cref="DatabasePath"/> and <see cref="Servers"/> are required.</summary>
public sealed class DialerEngineOptions
{
    /// <summary>What this node tells the others of its servers (settings index, name, address, cap; never the login).</summary>
    public IReadOnlyList<Core.Cluster.ServerDescription> DescribeServers() =>
        [.. Servers.Select((c, i) => new Core.Cluster.ServerDescription(i, c.Name, c.Client.Host, c.Client.Port, c.MaxConcurrentCalls))];

    /// <summary>The SQLite file: the application's tables and Quartz's live in it together.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>
    /// The store the composition root opened (SQLite or PostgreSQL), shared with the engine; null: the engine opens the
    /// SQLite file at <see cref="DatabasePath"/> itself. The engine never disposes a store it was given.
    /// </summary>
    public AmiDialerDatabase? Database { get; init; }

    public required IReadOnlyList<AmiServerConfig> Servers { get; init; }

    /// <summary>The servers are the built-in simulator: every attempt is marked simulated.</summary>
    public bool Simulated { get; init; }

    /// <summary>
    /// PBX seconds per real second: 1 for a real Asterisk, the simulator's time scale when it runs faster. Talk times
    /// are recorded in the PBX's seconds, so a simulated 60 s conversation reads 60 s at any speed-up (the attempt's
    /// answered and ended timestamps stay real time).
    /// </summary>
    public double PbxTimeScale { get; init; } = 1;

    /// <summary>Who holds campaign leases: unique per process, shown in the refusal message of another one.</summary>
    public string InstanceName { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// A lease whose heartbeat another process watched stand still this long (on its own monotonic clock) is free for it
    /// to take. A holder on the same host whose process is gone is passed over at once.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The holder sends no Originate once its last successful renewal is older than this (monotonic): the lease's
    /// duration minus 5 s, so a process that stalled stops before a watcher may take over. Leases under 10 s (tests)
    /// keep half their duration as the margin.
    /// </summary>
    public TimeSpan RenewalCutoff => LeaseDuration - (LeaseDuration >= TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(5) : LeaseDuration / 2);

    /// <summary>How often the lease is renewed; well under <see cref="LeaseDuration"/>.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Quiet time after a call's last hangup before it is final (late events settle).</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Added to the ring timeout before a call with no OriginateResponse is declared failed (timeout).</summary>
    public TimeSpan OriginateGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often CoreShowChannels checks the live calls against Asterisk.</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often finished calls are collected from the trackers.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// A followed queue's <c>wrapuptime</c> (queues.conf; no AMI event or list carries it): an agent is free only this
    /// long after its last call ended. A member's own nonzero Wrapuptime overrides it.
    /// </summary>
    public TimeSpan QueueWrapUp { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The operator's wrap-up per queue (<c>Dialing:QueueWrapUp:&lt;queue&gt;</c>), for a login that may not read
    /// queues.conf: what GetConfig reads there wins where it can be read. A queue in neither uses <see cref="QueueWrapUp"/>.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> QueueWrapUps { get; init; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>How often a followed queue is read whole again with QueueStatus (besides at start and after every login).</summary>
    public TimeSpan QueueRefreshInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The abandon rate predictive pacing must never exceed (<c>Dialing:MaxAbandonRate</c>): 3% of answers.</summary>
    public double MaxAbandonRate { get; init; } = 0.03;

    /// <summary>The window the abandon rate is measured over (<c>Dialing:AbandonWindow</c>): 30 days (US), or 24 h (UK).</summary>
    public TimeSpan AbandonWindow { get; init; } = TimeSpan.FromDays(30);

    /// <summary>A lead whose answered call was abandoned is not called again for this long (<c>Dialing:AbandonRetryDelay</c>).</summary>
    public TimeSpan AbandonRetryDelay { get; init; } = TimeSpan.FromHours(72);

    /// <summary>How often this node's supervisor timer makes sure every running campaign is dialing (serve).</summary>
    public TimeSpan SupervisorInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where serve's Quartz keeps its triggers: null for the SQLite file at <see cref="DatabasePath"/>; on PostgreSQL,
    /// <see cref="Scheduling.SchedulerStore.Postgres"/> (clustered; the node's id is <see cref="InstanceName"/> unless given).
    /// </summary>
    public Scheduling.SchedulerStore? SchedulerStore { get; init; }

    /// <summary>
    /// A graceful stop (<see cref="DialerEngine.StopAsync"/>) follows live calls for at most this long; calls still
    /// up then are left to the reconciliation of the next start.
    /// </summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Longest a dialer sleeps when nothing is due, so pause/stop/new leads are noticed promptly.</summary>
    public TimeSpan IdleWait { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Shortest time between two looks for due leads while dialing: leads that fall due meanwhile are claimed in one
    /// transaction. Adds at most this much to a lead's wait; zero looks again at every wake-up. 20 ms rather than 10:
    /// a third fewer commits and about 9% less CPU per call at 500 calls/s, the same rate, p99 due->Originate some
    /// 60 ms longer (engine bench, alternating).
    /// </summary>
    public TimeSpan DialBatchInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Ring timeout floor; the issue says never under 15 s.</summary>
    public TimeSpan MinimumRingTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Redirect destinations and click-to-call settings (CallControl/).</summary>
    public CallControl.CallControlOptions CallControl { get; init; } = new();

    /// <summary>Who the engine says did things in the audit log.</summary>
    public string Actor { get; init; } = "engine";

    /// <summary>
    /// Makes the engine's writer of attempts for the store it opened; null: SQLite's <see cref="AttemptWriter"/>.
    /// Another store is one more <see cref="IAttemptWriter"/> made here, not a change to the engine.
    /// </summary>
    internal Func<AmiDialerDatabase, TimeProvider, IAttemptWriter>? AttemptWriterFactory { get; init; }

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            errors.Add("DatabasePath is required.");
        }

        if (Servers.Count == 0)
        {
            errors.Add("At least one AMI server is required.");
        }

        if (!(PbxTimeScale > 0) || double.IsInfinity(PbxTimeScale))
        {
            errors.Add("PbxTimeScale must be a positive number.");
        }

        foreach (var group in Servers.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"AMI server name '{group.Key}' is used twice.");
        }

        foreach (var server in Servers.Where(s => s.MaxConcurrentCalls < 1))
        {
            errors.Add($"AMI server '{server.Name}': MaxConcurrentCalls must be at least 1.");
        }

        if (HeartbeatInterval >= RenewalCutoff)
        {
            errors.Add("HeartbeatInterval must be shorter than LeaseDuration minus 5 s (the margin after which a holder stops sending).");
        }

        if (ShutdownGrace < TimeSpan.Zero)
        {
            errors.Add("ShutdownGrace must not be negative.");
        }

        if (SupervisorInterval <= TimeSpan.Zero)
        {
            errors.Add("SupervisorInterval must be positive.");
        }

        return errors;
    }
}
