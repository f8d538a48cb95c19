using System.Globalization;
using System.Text;
using AmiDialer.Ami;
using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;
using AmiDialer.Data.Database;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.Dialing;
using AmiDialer.Engine.Live;
using AmiDialer.Simulator;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// A call centre for agent-aware pacing measured end to end: the simulator's queue <c>sales</c> with
/// <see cref="Agents"/> agents talking <see cref="TalkMinSeconds"/>-<see cref="TalkMaxSeconds"/> (PBX seconds), callees
/// answering at <see cref="AnswerRate"/>, and the other calls failing as the Core pacing model's do (a quarter busy
/// after 1-4 s, the rest ringing out at <see cref="NoAnswerSeconds"/>).
/// </summary>
public sealed record CallCentreSettings(
    int Agents = 16,
    double AnswerRate = 0.35,
    double TalkMinSeconds = 20,
    double TalkMaxSeconds = 40,
    double AnswerRingMinSeconds = 2,
    double AnswerRingMaxSeconds = 8,
    double NoAnswerSeconds = 15,
    double WrapUpSeconds = 1,
    double TimeScale = 20,
    int Leads = 4000,
    int Seed = 1)
{
    /// <summary>The outcome mix stated in words, for reports.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Agents} agents, {AnswerRate:0%} answered after {AnswerRingMinSeconds:0.#}-{AnswerRingMaxSeconds:0.#} s of ringing, of the rest a quarter busy after 1-4 s and "
        + $"three quarters ringing out at {NoAnswerSeconds:0.#} s; talk {TalkMinSeconds:0.#}-{TalkMaxSeconds:0.#} s uniform, wrap-up {WrapUpSeconds:0.#} s; "
        + $"callee patience in the queue 5-20 s; PBX time x{TimeScale:0.#}; seed {Seed}");

    internal OutcomeRules Outcomes() => new(mix:
    [
        new(SimulatedOutcome.Answered, AnswerRate, AnswerRingMinSeconds, AnswerRingMaxSeconds, 600, 600),
        new(SimulatedOutcome.Busy, (1 - AnswerRate) / 4, 1, 4),
        new(SimulatedOutcome.NoAnswer, (1 - AnswerRate) * 3 / 4, NoAnswerSeconds, NoAnswerSeconds),
    ], seed: Seed);

    internal QueueOptions Queue()
    {
        var queue = QueueOptions.CallCentre("sales", Agents, talkSeconds: (TalkMinSeconds, TalkMaxSeconds), wrapUpSeconds: WrapUpSeconds, seed: Seed);
        queue.PatienceSeconds = (5, 20);
        return queue;
    }
}

/// <summary>
/// What one measured window of a <see cref="CallCentreRun"/> gave: agents' time talking (sampled from the simulator's
/// members), and the campaign's answers, abandons and calls placed in it (from the store: what the engine recorded).
/// </summary>
public sealed record CallCentreResult(string Pacing, double Utilisation, int Answered, int Abandoned, int Placed, double AgentHours, double PredictiveShare)
{
    public double AbandonRate => Answered == 0 ? 0 : (double)Abandoned / Answered;

    /// <summary>Answered calls that reached an agent in time, per agent-hour (PBX hours).</summary>
    public double ConnectedPerAgentHour => AgentHours <= 0 ? 0 : (Answered - Abandoned) / AgentHours;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Pacing}: agents busy {Utilisation:0.0%}, abandoned {AbandonRate:0.0%} ({Abandoned} of {Answered}), {ConnectedPerAgentHour:0.0} connected per agent-hour, {Placed} placed");
}

/// <summary>
/// One campaign of <see cref="CallCentreSettings.Leads"/> leads dialed by the real engine (SQLite file, AMI over a
/// loopback socket) into the simulator's queue with the given pacing. <see cref="MeasureAsync"/> samples a window.
/// </summary>
public sealed class CallCentreRun : IAsyncDisposable
{
    private readonly TempDatabase _file;
    private readonly CancellationTokenSource _cancel = new();
    private DialerEngine? _engine;

    private CallCentreRun(CallCentreSettings settings, AmiSimulator simulator, TempDatabase file, AmiDialerDatabase database)
    {
        _file = file;
        Settings = settings;
        Simulator = simulator;
        Database = database;
    }

    public CallCentreSettings Settings { get; }

    public AmiSimulator Simulator { get; }

    public AmiDialerDatabase Database { get; }

    public DialerEngine Engine => _engine ?? throw new InvalidOperationException("Not started.");

    public long CampaignId { get; private set; }

    public Task<CampaignRunResult>? Run { get; private set; }

    /// <param name="fixedConcurrency">The campaign's cap on calls at once: what fixed pacing dials at, a ceiling for the others.</param>
    public static async Task<CallCentreRun> StartAsync(CallCentreSettings settings, PacingMode pacing, int fixedConcurrency = 200, Func<DialerEngineOptions, DialerEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var simulator = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            TimeScale = settings.TimeScale,
            Outcomes = settings.Outcomes(),
            Queues = [settings.Queue()],
        });
        CallCentreRun? run = null;
        try
        {
            var file = new TempDatabase();
            run = new CallCentreRun(settings, simulator, file, await AmiDialerDatabase.OpenAsync(file.Path));
            await run.StartAsync(pacing, fixedConcurrency, configure);
            return run;
        }
        catch
        {
            if (run is not null)
            {
                await run.DisposeAsync();
            }
            else
            {
                await simulator.DisposeAsync();
            }

            throw;
        }
    }

    private async Task StartAsync(PacingMode pacing, int fixedConcurrency, Func<DialerEngineOptions, DialerEngineOptions>? configure)
    {
        var campaigns = new CampaignRepository(Database, TimeProvider.System);
        var campaign = await campaigns.CreateAsync(new Campaign
        {
            Name = "call-centre-" + pacing.ToWireName(),
            TimeZoneId = "America/New_York",
            DialTemplate = "Local/{number}@pstn",
            Destination = new DialplanTarget("queue", "sales", 1),
            Queue = "sales",
            Pacing = pacing,
            CallerId = "\"Campaign\" <5551234>",
            RingTimeout = TimeSpan.FromSeconds(Settings.NoAnswerSeconds),
            MaxConcurrentCalls = fixedConcurrency,
            CallsPerSecond = 500,
            CallingHours = DailyWindow.AllDay,
            MaxAttempts = 1,
        }, "test");
        CampaignId = campaign.Id;
        await ImportAsync(Settings.Leads);

        var options = new DialerEngineOptions
        {
            PbxTimeScale = Settings.TimeScale,
            QueueWrapUp = TimeSpan.FromSeconds(Settings.WrapUpSeconds),
            DatabasePath = Database.Path,
            Servers = [Server("sim", Simulator.Port)],
            Simulated = true,
            InstanceName = "call-centre",
            SettleTime = TimeSpan.FromMilliseconds(60),
            OriginateGrace = TimeSpan.FromSeconds(3),
            PollInterval = TimeSpan.FromMilliseconds(20),
            ReconcileInterval = TimeSpan.FromSeconds(2),
            IdleWait = TimeSpan.FromMilliseconds(50),
            SupervisorInterval = TimeSpan.FromSeconds(1),
            MinimumRingTimeout = TimeSpan.FromSeconds(1),
        };
        _engine = new DialerEngine(configure?.Invoke(options) ?? options, NullLoggerFactory.Instance);
        await _engine.StartAsync(useScheduler: false);
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await _engine.WaitForServersAsync(wait.Token);
        }

        Run = _engine.RunCampaignAsync(CampaignId, _cancel.Token);
    }

    /// <summary>An AMI server entry for a simulator on this machine.</summary>
    public static AmiServerConfig Server(string name, int port, int maxConcurrent = 500) => new(name, new AmiClientOptions
    {
        Host = "127.0.0.1",
        Port = port,
        Username = "dialer",
        Secret = "dialerpass",
        OriginatesPerSecond = 0,
        ActionsPerSecond = 0,
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        PingInterval = TimeSpan.FromSeconds(2),
    }, maxConcurrent);

    private async Task ImportAsync(int count)
    {
        var csv = new StringBuilder("phone,name\n");
        for (var i = 0; i < count; i++)
        {
            csv.Append("+1415").Append((2000000 + i).ToString("0000000", CultureInfo.InvariantCulture)).Append(",Lead ").Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        await new CsvLeadImporter(Database, TimeProvider.System).ImportAsync(stream, "leads.csv", new CsvImportOptions
        {
            CampaignId = CampaignId,
            ErrorCsvPath = _file.Path + ".errors.csv",
        });
    }

    /// <summary>The campaign's live state as the engine shows it (the campaign page's source).</summary>
    public CampaignLiveState Live() => Engine.GetSnapshot().Campaigns.Single(c => c.CampaignId == CampaignId);

    /// <summary>Waits (generously) until <paramref name="done"/> holds for the live state; false when it never did.</summary>
    public async Task<bool> WaitForAsync(Func<CampaignLiveState, bool> done, TimeSpan timeout)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < until)
        {
            if (Run is { IsCompleted: true })
            {
                await Run;
                return done(Live());
            }

            if (done(Live()))
            {
                return true;
            }

            await Task.Delay(25);
        }

        return false;
    }

    /// <summary>Answered attempts so far (the store's count).</summary>
    public async Task<long> AnsweredAsync()
    {
        await using var connection = await Database.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM attempts WHERE campaign_id = @CampaignId AND answered_at IS NOT NULL", new { CampaignId });
    }

    /// <summary>
    /// Samples the agents (talking or not, on the simulator) and the engine's pacing reason for <paramref name="window"/>,
    /// then counts the attempts placed and answered in it and, once their fates are in, those abandoned.
    /// </summary>
    public async Task<CallCentreResult> MeasureAsync(TimeSpan window, string? label = null)
    {
        var start = DateTimeOffset.UtcNow;
        var end = start + window;
        long samples = 0, talking = 0, predictive = 0, reasons = 0;
        while (DateTimeOffset.UtcNow < end && Run is { IsCompleted: false })
        {
            talking += Simulator.QueueMembers("sales").Count(m => m.InCall);
            samples++;
            if (Live().Pacing is { } reason)
            {
                reasons++;
                predictive += reason.StartsWith("predictive:", StringComparison.Ordinal) ? 1 : 0;
            }

            await Task.Delay(20);
        }

        end = DateTimeOffset.UtcNow;
        // A fate is decided within 2 PBX seconds of the answer (or at the agent's connect): give the last ones time.
        await Task.Delay(TimeSpan.FromSeconds(4 / Settings.TimeScale) + TimeSpan.FromMilliseconds(500));
        await using var connection = await Database.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string CreatedAt, string? AnsweredAt, long? Abandoned)>(
            "SELECT created_at, answered_at, is_abandoned FROM attempts WHERE campaign_id = @CampaignId", new { CampaignId });
        int placed = 0, answered = 0, abandoned = 0;
        foreach (var (createdAt, answeredAt, isAbandoned) in rows)
        {
            if (In(createdAt))
            {
                placed++;
            }

            if (answeredAt is not null && In(answeredAt))
            {
                answered++;
                // No fate recorded is what the rule counts as abandoned too.
                abandoned += isAbandoned is 0 ? 0 : 1;
            }
        }

        var agentHours = Settings.Agents * (end - start).TotalHours * Settings.TimeScale;
        return new CallCentreResult(label ?? Live().Pacing?.Split(':')[0] ?? "?", samples == 0 ? 0 : (double)talking / samples / Settings.Agents,
            answered, abandoned, placed, agentHours, reasons == 0 ? 0 : (double)predictive / reasons);

        bool In(string stamp)
        {
            var at = DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture);
            return at >= start && at < end;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        if (Run is not null)
        {
            try
            {
                await Run.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
            }
        }

        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        await Simulator.DisposeAsync();
        _file.Dispose();
        _cancel.Dispose();
    }
}
