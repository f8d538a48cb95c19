using System.Collections.Concurrent;
using AmiDialer.Ami;
using AmiDialer.Core.Model;
using AmiDialer.Engine.CallControl;
using AmiDialer.Engine.Tests.Dialing;
using Xunit;

namespace AmiDialer.Engine.Tests.CallControl;

/// <summary>
/// Transfer of a click-to-call moves the customer's leg (the channel the agent's Dial reached), not the originated
/// agent's phone, with and without the outcome ledger; watched on the simulator's own event stream.
/// </summary>
public sealed class ClickToCallTransferTests
{
    private const string Agent = "Local/101@agentphone";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Transfer_redirects_the_customers_leg_and_the_agents_phone_hangs_up_while_the_customer_runs_the_destination(bool ledger)
    {
        // Real time: the customer (digit 7) answers at once and talks 9.5 s, room for a loaded machine to transfer.
        await using var h = await CallControlHarness.StartAsync(timeScale: 1, ledger: ledger);
        await using var watcher = new AmiClient(CallControlHarness.ClientFor(h.Simulators[0].Port));
        watcher.Start();
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await watcher.WaitUntilConnectedAsync(connect.Token);
        }

        var events = new ConcurrentQueue<AmiMessage>();
        using var stop = new CancellationTokenSource();
        var pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in watcher.Events.ReadAllAsync(stop.Token))
                {
                    events.Enqueue(e.Message);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var started = await h.Calls.StartClickToCallAsync(new ClickToCallRequest("4158137447", Agent));
        var live = await RedirectTests.WaitAnsweredAsync(h.Calls, started.AttemptId);
        var agentChannel = live.Channel!;
        Assert.StartsWith(Agent + "-", agentChannel, StringComparison.Ordinal);

        var result = await h.Calls.TransferAsync(started.AttemptId, new DialplanTarget("ivr", "s", 1));

        Assert.NotEqual(agentChannel, result.Channel);
        Assert.DoesNotContain("agentphone", result.Channel, StringComparison.Ordinal);
        var redirect = Assert.Single(h.Simulators[0].ActionsNamed("Redirect"));
        Assert.Equal(result.Channel, redirect["Channel"]);
        // The customer's leg is the one the agent's own Dial answered (j0; with the ledger the Local pair toward the customer).
        await PacingTests.WaitUntil(() => events.Any(e => e.IsEventNamed("DialEnd") && e.Channel == agentChannel && e["DestChannel"] == result.Channel && e["DialStatus"] == "ANSWER"));

        var ended = await h.Calls.WaitForEndAsync(started.AttemptId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        var seen = events.ToArray();
        var moved = Array.FindIndex(seen, e => e.IsEventNamed("Newexten") && e.Channel == result.Channel && e["Context"] == "ivr");
        var agentGone = Array.FindIndex(seen, e => e.IsEventNamed("Hangup") && e.Channel == agentChannel);
        var customerGone = Array.FindIndex(seen, e => e.IsEventNamed("Hangup") && e.Channel == result.Channel);
        Assert.True(moved >= 0, "the customer's channel never ran the destination");
        Assert.True(agentGone > moved, "the agent's phone should hang up once the customer left its bridge");
        Assert.True(customerGone > agentGone, "the customer should stay in the destination after the agent hung up");
        Assert.DoesNotContain(seen, e => e.IsEventNamed("Newexten") && e.Channel == agentChannel && e["Context"] == "ivr");
        await stop.CancelAsync();
        await pump;
    }

    [Fact]
    public async Task Transfer_before_the_customer_answers_says_so_and_sends_nothing()
    {
        // Real time: the customer (digit 1) rings 2 s before answering.
        await using var h = await CallControlHarness.StartAsync(timeScale: 1);
        var started = await h.Calls.StartClickToCallAsync(new ClickToCallRequest("4158137441", Agent));
        await PacingTests.WaitUntil(async () => (await h.Calls.GetCallAsync(started.AttemptId))?.Channel is not null);

        var refused = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.TransferAsync(started.AttemptId, new DialplanTarget("ivr", "s", 1)));

        Assert.Equal(CallControlError.NotConnected, refused.Error);
        Assert.Contains("the customer has not answered yet", refused.Message, StringComparison.Ordinal);
        Assert.Empty(h.Simulators[0].ActionsNamed("Redirect"));
        Assert.Equal(CallOutcome.Answered, (await h.Calls.WaitForEndAsync(started.AttemptId).WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
    }

    [Fact]
    public async Task A_destination_outside_the_allowed_contexts_names_no_configuration_key_in_its_message()
    {
        await using var h = await CallControlHarness.StartAsync(timeScale: 100);
        var refused = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.TransferAsync(1, new DialplanTarget("pstn", "s", 1)));
        Assert.Equal(CallControlError.NotAllowed, refused.Error);
        Assert.DoesNotContain("Dialing:", refused.Message, StringComparison.Ordinal);
        Assert.Equal("Dialing:AllowedContexts", refused.ConfigKey);
    }
}
