namespace AmiDialer.Engine.Scheduling;

/// <summary>
/// Where Quartz keeps the campaigns' start and end triggers: the application's own database, whichever it is. On
/// SQLite one process owns the file, so the scheduler is not clustered. On PostgreSQL every node shares the database:
/// the scheduler is clustered, each node checking in as <see cref="NodeId"/>, so a trigger fires on one node only and a
/// node that stops checking in has its fired work recovered by another after <see cref="CheckinInterval"/> plus
/// <see cref="CheckinMisfireThreshold"/>.
/// </summary>
public sealed record SchedulerStore
{
    private SchedulerStore(string connectionString, bool postgres, string? nodeId)
    {
        ConnectionString = connectionString;
        IsPostgres = postgres;
        NodeId = nodeId;
    }

    public string ConnectionString { get; }

    public bool IsPostgres { get; }

    /// <summary>
    /// The node's Quartz instance id (PostgreSQL only): distinct per node, stable for one process. Null until the engine
    /// gives it its own <see cref="DialerEngineOptions.InstanceName"/>.
    /// </summary>
    public string? NodeId { get; private init; }

    /// <summary>How often the node records in <c>qrtz_scheduler_state</c> that it is alive.</summary>
    public TimeSpan CheckinInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long past a missed check-in the other nodes wait before they recover this node's triggers.</summary>
    public TimeSpan CheckinMisfireThreshold { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The SQLite file of the application (Quartz creates its <c>QRTZ_</c> tables there on first start).</summary>
    public static SchedulerStore Sqlite(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        return new($"Data Source={databasePath};Pooling=True;Default Timeout=30", postgres: false, nodeId: null);
    }

    /// <summary>
    /// The application's PostgreSQL database (an Npgsql connection string; Quartz creates its <c>qrtz_</c> tables there on
    /// first start), clustered, this node checking in as <paramref name="nodeId"/> (null: the engine's instance name).
    /// </summary>
    public static SchedulerStore Postgres(string connectionString, string? nodeId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new(connectionString, postgres: true, string.IsNullOrWhiteSpace(nodeId) ? null : nodeId);
    }

    /// <summary>This store with <paramref name="nodeId"/> as the node's id where none was given.</summary>
    public SchedulerStore OrNode(string nodeId) => !IsPostgres || NodeId is not null ? this : this with { NodeId = nodeId };

    /// <summary>Never the connection string: it may hold a password.</summary>
    public override string ToString() => IsPostgres ? $"PostgreSQL (clustered, node {NodeId})" : "SQLite";
}
