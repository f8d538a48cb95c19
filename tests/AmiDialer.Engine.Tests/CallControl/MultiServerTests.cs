using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Simulator;
using Xunit;

namespace AmiDialer.Engine.Tests.CallControl;

/// <summary>Two simulated Asterisks sharing one campaign; one of them killed mid-campaign and brought back.</summary>
public sealed class MultiServerTests
{
    [Fact]
    public async Task Two_servers_share_a_campaign_by_free_capacity_and_one_killed_mid_campaign_is_reconciled_on_its_reconnect()
    {
        // Scale 20: every call (digit 3) rings 750 ms and ends no-answer, so calls are ringing when the server dies
        // (a call answered before the kill ends answered: the callee was reached; Core's outcome table decides that).
        await using var h = await CallControlHarness.StartAsync(servers: 2, timeScale: 20, maxCallsPerServer: 3);
        var numbers = Enumerable.Range(0, 16).Select(i => $"+1415813{i:00}13").ToList();
        var campaign = await h.CreateCampaignAsync("two-servers", numbers, maxConcurrent: 6, callsPerSecond: 100);
        var a = h.Simulators[0];
        var b = h.Simulators[1];
        var run = h.Engine.RunCampaignAsync(campaign.Id);

        // Both servers carry calls at once: 6 allowed by the campaign, 3 per server.
        await WaitUntilAsync(() => a.LiveCalls >= 2 && b.LiveCalls >= 2, "both servers busy");
        var bPort = b.Port;
        var originatesOnBBeforeKill = b.ActionsNamed("Originate").Count;
        await b.DisposeAsync(); // Killed: sockets drop, the port refuses, nothing is said.
        var openOnB = (await h.Attempts.ListOpenAsync(server: "pbx2")).Select(x => x.Id).ToHashSet();

        // The campaign goes on through A alone.
        var aBefore = a.ActionsNamed("Originate").Count;
        await WaitUntilAsync(() => a.ActionsNamed("Originate").Count >= aBefore + 4, "A keeps dialing");
        var snapshot = h.Engine.GetSnapshot();
        Assert.False(snapshot.Servers.Single(s => s.Name == "pbx2").Connected);

        // B comes back as a fresh Asterisk (uptime 0, no channels): its open attempts are reconciled as interrupted.
        var reborn = await AmiSimulator.StartAsync(new SimulatorOptions { TimeScale = 20, Port = bPort, InitialUptimeSeconds = 0 });
        var all = new List<AmiSimulator>(h.Simulators) { reborn };
        try
        {
            var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(CampaignRunEnd.Finished, result.End);

            var leads = new LeadRepository(h.Database);
            var interrupted = 0;
            foreach (var number in numbers)
            {
                var lead = (await leads.GetByPhoneAsync(campaign.Id, number))!;
                var attempts = await h.Attempts.ListByLeadAsync(lead.Id);
                Assert.Equal(LeadState.Done, lead.State);
                Assert.Equal(CallOutcome.NoAnswer, lead.FinalOutcome);
                Assert.Single(attempts, x => x.Outcome == CallOutcome.NoAnswer);
                Assert.All(attempts.SkipLast(1), x => Assert.Equal(CallOutcome.Interrupted, x.Outcome));
                interrupted += attempts.Count(x => x.Outcome == CallOutcome.Interrupted);

                // Nobody dialed twice: one Originate per attempt over every simulator, and a retry only after the
                // interrupted attempt had ended.
                Assert.Equal(attempts.Count, CallControlHarness.OriginatesFor(all, number[2..]));
                for (var i = 1; i < attempts.Count; i++)
                {
                    Assert.True(attempts[i].CreatedAt >= attempts[i - 1].EndedAt, $"{number}: attempt {attempts[i].Id} started before {attempts[i - 1].Id} ended");
                }
            }

            // Exactly the attempts left open on the killed server were reconciled as interrupted, then retried.
            Assert.True(openOnB.Count >= 2, $"{openOnB.Count} open on pbx2 at the kill");
            Assert.Equal(openOnB.Count, interrupted);
            Assert.True(originatesOnBBeforeKill >= 2);
            var interruptedAttempts = (await Task.WhenAll(numbers.Select(async n => await h.Attempts.ListByLeadAsync((await leads.GetByPhoneAsync(campaign.Id, n))!.Id))))
                .SelectMany(x => x).Where(x => x.Outcome == CallOutcome.Interrupted).ToList();
            Assert.All(interruptedAttempts, x => Assert.Equal("pbx2", x.Server));
            Assert.Equal(openOnB.Order(), interruptedAttempts.Select(x => x.Id).Order());
        }
        finally
        {
            await reborn.DisposeAsync();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting until " + what);
            }

            await Task.Delay(2);
        }
    }
}
