using AmiDialer.Ami;
using AmiDialer.Core.Doctor;
using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;
using AmiDialer.Core.Queues;
using AmiDialer.Engine.Preflight;
using AmiDialer.Engine.Tests.Dialing;
using AmiDialer.Simulator;

namespace AmiDialer.Engine.Tests.Queues;

/// <summary>
/// A followed queue's wrapuptime read from queues.conf with GetConfig (the simulator serves the lab's file), the
/// operator's Dialing:QueueWrapUp where the login may not, and the doctor's word on which applies.
/// </summary>
public sealed class QueueWrapUpReadTests
{
    private static readonly Campaign Queued = new()
    {
        Name = "queued",
        State = CampaignState.Running,
        DialTemplate = "Local/{number}@pstn",
        Destination = new DialplanTarget("queue", "sales", 1),
        Queue = "sales",
        Pacing = PacingMode.Progressive,
    };

    [Fact]
    public async Task The_engine_reads_a_followed_queues_wrapuptime_from_queues_conf()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: 10, queues: [QueueOptions.CallCentre("sales", 2, wrapUpSeconds: 7)]);
        var engine = await h.StartEngineAsync(h.Options("wrap-up", pbxTimeScale: 10, queueWrapUp: TimeSpan.FromSeconds(1)));
        var server = engine.Services.Servers[0];
        server.FollowQueue("sales");

        await PacingTests.WaitUntil(() => server.QueueFollower.WrapUpOf("sales").Source == QueueWrapUpSource.QueuesConf);
        Assert.Equal(TimeSpan.FromSeconds(7), server.QueueFollower.WrapUpOf("sales").Time);
        Assert.NotEmpty(h.Simulator.ActionsNamed("GetConfig"));
    }

    [Fact]
    public async Task The_doctor_says_where_the_wrap_up_comes_from_and_warns_when_nothing_tells_it()
    {
        await using var sim = await AmiSimulator.StartAsync(new SimulatorOptions
        {
            Queues = [QueueOptions.CallCentre("sales", 2, wrapUpSeconds: 3)],
            Users = [.. SimulatorUser.TestPbxUsers, new SimulatorUser("noconfig", "noconfigpass", AmiPrivilege.All, AmiPrivilege.Call | AmiPrivilege.Agent | AmiPrivilege.Reporting)],
        });
        var needs = DoctorNeeds.From([Queued]);

        var full = await CheckAsync(sim, "dialer", "dialerpass", new DoctorOptions());
        Assert.Equal((CheckLevel.Ok, "3 s from queues.conf"), Check(full, "wrap-up sales"));

        var blind = await CheckAsync(sim, "noconfig", "noconfigpass", new DoctorOptions());
        var (level, detail) = Check(blind, "wrap-up sales");
        Assert.Equal(CheckLevel.Warn, level);
        Assert.Contains("user 'noconfig' may not run GetConfig", detail, StringComparison.Ordinal);
        Assert.Contains("Dialing:QueueWrapUp:sales is not set", detail, StringComparison.Ordinal);

        var told = await CheckAsync(sim, "noconfig", "noconfigpass", new DoctorOptions { QueueWrapUps = new Dictionary<string, TimeSpan> { ["sales"] = TimeSpan.FromSeconds(4) } });
        (level, detail) = Check(told, "wrap-up sales");
        Assert.Equal(CheckLevel.Ok, level);
        Assert.StartsWith("4 s from Dialing:QueueWrapUp:sales", detail, StringComparison.Ordinal);

        async Task<ServerCheckReport> CheckAsync(AmiSimulator s, string user, string secret, DoctorOptions options)
        {
            var config = new AmiServerConfig("pbx1", new AmiClientOptions { Host = "127.0.0.1", Port = s.Port, Username = user, Secret = secret }, 10);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await ServerDoctor.CheckAsync(new ServerToCheck(config, "Ami:Servers:0"), needs, options, TimeProvider.System, cts.Token);
        }

        static (CheckLevel, string) Check(ServerCheckReport report, string name) => report.Checks.Single(c => c.Check == name) is var c ? (c.Level, c.Detail) : default;
    }
}
