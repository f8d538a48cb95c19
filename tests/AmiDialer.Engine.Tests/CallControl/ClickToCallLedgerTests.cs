using AmiDialer.Ami;
using AmiDialer.Core.Model;
using AmiDialer.Engine.CallControl;
using AmiDialer.Engine.Tests.Dialing;
using Xunit;

namespace AmiDialer.Engine.Tests.CallControl;

/// <summary>Click-to-call on a server with the outcome ledger: the customer's leg goes through [amidialer-c2c] and is recorded under the -customer key.</summary>
public sealed class ClickToCallLedgerTests
{
    private const string Agent = "Local/101@agentphone";

    [Theory]
    [InlineData("4158137440", CallOutcome.Answered)]
    [InlineData("4158137442", CallOutcome.Busy)]
    [InlineData("4158137448", CallOutcome.Rejected)]
    public async Task The_agent_runs_the_c2c_wrapper_which_dials_the_configured_destination_and_the_keys_go_after_the_ending(string number, CallOutcome expected)
    {
        await using var h = await CallControlHarness.StartAsync(timeScale: 100, ledger: true);
        var started = await h.Calls.StartClickToCallAsync(new ClickToCallRequest(number, Agent));

        var ended = await h.Calls.WaitForEndAsync(started.AttemptId).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(expected, ended.Outcome);
        var originate = Assert.Single(h.Simulators[0].ActionsNamed("Originate"));
        Assert.Equal(Agent, originate["Channel"]);
        Assert.Equal("amidialer-c2c", originate["Context"]);
        Assert.Equal("1" + number, originate["Exten"]);
        var variables = originate.Message.GetAll("Variable");
        Assert.Contains($"AMIDIALER_ATTEMPT={started.ChannelId}", variables);
        Assert.Contains($"AMIDIALER_DIALSTRING=Local/{number}@outbound/n", variables);
        Assert.Contains(variables, v => v.StartsWith("AMIDIALER_RING=", StringComparison.Ordinal));
        await PacingTests.WaitUntil(() => h.Simulators[0].ActionsNamed("DBDel").Any(a => a["Key"] == started.ChannelId + "-customer"));
        var e = await Assert.ThrowsAsync<AmiActionException>(() => h.Engine.SendActionAsync("pbx1", new AmiAction("DBGet").Add("Family", "amidialer").Add("Key", started.ChannelId + "-customer")));
        Assert.Equal("Database entry not found", e.Message);
    }

    [Fact]
    public async Task A_click_to_call_that_ended_while_no_dialer_watched_takes_the_customers_outcome_from_the_ledger()
    {
        // Time scale 10: the customer (digit 3) rings out the trunk's 30 s (3 s here) while no dialer is connected.
        await using var h = await CallControlHarness.StartAsync(timeScale: 10, ledger: true);
        var started = await h.Calls.StartClickToCallAsync(new ClickToCallRequest("4158137443", Agent));
        await PacingTests.WaitUntil(() => h.Simulators[0].LiveCalls == 1);

        await h.CrashAndRestartEngineAsync(() => PacingTests.WaitUntil(() => h.Simulators[0].LiveCalls == 0));

        await PacingTests.WaitUntil(async () => (await h.Attempts.GetAsync(started.AttemptId))?.State == AttemptState.Ended);

        var attempt = (await h.Attempts.GetAsync(started.AttemptId))!;
        Assert.Equal(CallOutcome.NoAnswer, attempt.Outcome);
        Assert.Contains(h.Simulators[0].ActionsNamed("DBGet"), a => a["Key"] == started.ChannelId + "-customer");
    }
}
