using System.Collections.Concurrent;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.Live;
using AmiDialer.Engine.Ownership;
using AmiDialer.Engine.Servers;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine.Dialing;

/// <summary>What every part of the engine shares: the store, the clock, the servers and the live registry.</summary>
internal sealed partial class EngineServices(
    DialerEngineOptions options,
    AmiDialerDatabase database,
    TimeProvider time,
    ILoggerFactory loggers)
{
    public DialerEngineOptions Options { get; } = options;
    public AmiDialerDatabase Database { get; } = database;
    public TimeProvider Time { get; } = time;
    public ILogger Logger { get; } = loggers.CreateLogger("AmiDialer.Engine");
    public ILoggerFactory Loggers { get; } = loggers;
    public CampaignRepository Campaigns { get; } = new(database, time);
    public LeadRepository Leads { get; } = new(database);
    public AttemptRepository Attempts { get; } = new(database);
    public QueueRepository QueueStore { get; } = new(database, time);
    /// <summary>The engine's one lease repository: its observations of other holders' heartbeats live here.</summary>
    public LeaseRepository Leases { get; } = new(database, time, loggers.CreateLogger("AmiDialer.Data.Leases"));
    public DncRepository Dnc { get; } = new(database, time);
    public AuditLog Audit { get; } = new(database);
    public ChangeFeed Changes { get; } = new();
    public List<AmiServer> Servers { get; } = [];

    private LeaseKeeper? _keeper;

    /// <summary>The click-to-call leases this engine holds or took over (campaign leases are their dialers').</summary>
    public LeaseKeeper Keeper => LazyInitializer.EnsureInitialized(ref _keeper, () => new LeaseKeeper(this));

    /// <summary>
    /// The engine's writes to the store: claims, live marks and endings (group-committed on SQLite), every other write
    /// run alone between batches (SQLite has one writer; writers racing each other back off for milliseconds each).
    /// </summary>
    public IAttemptWriter Writer { get; } = options.AttemptWriterFactory?.Invoke(database, time)
        ?? (database.DataSource is { } postgres
            // PostgreSQL's own writer: one transaction per request, leads locked FOR UPDATE SKIP LOCKED across nodes.
            ? new PostgresAttemptWriter(postgres, time)
            : new AttemptWriter(database, time, claimsOnCallerThread: InlineIo));

    /// <summary>
    /// Socket completions run on the socket engine's thread (<see cref="InlineSocketCompletions"/>): then the AMI event
    /// loop runs on the reader and claims on the dialer's thread, saving thread wake-ups. Without it both measured
    /// slightly worse on the engine bench, so they follow the setting. Read once, as the runtime reads it.
    /// </summary>
    public static bool InlineIo { get; } = InlineSocketCompletions.Enabled;

    public Task<T> WriteAsync<T>(Func<Task<T>> write) => Writer.RunExclusiveAsync(write);

    /// <summary>Set by the crash test hook: loops stop where they are and clean nothing up.</summary>
    public volatile bool Crashed;

    /// <summary>Calls placed by this engine and not ended yet, by attempt id.</summary>
    public ConcurrentDictionary<long, CallContext> Calls { get; } = new();

    private long _sequence;
    private readonly string _prefix = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));

    /// <summary>
    /// A fresh id for one call: the ChannelId we assign (so its Uniqueid and every Linkedid are ours), and the
    /// attempt's stored correlation id. Random per process, so a restarted engine never reuses one.
    /// </summary>
    public string NextCallId() => $"amd-{_prefix}-{Interlocked.Increment(ref _sequence)}";

    /// <summary>
    /// The server with the most free capacity that is connected (and one of <paramref name="among"/> when given), with a
    /// slot reserved; null when none has room.
    /// </summary>
    public AmiServer? ReserveServer(IReadOnlyCollection<AmiServer>? among = null)
    {
        foreach (var server in (among ?? Servers).OrderByDescending(s => s.FreeCapacity))
        {
            if (server.TryReserve())
            {
                return server;
            }
        }

        return null;
    }

    /// <summary>
    /// When no server may take a call because the connected ones may not be dialed (a ledger server whose dialplan is
    /// missing): "waiting for server X: why" for each; null when one may be dialed, or none is connected (a link down
    /// is said elsewhere).
    /// </summary>
    public string? DescribeUnusableServers()
    {
        if (Servers.Any(s => s.IsUsable))
        {
            return null;
        }

        var unusable = Servers.Where(s => s.IsConnected && s.UnusableReason is not null).Select(s => $"waiting for server {s.Name}: {s.UnusableReason}").ToList();
        return unusable.Count == 0 ? null : string.Join("; ", unusable);
    }

    public void Publish(EngineChange change) => Changes.Publish(change);

    /// <summary>Raised with an attempt's id once its ending is written, on the writer's continuation: handlers must be quick.</summary>
    public event Action<long>? AttemptEnded;
}
