using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;
using AmiDialer.Simulator;
using Dapper;

namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// A queue campaign against the simulator's app_queue (Q1): the engine follows the queue, paces by its free agents
/// through the store's budget, and writes each answered call's fate on its attempt (PBX seconds: time scale 10).
/// </summary>
public sealed class QueuePacingTests
{
    private const double Scale = 10;

    private sealed record Row(long Id, string Outcome, string? Queue, string? QueueAgent, long? QueueWaitMs, long? Abandoned, string? QueueFate)
    {
        public bool? IsAbandoned => Abandoned is { } a ? a != 0 : null;
    }

    private static async Task<List<Row>> AnsweredAsync(EngineHarness h, long campaignId)
    {
        await using var connection = await h.Database.OpenConnectionAsync();
        return (await connection.QueryAsync<Row>(
            """
            SELECT id AS Id, outcome AS Outcome, queue AS Queue, queue_agent AS QueueAgent, queue_wait_ms AS QueueWaitMs,
                   is_abandoned AS Abandoned, queue_fate AS QueueFate
            FROM attempts WHERE campaign_id = @campaignId AND outcome = 'answered' ORDER BY id
            """, new { campaignId })).ToList();
    }

    // The queue's real calls in flight: open attempts not answered yet (claims granted but not placed are not calls).
    private static async Task<long> InFlightAsync(EngineHarness h)
    {
        await using var connection = await h.Database.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM attempts WHERE state <> 'ended' AND answered_at IS NULL");
    }

    // What the store holds the queue's claimers to: those calls plus live claims; nothing once every call is answered or over.
    private static async Task<long> BudgetInFlightAsync(DialerEngine engine) =>
        (await engine.Services.QueueStore.GetBudgetAsync(engine.Services.Servers[0].Name, "sales"))?.InFlight ?? 0;

    private static DialerEngineOptions Options(EngineHarness h, string instance, double scale = Scale) =>
        h.Options(instance, pbxTimeScale: scale, queueWrapUp: TimeSpan.FromSeconds(1));

    // "In time" is 2 PBX seconds: at 10x a 200 ms stall of a loaded machine made one answer late in a full run.
    private const double InTimeScale = 5;

    [Fact]
    public async Task Progressive_keeps_the_queues_calls_in_flight_within_its_free_agents_and_every_answer_reaches_an_agent_in_time()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: InTimeScale, queues: [QueueOptions.CallCentre("sales", 3, talkSeconds: (3, 5), wrapUpSeconds: 1)]);
        var campaign = await h.CreateCampaignAsync("progressive", c => c with
        {
            Destination = new DialplanTarget("queue", "sales", 1),
            Queue = "sales",
            Pacing = PacingMode.Progressive,
            // Attempts to spare: a call an agent took is final all the same (only abandoned ones are called again).
            MaxAttempts = 3,
        });
        // Last digit 1: answered after 2 s of ringing (PBX seconds).
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(200).Where(n => n.EndsWith('1')).Take(15));
        var engine = await h.StartEngineAsync(Options(h, "queue-pacer", InTimeScale));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var run = engine.RunCampaignAsync(campaign.Id, cts.Token);
        var peak = 0L;
        while (!run.IsCompleted)
        {
            peak = Math.Max(peak, await InFlightAsync(h));
            await Task.Delay(10);
        }

        var end = (await run).End;
        if (end != CampaignRunEnd.Finished)
        {
            await using var c = await h.Database.OpenConnectionAsync();
            var rows = await c.QueryAsync<(long, string, string?, string?, string?)>("SELECT id, state, outcome, answered_at, queue_fate FROM attempts");
            var budget = await c.QueryAsync<(long, long, long)>("SELECT waiting, free_agents, busy FROM queue_budgets");
            Assert.Fail(string.Join("\n", rows) + "\n" + string.Join("\n", budget) + "\n" + engine.Services.Servers[0].QueueCounts("sales"));
        }

        var answered = await AnsweredAsync(h, campaign.Id);
        // One attempt per lead (15 imported): none was called again.
        Assert.Equal(15, answered.Count);
        // One call in flight per free agent: never more than the three agents, and every call left the budget.
        Assert.InRange(peak, 1, 3);
        Assert.Equal(0L, await BudgetInFlightAsync(engine));

        Assert.All(answered, a =>
        {
            Assert.Equal(("sales", "connected", false), (a.Queue, a.QueueFate, a.IsAbandoned));
            Assert.StartsWith("Agent 100", a.QueueAgent, StringComparison.Ordinal);
            Assert.InRange(a.QueueWaitMs!.Value, 0, 2000);
        });
    }

    [Fact]
    public async Task Two_campaigns_on_one_queue_share_its_free_agents_and_never_count_one_twice()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: Scale, queues: [QueueOptions.CallCentre("sales", 3, talkSeconds: (3, 5), wrapUpSeconds: 1)]);
        var campaigns = new List<Campaign>();
        foreach (var name in new[] { "east", "west" })
        {
            var campaign = await h.CreateCampaignAsync(name, c => c with { Destination = new DialplanTarget("queue", "sales", 1), Queue = "sales", Pacing = PacingMode.Progressive });
            campaigns.Add(campaign);
        }

        await h.ImportAsync(campaigns[0].Id, EngineHarness.Numbers(200).Where(n => n.EndsWith('1')).Take(10));
        await h.ImportAsync(campaigns[1].Id, EngineHarness.Numbers(200, start: 500).Where(n => n.EndsWith('0')).Take(10));
        var engine = await h.StartEngineAsync(Options(h, "two-campaigns"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var runs = campaigns.Select(c => engine.RunCampaignAsync(c.Id, cts.Token)).ToList();
        var peak = 0L;
        while (!runs.All(r => r.IsCompleted))
        {
            peak = Math.Max(peak, await InFlightAsync(h));
            await Task.Delay(10);
        }

        Assert.All(await Task.WhenAll(runs), r => Assert.Equal(CampaignRunEnd.Finished, r.End));
        // The budget shared: never more calls ringing towards the queue than its three agents (with each campaign counting
        // only its own, this reads 4-6: checked by breaking the shared count), and nothing left in it at the end.
        Assert.InRange(peak, 1, 3);
        Assert.Equal(0L, await BudgetInFlightAsync(engine));
        // Had each counted the same free agents, six answers would have met three agents talking 3-5 s: late, abandoned.
        // Every one connected in time. The one "not connected" in about four runs had two causes, both fixed: the dialer
        // read the agents before the store, so an answer taken between the two reads was in neither and a call went to an
        // agent who was talking (late); and a fate decided while the call was up was dropped when the call ended before
        // the fate was written (left NULL; A_fate_decided_while_the_call_was_up_... below).
        var all = new List<Row>();
        foreach (var campaign in campaigns)
        {
            var answered = await AnsweredAsync(h, campaign.Id);
            Assert.Equal(10, answered.Count);
            all.AddRange(answered);
        }

        Assert.All(all, a => Assert.Equal("connected", a.QueueFate));
    }

    [Fact]
    public async Task A_fate_decided_while_the_call_was_up_is_written_on_its_attempt_even_when_the_call_ended_first()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: Scale, queues: [QueueOptions.CallCentre("sales", 3, talkSeconds: (3, 5), wrapUpSeconds: 1)]);
        var campaign = await h.CreateCampaignAsync("slow-news", c => c with { Destination = new DialplanTarget("queue", "sales", 1), Queue = "sales", Pacing = PacingMode.Progressive });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(100).Where(n => n.EndsWith('1')).Take(6));
        var engine = await h.StartEngineAsync(Options(h, "slow-news"));
        // The store is slow to take each fate (a loaded machine, a busy writer): written only after the call's 0.3-0.5 s
        // talk is over. The news loop then found the call gone from the tracker and dropped its fate (left NULL, which the
        // next dialer's start counts as unknown, i.e. abandoned).
        var server = engine.Services.Servers[0];
        var write = server.QueueNews!;
        server.QueueNews = async (s, news) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await write(s, news);
        };

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Equal(CampaignRunEnd.Finished, (await engine.RunCampaignAsync(campaign.Id, cts.Token)).End);
        // The last fates are still on their way when the run ends.
        await PacingTests.WaitUntil(async () => (await AnsweredAsync(h, campaign.Id)).All(a => a.QueueFate is not null));
        var answered = await AnsweredAsync(h, campaign.Id);
        Assert.Equal(6, answered.Count);
        Assert.All(answered, a =>
        {
            Assert.Equal(("sales", "connected", false), (a.Queue, a.QueueFate, a.IsAbandoned));
            Assert.StartsWith("Agent 100", a.QueueAgent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_dialer_killed_mid_campaign_leaves_nothing_taken_in_its_queues_budget()
    {
        await using var h = await EngineHarness.StartAsync(timeScale: Scale, queues: [QueueOptions.CallCentre("sales", 3, talkSeconds: (3, 5), wrapUpSeconds: 1)]);
        var campaign = await h.CreateCampaignAsync("killed", c => c with { Destination = new DialplanTarget("queue", "sales", 1), Queue = "sales", Pacing = PacingMode.Progressive });
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(200).Where(n => n.EndsWith('1')).Take(12));
        var lease = TimeSpan.FromSeconds(2);
        var doomed = await h.StartEngineAsync(h.Options("doomed", lease, pbxTimeScale: Scale, queueWrapUp: TimeSpan.FromSeconds(1)));
        _ = doomed.RunCampaignAsync(campaign.Id, CancellationToken.None);
        // Killed while its calls ring, before any is answered: with a counter, what it claimed stayed claimed for ever,
        // and the next dialer found the queue's three agents taken by nobody.
        await PacingTests.WaitUntil(() => h.Simulator.LiveCalls >= 2);
        await doomed.CrashAsync();

        var heir = await h.StartEngineAsync(h.Options("heir", lease, pbxTimeScale: Scale, queueWrapUp: TimeSpan.FromSeconds(1)));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = heir.RunCampaignAsync(campaign.Id, cts.Token);
        var peak = 0L;
        while (!run.IsCompleted)
        {
            peak = Math.Max(peak, await InFlightAsync(h));
            await Task.Delay(10);
        }

        Assert.Equal(CampaignRunEnd.Finished, (await run).End);
        // Every lead called once, the heir used the whole queue (three at once), and nothing is left taken.
        await using var connection = await h.Database.OpenConnectionAsync();
        Assert.Equal(12L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT lead_id) FROM attempts WHERE campaign_id = @id", new { id = campaign.Id }));
        Assert.Equal(12L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM attempts WHERE campaign_id = @id", new { id = campaign.Id }));
        Assert.InRange(peak, 1, 3);
        Assert.Equal(0L, await BudgetInFlightAsync(heir));
    }

    [Fact]
    public async Task With_every_agent_paused_each_answered_call_is_abandoned_late_and_stays_answered()
    {
        var paused = QueueOptions.TestPbx();
        paused.Members = [.. paused.Members.Select(m => m with { Paused = true, PausedReason = "lunch" })];
        await using var h = await EngineHarness.StartAsync(timeScale: Scale, queues: [paused]);
        var campaign = await h.CreateCampaignAsync("abandons", c => c with
        {
            Destination = new DialplanTarget("queue", "sales", 1),
            Queue = "sales",
            Pacing = PacingMode.Fixed,
            MaxConcurrentCalls = 3,
        });
        // Answered after 2 s; the callee hangs up 5 s later, still waiting.
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(100).Where(n => n.EndsWith('1')).Take(4));
        var engine = await h.StartEngineAsync(Options(h, "abandoner"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Equal(CampaignRunEnd.Finished, (await engine.RunCampaignAsync(campaign.Id, cts.Token)).End);
        var answered = await AnsweredAsync(h, campaign.Id);
        Assert.Equal(4, answered.Count);
        Assert.All(answered, a => Assert.Equal(("answered", "sales", (string?)null, true, "late"), (a.Outcome, a.Queue, a.QueueAgent, a.IsAbandoned, a.QueueFate)));
        Assert.Equal((4, 4), await engine.Services.QueueStore.AbandonCountsAsync(campaign.Id, DateTimeOffset.UtcNow - TimeSpan.FromDays(30)));
    }

    [Fact]
    public async Task An_abandoned_lead_is_called_again_only_after_the_abandon_retry_delay()
    {
        var paused = QueueOptions.TestPbx();
        paused.Members = [.. paused.Members.Select(m => m with { Paused = true, PausedReason = "lunch" })];
        await using var h = await EngineHarness.StartAsync(timeScale: Scale, queues: [paused]);
        var campaign = await h.CreateCampaignAsync("ofcom", c => c with
        {
            Destination = new DialplanTarget("queue", "sales", 1),
            Queue = "sales",
            Pacing = PacingMode.Fixed,
            MaxConcurrentCalls = 3,
            MaxAttempts = 2,
        });
        // Answered after 2 s (PBX); nobody takes them: late, then the callee hangs up while waiting.
        await h.ImportAsync(campaign.Id, EngineHarness.Numbers(100).Where(n => n.EndsWith('1')).Take(2));
        var delay = TimeSpan.FromSeconds(3);
        var engine = await h.StartEngineAsync(h.Options("ofcom", pbxTimeScale: Scale, queueWrapUp: TimeSpan.FromSeconds(1), abandonRetryDelay: delay));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Equal(CampaignRunEnd.Finished, (await engine.RunCampaignAsync(campaign.Id, cts.Token)).End);

        await using var connection = await h.Database.OpenConnectionAsync();
        var attempts = (await connection.QueryAsync<(long LeadId, DateTimeOffset CreatedAt, DateTimeOffset AnsweredAt, string Fate)>(
            "SELECT lead_id, created_at, answered_at, queue_fate FROM attempts WHERE campaign_id = @id ORDER BY lead_id, id", new { id = campaign.Id })).ToList();
        // Each lead: abandoned, called again (attempts remained) but not before the delay since the answer, abandoned
        // again on its last attempt: final, answered.
        Assert.Equal(4, attempts.Count);
        foreach (var lead in attempts.GroupBy(a => a.LeadId))
        {
            var (first, second) = (lead.First(), lead.Last());
            Assert.Equal(("late", "late"), (first.Fate, second.Fate));
            Assert.True(second.CreatedAt >= first.AnsweredAt + delay, $"called again at {second.CreatedAt:O}, {second.CreatedAt - first.AnsweredAt} after the abandoned answer");
        }

        var leads = (await connection.QueryAsync<(string State, string Outcome)>("SELECT state, final_outcome FROM leads WHERE campaign_id = @id", new { id = campaign.Id })).ToList();
        Assert.All(leads, l => Assert.Equal(("done", "answered"), l));
    }
}
