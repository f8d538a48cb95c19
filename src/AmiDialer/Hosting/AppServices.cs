using AmiDialer.Ami;
using AmiDialer.Configuration;
using AmiDialer.Data.Database;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine;
using AmiDialer.Engine.Scheduling;
using AmiDialer.Simulator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Hosting;

/// <summary>
/// The composition root shared by the CLI and the web server: settings, the database and its repositories, the
/// built-in simulator (only with --simulate), time and logging. Create one per process with
/// <see cref="CreateAsync(AmiDialerSettings, bool, CancellationToken)"/> and dispose it last: it stops the
/// simulator and leaves the database consistent.
/// </summary>
public sealed class AppServices : IAsyncDisposable
{
    /// <summary>The simulator's AMI user (the recorded test PBX's); it only ever listens on loopback.</summary>
    public static readonly SimulatorUser SimulatorLogin = SimulatorUser.TestPbxUsers[0];

    private readonly AppServicesOptions options;
    private readonly SemaphoreSlim engineGate = new(1, 1);
    private bool disposed;

    private AppServices(AmiDialerSettings settings, AmiDialerDatabase database, TimeProvider time, ILoggerFactory loggerFactory, AmiSimulator? simulator, AppServicesOptions options)
    {
        this.options = options;
        Settings = settings;
        Database = database;
        Time = time;
        LoggerFactory = loggerFactory;
        Simulator = simulator;
        Campaigns = new CampaignRepository(database, time, loggerFactory.CreateLogger<CampaignRepository>());
        Leads = new LeadRepository(database);
        Attempts = new AttemptRepository(database);
        ClickToCalls = new ClickToCallRecords(database);
        Dnc = new DncRepository(database, time, loggerFactory.CreateLogger<DncRepository>());
        Imports = new ImportRepository(database, time);
        Reports = new ReportRepository(database);
        Leases = new LeaseRepository(database, time, loggerFactory.CreateLogger<LeaseRepository>());
        Audit = new AuditLog(database);
        Importer = new CsvLeadImporter(database, time, loggerFactory.CreateLogger<CsvLeadImporter>());
        otlp = Telemetry.StartOtlp(settings.Telemetry);
    }

    // Pushes metrics to Telemetry:OtlpEndpoint while this process runs; disposing it sends the last ones.
    private readonly OpenTelemetry.Metrics.MeterProvider? otlp;

    /// <summary>
    /// The settings in force. With --simulate, <c>Ami:Servers</c> holds one server: the built-in simulator on loopback
    /// (the configured servers are never dialed).
    /// </summary>
    public AmiDialerSettings Settings { get; }

    /// <summary>True when calls go to the built-in simulator (--simulate); attempts and campaigns are then marked simulated.</summary>
    public bool IsSimulated => Simulator is not null;

    /// <summary>The built-in AMI simulator with --simulate, else null.</summary>
    public AmiSimulator? Simulator { get; }

    public AmiDialerDatabase Database { get; }

    /// <summary>Full path of the SQLite file in use (on PostgreSQL: Database:Path, whose folder holds the files kept beside the store).</summary>
    public string DatabasePath => Database.Path;

    /// <summary>The store for messages: the SQLite file, or postgres://host:port/database (never the password).</summary>
    public string DatabaseWhere => Database.Where;

    public CampaignRepository Campaigns { get; }
    public LeadRepository Leads { get; }
    public AttemptRepository Attempts { get; }

    /// <summary>The click-to-call history with each call's agent and destination.</summary>
    public ClickToCallRecords ClickToCalls { get; }

    public DncRepository Dnc { get; }
    public ImportRepository Imports { get; }
    public ReportRepository Reports { get; }
    public LeaseRepository Leases { get; }
    public AuditLog Audit { get; }

    /// <summary>Streams a CSV into a campaign (progress through IProgress, rejected rows to an error CSV).</summary>
    public CsvLeadImporter Importer { get; }

    public TimeProvider Time { get; }

    /// <summary>The dialing engine once <see cref="StartEngineAsync"/> ran (serve, run); null before.</summary>
    public DialerEngine? Engine { get; private set; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The web admin's password hash (<c>Web:AdminPasswordHash</c>, made by <c>amidialer admin set-password</c>); null until one is set.</summary>
    public string? AdminPasswordHash =>
        string.IsNullOrEmpty(Settings.Web.AdminPasswordHash) ? null : Settings.Web.AdminPasswordHash;

    public static Task<AppServices> CreateAsync(AmiDialerSettings settings, bool simulate, CancellationToken ct) =>
        CreateAsync(settings, simulate, new AppServicesOptions(), ct);

    /// <summary>Opens (creating and migrating) the database; with <paramref name="simulate"/>, starts the simulator on a free loopback port.</summary>
    public static async Task<AppServices> CreateAsync(AmiDialerSettings settings, bool simulate, AppServicesOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var time = options.Time ?? TimeProvider.System;
        var database = settings.Database.Provider == DatabaseProvider.Postgres
            ? await AmiDialerDatabase.OpenPostgresAsync(
                settings.Database.ConnectionString ?? throw new SettingsException(["Database:ConnectionString must be set when Database:Provider is Postgres."]),
                settings.Database.Path, loggerFactory.CreateLogger<AmiDialerDatabase>(), ct)
            : await AmiDialerDatabase.OpenAsync(settings.Database.Path, loggerFactory.CreateLogger<AmiDialerDatabase>(), ct);
        AmiSimulator? simulator = null;
        if (simulate)
        {
            simulator = await AmiSimulator.StartAsync(
                new SimulatorOptions
                {
                    Port = 0,
                    TimeScale = options.SimulatorTimeScale,
                    Outcomes = options.SimulatorOutcomes ?? OutcomeRules.TestPbx(),
                    Queues = options.SimulatorQueues ?? [QueueOptions.TestPbx()],
                    LoggerFactory = loggerFactory,
                },
                ct);
            settings.Ami.Servers =
            [
                new AmiServerSettings
                {
                    Name = "simulator",
                    Host = simulator.EndPoint.Address.ToString(),
                    Port = simulator.Port,
                    Username = SimulatorLogin.Username,
                    Secret = SimulatorLogin.Secret,
                    Auth = AmiAuthKind.Md5,
                    // The simulator is in process and fast; let the campaign's own limits pace the calls.
                    OriginatesPerSecond = 1000,
                    ActionsPerSecond = 1000,
                    MaxConcurrentCalls = 1000,
                },
            ];
        }

        return new AppServices(settings, database, time, loggerFactory, simulator, options);
    }

    /// <summary>
    /// Starts the engine on the configured AMI servers (or the simulator with --simulate): with
    /// <paramref name="useScheduler"/> (serve) Quartz dials every running campaign; without it (run) the caller
    /// dials one campaign with <see cref="DialerEngine.RunCampaignAsync"/>. Idempotent.
    /// </summary>
    public async Task<DialerEngine> StartEngineAsync(bool useScheduler, CancellationToken ct)
    {
        await engineGate.WaitAsync(ct);
        try
        {
            if (Engine is not null)
            {
                return Engine;
            }

            var engine = new DialerEngine(EngineOptions(), LoggerFactory, Time);
            try
            {
                await engine.StartAsync(useScheduler, ct);
            }
            catch
            {
                await engine.DisposeAsync();
                throw;
            }

            Engine = engine;
            return engine;
        }
        finally
        {
            engineGate.Release();
        }
    }

    /// <summary>The engine's options from the settings; the knobs in <see cref="AppServicesOptions.Engine"/> (tests) win.</summary>
    public DialerEngineOptions EngineOptions()
    {
        var servers = Settings.Ami.Servers.Select(s => new AmiServerConfig(
            s.Name,
            new AmiClientOptions
            {
                Host = s.Host,
                Port = s.Port,
                Username = s.Username,
                Secret = s.Secret,
                Auth = s.Auth == AmiAuthKind.Plain ? AmiAuthMethod.Plain : AmiAuthMethod.Md5,
                UseTls = s.UseTls,
                ActionsPerSecond = s.ActionsPerSecond,
                OriginatesPerSecond = s.OriginatesPerSecond,
                PingInterval = s.PingInterval,
                MaxReconnectDelay = s.MaxReconnectDelay,
            },
            s.MaxConcurrentCalls) { Ledger = s.Ledger }).ToList();
        var configured = new DialerEngineOptions
        {
            DatabasePath = DatabasePath,
            Database = Database,
            Servers = servers,
            Simulated = IsSimulated,
            // Reports speak of the simulated calls' seconds, not of the sped-up wall clock's.
            PbxTimeScale = Simulator?.Options.TimeScale ?? 1,
            CallControl = CallControlSettings.From(Settings),
            ShutdownGrace = Settings.Engine.ShutdownGrace,
            SupervisorInterval = Settings.Engine.SupervisorInterval,
            MaxAbandonRate = Settings.Dialing.MaxAbandonRate,
            AbandonWindow = DialingSettings.ParseAbandonWindow(Settings.Dialing.AbandonWindow) ?? TimeSpan.FromDays(30),
            AbandonRetryDelay = Settings.Dialing.AbandonRetryDelay,
            QueueWrapUps = Settings.Dialing.QueueWrapUp,
            // On PostgreSQL, Quartz is clustered over every node on the database (its connection string as the store
            // normalized it: a postgres:// URI converted).
            SchedulerStore = Database.DataSource is not null ? SchedulerStore.Postgres(Database.ConnectionString) : null,
        };
        return options.Engine?.Invoke(configured) ?? configured;
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (Engine is not null)
        {
            // Leases released, live calls left to finish; the simulator goes only after the engine let go of it.
            await Engine.DisposeAsync();
        }

        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }

        engineGate.Dispose();
        otlp?.Dispose();
        await Database.DisposeAsync();
    }
}

/// <summary>What tests and the CLI may choose when building <see cref="AppServices"/>.</summary>
public sealed record AppServicesOptions
{
    /// <summary>Clock for the engine and the store; the system clock when null.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Where logs go; nowhere when null (the CLI passes a stderr logger). The caller disposes it.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Simulated seconds per real second for the built-in simulator (--simulate); 1 is real time.</summary>
    public double SimulatorTimeScale { get; init; } = 1;

    /// <summary>Adjusts the engine's options (tests: shorter settle time, lease duration...).</summary>
    public Func<DialerEngineOptions, DialerEngineOptions>? Engine { get; init; }

    /// <summary>How simulated calls end; the test PBX's last-digit table when null.</summary>
    public OutcomeRules? SimulatorOutcomes { get; init; }

    /// <summary>The built-in simulator's queues; the lab's <c>sales</c> with two agents when null.</summary>
    public IReadOnlyList<QueueOptions>? SimulatorQueues { get; init; }
}
