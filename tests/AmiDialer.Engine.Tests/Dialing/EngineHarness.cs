using System.Globalization;
using System.Text;
using AmiDialer.Ami;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Simulator;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// A real SQLite file, the AMI simulator on a loopback port (time-scaled: a 7 s answered call takes 70 ms), and
/// engines pointed at it. Tests drive campaigns end to end through these real parts.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private readonly TempDatabase _db;
    private readonly List<DialerEngine> _engines = [];

    private EngineHarness(AmiSimulator simulator, TempDatabase db, AmiDialerDatabase database)
    {
        _db = db;
        Simulator = simulator;
        Database = database;
        Campaigns = new CampaignRepository(database, TimeProvider.System);
        Attempts = new AttemptRepository(database);
        Leads = new LeadRepository(database);
        Dnc = new DncRepository(database, TimeProvider.System);
        Reports = new ReportRepository(database);
    }

    public AmiSimulator Simulator { get; }
    public AmiDialerDatabase Database { get; }
    public CampaignRepository Campaigns { get; }
    public AttemptRepository Attempts { get; }
    public LeadRepository Leads { get; }
    public DncRepository Dnc { get; }
    public ReportRepository Reports { get; }

    /// <param name="ledger">The simulated PBX has the outcome ledger dialplan installed.</param>
    /// <param name="queues">The simulated PBX's queues; default the lab's <c>sales</c> with two agents.</param>
    public static async Task<EngineHarness> StartAsync(double timeScale = 100, OutcomeRules? outcomes = null, bool ledger = false, IReadOnlyList<QueueOptions>? queues = null)
    {
        var simulator = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            TimeScale = timeScale,
            Outcomes = outcomes ?? OutcomeRules.TestPbx(),
            LedgerInstalled = ledger,
            Queues = queues ?? [QueueOptions.TestPbx()],
        });
        var temp = new TempDatabase();
        var database = await AmiDialerDatabase.OpenAsync(temp.Path);
        return new EngineHarness(simulator, temp, database);
    }

    public string DbPath => _db.Path;

    public AmiServerConfig Server(string name = "sim", int maxConcurrent = 500, int originatesPerSecond = 0) => new(name, new AmiClientOptions
    {
        Host = "127.0.0.1",
        Port = Simulator.Port,
        Username = "dialer",
        Secret = "dialerpass",
        OriginatesPerSecond = originatesPerSecond,
        ActionsPerSecond = 0,
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        PingInterval = TimeSpan.FromSeconds(2),
    }, maxConcurrent);

    /// <param name="simulated">False for an engine that takes the simulator for a real PBX (as a real serve would be).</param>
    /// <param name="ledger">The engine's server is configured with <c>Ledger: true</c> (dials through the ledger dialplan).</param>
    /// <param name="servers">The AMI servers (all this harness's simulator, by their names); default one named "sim".</param>
    public DialerEngineOptions Options(string instance, TimeSpan? lease = null, Func<AmiDialerDatabase, TimeProvider, IAttemptWriter>? attemptWriter = null, bool simulated = true, bool ledger = false,
        IReadOnlyList<AmiServerConfig>? servers = null, AmiDialer.Engine.CallControl.CallControlOptions? callControl = null, double pbxTimeScale = 1, TimeSpan queueWrapUp = default, TimeSpan? abandonRetryDelay = null) => new()
    {
        PbxTimeScale = pbxTimeScale,
        QueueWrapUp = queueWrapUp,
        AbandonRetryDelay = abandonRetryDelay ?? TimeSpan.FromHours(72),
        AttemptWriterFactory = attemptWriter,
        DatabasePath = DbPath,
        Servers = servers ?? [Server() with { Ledger = ledger }],
        CallControl = callControl ?? new(),
        Simulated = simulated,
        InstanceName = instance,
        LeaseDuration = lease ?? TimeSpan.FromSeconds(30),
        HeartbeatInterval = (lease ?? TimeSpan.FromSeconds(30)) / 4,
        SettleTime = TimeSpan.FromMilliseconds(60),
        OriginateGrace = TimeSpan.FromSeconds(3),
        PollInterval = TimeSpan.FromMilliseconds(20),
        ReconcileInterval = TimeSpan.FromSeconds(2),
        IdleWait = TimeSpan.FromMilliseconds(50),
        SupervisorInterval = TimeSpan.FromSeconds(1),
        MinimumRingTimeout = TimeSpan.FromSeconds(15),
    };

    public CollectingLoggerFactory Logs { get; } = new();

    public async Task<DialerEngine> StartEngineAsync(DialerEngineOptions options, TimeProvider? time = null, bool useScheduler = false)
    {
        var engine = new DialerEngine(options, Logs, time);
        _engines.Add(engine);
        await engine.StartAsync(useScheduler);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await engine.WaitForServersAsync(cts.Token);
        return engine;
    }

    /// <summary>A campaign dialing <c>Local/{number}@pstn</c> (the simulator's outcome is the number's last digit).</summary>
    public async Task<Campaign> CreateCampaignAsync(string name, Func<Campaign, Campaign>? configure = null)
    {
        var campaign = new Campaign
        {
            Name = name,
            TimeZoneId = "America/New_York",
            DialTemplate = "Local/{number}@pstn",
            Destination = new DialplanTarget("agents", "100", 1),
            CallerId = "\"Campaign\" <5551234>",
            RingTimeout = TimeSpan.FromSeconds(15),
            MaxConcurrentCalls = 100,
            CallsPerSecond = 200,
            CallingHours = DailyWindow.AllDay,
            MaxAttempts = 1,
        };
        return await Campaigns.CreateAsync(configure?.Invoke(campaign) ?? campaign, "test");
    }

    /// <summary>Imports leads through the real CSV importer; numbers are +1 415 2xx xxxx with the given last digits.</summary>
    public async Task ImportAsync(long campaignId, IEnumerable<string> e164Numbers)
    {
        var csv = new StringBuilder("phone,name\n");
        var i = 0;
        foreach (var number in e164Numbers)
        {
            csv.Append(number).Append(",Lead ").Append(i++.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        var result = await new CsvLeadImporter(Database, TimeProvider.System).ImportAsync(stream, "leads.csv", new CsvImportOptions
        {
            CampaignId = campaignId,
            ErrorCsvPath = DbPath + $".{Guid.NewGuid():N}.errors.csv",
        });
        _ = result;
    }

    /// <summary><paramref name="count"/> distinct San Francisco numbers cycling through last digits 0-9.</summary>
    public static IEnumerable<string> Numbers(int count, int start = 0) =>
        Enumerable.Range(start, count).Select(i => "+1415" + (2000000 + i).ToString("0000000", CultureInfo.InvariantCulture));

    /// <summary>Originates the simulator received, with the number dialed.</summary>
    public IReadOnlyList<(string Number, DateTimeOffset At, string? ChannelId)> Originates() =>
        Simulator.ActionsNamed("Originate")
            .Select(a => (Number: (a["Channel"] ?? "").Split('/', '@')[1], a.ReceivedAt, a["ChannelId"]))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in _engines)
        {
            await engine.DisposeAsync();
        }

        await Simulator.DisposeAsync();
        _db.Dispose();
    }
}
