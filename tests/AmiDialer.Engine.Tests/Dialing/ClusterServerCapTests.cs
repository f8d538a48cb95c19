using System.Globalization;
using System.Text;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Data.Database;
using AmiDialer.Data.Import;
using AmiDialer.Data.Repositories;
using AmiDialer.Simulator;
using AmiDialer.Testing.Postgres;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// Two engines (two nodes: each its own store connections and its own AMI login) share one Asterisk whose
/// MaxConcurrentCalls is <see cref="Cap"/>, each dialing its own campaign flat out. The simulator's ground truth
/// (every call's start and end at the PBX) must never show more than the cap at once, though each node alone would
/// fill it: the count is the store's, over both nodes. On PostgreSQL, and on one SQLite file.
/// </summary>
public sealed class ClusterServerCapTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int Cap = 4;
    private const int LeadsPerCampaign = 30;

    [PostgresFact]
    public async Task Two_nodes_on_one_postgres_database_never_put_more_calls_on_a_shared_server_than_its_cap()
    {
        var connectionString = await postgres.CreateDatabaseAsync("server_cap");
        await TwoNodesShareOneServerAsync(folder => AmiDialerDatabase.OpenPostgresAsync(connectionString, Path.Combine(folder, "local.db")));
    }

    [Fact]
    public async Task Two_engines_on_one_sqlite_file_never_put_more_calls_on_a_shared_server_than_its_cap()
    {
        using var file = new TempDatabase();
        await TwoNodesShareOneServerAsync(_ => AmiDialerDatabase.OpenAsync(file.Path));
    }

    [PostgresFact]
    public async Task A_node_dials_the_server_the_other_node_leaves_room_on_without_trying_the_full_one()
    {
        var connectionString = await postgres.CreateDatabaseAsync("server_choice");
        var folder = Path.Combine(Path.GetTempPath(), "amidialer-server-cap", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        // Scale 10: node A's calls ring for 12 s (a 120 s ring timeout nobody answers); node B's are answered and last 100 ms.
        await using var one = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 10, Outcomes = OutcomeRules.TestPbx() });
        await using var two = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 10, Outcomes = OutcomeRules.TestPbx() });
        await using var storeA = await AmiDialerDatabase.OpenPostgresAsync(connectionString, Path.Combine(folder, "a.db"));
        await using var storeB = await AmiDialerDatabase.OpenPostgresAsync(connectionString, Path.Combine(folder, "b.db"));
        var ringing = await CreateCampaignAsync(storeA, "fills-pbx1", 0, count: 3, digit: 3, ringTimeout: TimeSpan.FromSeconds(120));
        var answered = await CreateCampaignAsync(storeA, "on-pbx2", 1000, count: 9, digit: 6);

        var logsB = new CollectingLoggerFactory { MinimumLevel = Microsoft.Extensions.Logging.LogLevel.Debug };
        await using var nodeA = new DialerEngine(Options(storeA, folder, "node-a", [CallCentreRun.Server("pbx1", one.Port, 3)]), new CollectingLoggerFactory());
        await using var nodeB = new DialerEngine(Options(storeB, folder, "node-b", [CallCentreRun.Server("pbx1", one.Port, 3), CallCentreRun.Server("pbx2", two.Port, 3)]), logsB);
        await StartAsync(nodeA);
        var holding = nodeA.RunCampaignAsync(ringing.Id);
        await WaitUntilAsync(() => one.LiveCalls == 3, "node A fills pbx1");

        await StartAsync(nodeB);
        var run = await nodeB.RunCampaignAsync(answered.Id).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(CampaignRunEnd.Finished, run.End);
        Assert.True(one.LiveCalls == 3, "node A's calls ended before node B was done: the machine was too slow for this test");

        // Every call of node B went to pbx2, and none was even claimed on pbx1: B knew A's calls filled it.
        await using (var connection = await storeB.OpenConnectionAsync())
        {
            var servers = (await Dapper.SqlMapper.QueryAsync<string>(connection, "SELECT server FROM attempts WHERE campaign_id = @id", new { id = answered.Id })).ToList();
            Assert.Equal(9, servers.Count);
            Assert.All(servers, s => Assert.Equal("pbx2", s));
        }

        Assert.Equal(3, one.ActionsNamed("Originate").Count);
        Assert.DoesNotContain(logsB.Lines, l => l.Contains("[4900]", StringComparison.Ordinal));
        await holding.WaitAsync(TimeSpan.FromSeconds(120));
        Directory.Delete(folder, recursive: true);
    }

    private static async Task TwoNodesShareOneServerAsync(Func<string, Task<AmiDialerDatabase>> open)
    {
        var folder = Path.Combine(Path.GetTempPath(), "amidialer-server-cap", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var record = Path.Combine(folder, "record.jsonl");
        try
        {
            // Scale 40: an answered call is up 175 ms, one nobody answers rings 375 ms: calls overlap, and slots turn over.
            await using var simulator = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 40, Outcomes = OutcomeRules.TestPbx(), RecordPath = record });
            await using var storeA = await open(folder);
            await using var storeB = await open(folder);
            var first = await CreateCampaignAsync(storeA, "cap-a", 0);
            var second = await CreateCampaignAsync(storeA, "cap-b", 1000);

            var logs = new CollectingLoggerFactory();
            await using var nodeA = new DialerEngine(Options(storeA, folder, "node-a", [CallCentreRun.Server("pbx", simulator.Port, Cap)]), logs);
            await using var nodeB = new DialerEngine(Options(storeB, folder, "node-b", [CallCentreRun.Server("pbx", simulator.Port, Cap)]), logs);
            await StartAsync(nodeA);
            await StartAsync(nodeB);

            // Each campaign allows 100 calls at once: only the server's cap holds them back.
            var runs = await Task.WhenAll(nodeA.RunCampaignAsync(first.Id), nodeB.RunCampaignAsync(second.Id)).WaitAsync(TimeSpan.FromSeconds(180));
            Assert.All(runs, r => Assert.Equal(CampaignRunEnd.Finished, r.End));

            var calls = ReadCalls(record);
            Assert.Equal(2 * LeadsPerCampaign, calls.Count);
            var peak = PeakOverlap(calls);
            Assert.True(peak <= Cap, $"the PBX carried {peak} calls at once, over its MaxConcurrentCalls of {Cap}");
            // The cap was reached, with both nodes dialing at the same time: it was shared, not taken in turns.
            Assert.Equal(Cap, peak);
            var a = calls.Where(c => c.Number.Contains("4152000", StringComparison.Ordinal)).ToList();
            var b = calls.Where(c => c.Number.Contains("4152001", StringComparison.Ordinal)).ToList();
            Assert.Equal((LeadsPerCampaign, LeadsPerCampaign), (a.Count, b.Count));
            Assert.True(a.Min(c => c.Start) < b.Max(c => c.Start) && b.Min(c => c.Start) < a.Max(c => c.Start), "the two nodes did not dial at the same time");

            // Every lead called once: a claim the cap refused left its lead due, and it was dialed later.
            var attempts = new AttemptRepository(storeA);
            foreach (var campaign in new[] { first, second })
            {
                var summary = await new ReportRepository(storeA).GetSummaryAsync(campaign.Id);
                Assert.Equal(LeadsPerCampaign, summary.Attempts);
            }

            Assert.Empty(await attempts.ListOpenAsync());
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still closing: the temp folder is cleaned by the OS eventually.
            }
        }
    }

    private static async Task StartAsync(DialerEngine node)
    {
        await node.StartAsync(useScheduler: false);
        using var connected = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await node.WaitForServersAsync(connected.Token);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what + ": not in time");
            await Task.Delay(20);
        }
    }

    private static DialerEngineOptions Options(AmiDialerDatabase store, string folder, string instance, IReadOnlyList<AmiServerConfig> servers) => new()
    {
        Database = store,
        DatabasePath = Path.Combine(folder, instance + ".db"),
        Servers = servers,
        Simulated = true,
        InstanceName = instance,
        LeaseDuration = TimeSpan.FromSeconds(30),
        HeartbeatInterval = TimeSpan.FromSeconds(5),
        SettleTime = TimeSpan.FromMilliseconds(60),
        OriginateGrace = TimeSpan.FromSeconds(3),
        PollInterval = TimeSpan.FromMilliseconds(20),
        ReconcileInterval = TimeSpan.FromSeconds(2),
        IdleWait = TimeSpan.FromMilliseconds(50),
        SupervisorInterval = TimeSpan.FromSeconds(1),
        MinimumRingTimeout = TimeSpan.FromSeconds(15),
    };

    /// <summary>A campaign of <paramref name="count"/> leads from +1 415 200 0000 + <paramref name="start"/>, or all ending in <paramref name="digit"/> (the outcome).</summary>
    private static async Task<Campaign> CreateCampaignAsync(AmiDialerDatabase store, string name, int start, int count = LeadsPerCampaign, int? digit = null, TimeSpan? ringTimeout = null)
    {
        var campaign = await new CampaignRepository(store, TimeProvider.System).CreateAsync(new Campaign
        {
            Name = name,
            TimeZoneId = "America/New_York",
            DialTemplate = "Local/{number}@pstn",
            Destination = new DialplanTarget("agents", "100", 1),
            CallerId = "\"Campaign\" <5551234>",
            RingTimeout = ringTimeout ?? TimeSpan.FromSeconds(15),
            MaxConcurrentCalls = 100,
            CallsPerSecond = 200,
            CallingHours = DailyWindow.AllDay,
            MaxAttempts = 1,
        }, "test");
        var csv = new StringBuilder("phone,name\n");
        var numbers = digit is { } d ? Enumerable.Range(0, count).Select(i => $"+1415200{start / 10 + i:000}{d}") : EngineHarness.Numbers(count, start);
        foreach (var number in numbers)
        {
            csv.Append(number).Append(",x\n");
        }

        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        var imported = await new CsvLeadImporter(store, TimeProvider.System).ImportAsync(stream, name + ".csv", new CsvImportOptions { CampaignId = campaign.Id });
        Assert.Equal(count, imported.Imported);
        return campaign;
    }

    private sealed record PbxCall(string Number, DateTimeOffset Start, DateTimeOffset End);

    /// <summary>The calls the simulator recorded as ended (its ground truth), with their number and time at the PBX.</summary>
    private static List<PbxCall> ReadCalls(string record)
    {
        var calls = new List<PbxCall>();
        foreach (var line in File.ReadAllLines(record))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.TryGetProperty("endedAt", out var ended))
            {
                calls.Add(new PbxCall(root.GetProperty("number").GetString()!,
                    DateTimeOffset.Parse(root.GetProperty("startedAt").GetString()!, CultureInfo.InvariantCulture),
                    DateTimeOffset.Parse(ended.GetString()!, CultureInfo.InvariantCulture)));
            }
        }

        return calls;
    }

    /// <summary>Most calls up at one instant; a call ending at the instant another starts is not counted with it.</summary>
    private static int PeakOverlap(IEnumerable<PbxCall> calls)
    {
        var peak = 0;
        var up = 0;
        foreach (var (_, delta) in calls.SelectMany(c => new[] { (c.Start, 1), (c.End, -1) }).OrderBy(e => e.Item1).ThenBy(e => e.Item2))
        {
            up += delta;
            peak = Math.Max(peak, up);
        }

        return peak;
    }
}
