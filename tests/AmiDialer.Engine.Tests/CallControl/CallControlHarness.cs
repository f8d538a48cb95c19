using AmiDialer.Ami;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.CallControl;
using AmiDialer.Simulator;

namespace AmiDialer.Engine.Tests.CallControl;

/// <summary>
/// A real engine against real simulators over loopback sockets, on a throwaway SQLite file. PBX time is scaled so a
/// call lasts milliseconds; the engine runs on the real clock with short settle and poll intervals.
/// </summary>
internal sealed class CallControlHarness : IAsyncDisposable
{
    private readonly TempDatabase _db = new();

    private CallControlHarness()
    {
    }

    public List<AmiSimulator> Simulators { get; } = [];

    public DialerEngine Engine { get; private set; } = null!;

    public AmiDialerDatabase Database { get; private set; } = null!;

    public CallControlService Calls => Engine.CallControl;

    public static async Task<CallControlHarness> StartAsync(
        int servers = 1,
        double timeScale = 50,
        int maxCallsPerServer = 50,
        CallControlOptions? callControl = null,
        bool ledger = false)
    {
        var h = new CallControlHarness();
        for (var i = 0; i < servers; i++)
        {
            h.Simulators.Add(await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = timeScale, LedgerInstalled = ledger }));
        }

        h._options = instance => new DialerEngineOptions
        {
            InstanceName = instance,
            DatabasePath = h._db.Path,
            Servers = h.Simulators.Select((s, i) => new AmiServerConfig($"pbx{i + 1}", ClientFor(s.Port), maxCallsPerServer) { Ledger = ledger }).ToList(),
            Simulated = true,
            SettleTime = TimeSpan.FromMilliseconds(100),
            PollInterval = TimeSpan.FromMilliseconds(20),
            IdleWait = TimeSpan.FromMilliseconds(50),
            LeaseDuration = TimeSpan.FromSeconds(2),
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            SupervisorInterval = TimeSpan.FromMilliseconds(500),
            CallControl = callControl ?? new CallControlOptions { ClickToCall = new ClickToCallOptions { RespectCallingHours = false } },
        };
        await h.StartEngineAsync();
        h.Database = await AmiDialerDatabase.OpenAsync(h._db.Path);
        return h;
    }

    private Func<string, DialerEngineOptions> _options = null!;
    private int _engines;

    public CollectingLoggerFactory Logs { get; } = new();

    private async Task StartEngineAsync(bool useScheduler = false)
    {
        // Each engine is another process: its own instance name (and click-to-call lease).
        Engine = new DialerEngine(_options($"c2c-engine-{++_engines}"), Logs);
        await Engine.StartAsync(useScheduler);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Engine.WaitForServersAsync(timeout.Token);
    }

    /// <summary>
    /// Kills the engine (no cleanup, as a process that died) and starts a new one on the same database as serve does
    /// (its supervisor takes over the dead engine's click-to-call lease once its heartbeat stood still).
    /// </summary>
    public async Task CrashAndRestartEngineAsync(Func<Task>? whileDown = null)
    {
        await Engine.CrashAsync();
        if (whileDown is not null)
        {
            await whileDown();
        }

        await StartEngineAsync(useScheduler: true);
    }

    public static AmiClientOptions ClientFor(int port) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        Username = "dialer",
        Secret = "dialerpass",
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        OriginatesPerSecond = 200,
        ActionsPerSecond = 1000,
    };

    public AttemptRepository Attempts => new(Database);

    /// <summary>A campaign dialing <c>Local/{national}@pstn</c> into agents,100 at any hour, with the given leads.</summary>
    public async Task<Campaign> CreateCampaignAsync(string name, IEnumerable<string> numbers, DialplanTarget? onAnswer = null, int maxConcurrent = 10, double callsPerSecond = 50)
    {
        var campaign = await new CampaignRepository(Database, TimeProvider.System).CreateAsync(new Campaign
        {
            Name = name,
            DialTemplate = "Local/{national}@pstn",
            Destination = new DialplanTarget("agents", "100", 1),
            OnAnswerRedirect = onAnswer,
            CallingHours = DailyWindow.AllDay,
            RingTimeout = TimeSpan.FromSeconds(15),
            MaxConcurrentCalls = maxConcurrent,
            CallsPerSecond = callsPerSecond,
            MaxAttempts = 3,
            IsSimulated = true,
        }, "test");
        var csv = "phone\n" + string.Join("\n", numbers) + "\n";
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));
        var result = await new CsvLeadImporter(Database, TimeProvider.System).ImportAsync(stream, "leads.csv", new CsvImportOptions { CampaignId = campaign.Id, ValidationWorkers = 1 });
        _ = result;
        return campaign;
    }

    /// <summary>Every Originate any simulator (including ones already disposed) received for a dialed number.</summary>
    public static int OriginatesFor(IEnumerable<AmiSimulator> simulators, string national) =>
        simulators.Sum(s => s.ActionsNamed("Originate").Count(a => (a["Channel"] ?? "").Contains(national, StringComparison.Ordinal) || a["Exten"] == national));

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        foreach (var simulator in Simulators)
        {
            await simulator.DisposeAsync();
        }

        _db.Dispose();
    }
}
