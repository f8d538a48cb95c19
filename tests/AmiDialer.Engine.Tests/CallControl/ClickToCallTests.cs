using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.CallControl;
using Xunit;

namespace AmiDialer.Engine.Tests.CallControl;

/// <summary>Click-to-call against the simulator, which plays the j0-j8 captures (agent Local/101@agentphone, trunk [outbound]).</summary>
public sealed class ClickToCallTests
{
    private const string Agent = "Local/101@agentphone";

    [Theory]
    [InlineData("4158137440", CallOutcome.Answered)]      // j0: DialEnd ANSWER
    [InlineData("4158137442", CallOutcome.Busy)]          // j2: DialStatus BUSY
    [InlineData("4158137443", CallOutcome.NoAnswer)]      // j3: Dial's 30 s timeout, causes 0
    [InlineData("4158137444", CallOutcome.Congestion)]    // j4: DialStatus CONGESTION
    [InlineData("4158137445", CallOutcome.InvalidNumber)] // j5: NOANSWER, but the customer leg's cause 1
    [InlineData("4158137448", CallOutcome.Rejected)]      // j8: NOANSWER, but the customer leg's cause 21
    public async Task Each_customer_outcome_of_the_captures_ends_the_attempt_with_that_outcome(string number, CallOutcome expected)
    {
        await using var h = await CallControlHarness.StartAsync(timeScale: 100);
        var started = await h.Calls.StartClickToCallAsync(new ClickToCallRequest(number, Agent));

        // Returned at once, with the attempt already written on the number's lead in the click-to-call campaign.
        var written = await h.Attempts.GetAsync(started.AttemptId);
        Assert.NotNull(written);
        Assert.Equal("+1" + number, started.PhoneE164);
        Assert.Equal(new DialplanTarget("outbound", number, 1), started.Destination);

        var ended = await h.Calls.WaitForEndAsync(started.AttemptId).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(expected, ended.Outcome);
        Assert.Equal(AttemptState.Ended, ended.State);

        // The agent was rung first, the number dialed in the click-to-call context, with our ChannelId.
        var originate = Assert.Single(h.Simulators[0].ActionsNamed("Originate"));
        Assert.Equal(Agent, originate["Channel"]);
        Assert.Equal("outbound", originate["Context"]);
        Assert.Equal(number, originate["Exten"]);
        Assert.Equal(started.ChannelId, originate["ChannelId"]);
        var campaign = await new CampaignRepository(h.Database, TimeProvider.System).GetAsync(started.CampaignId);
        Assert.Equal("click-to-call", campaign!.Name);
    }

    [Theory]
    [InlineData("4158137440", CallOutcome.Answered)]
    [InlineData("4158137442", CallOutcome.Busy)]
    [InlineData("4158137445", CallOutcome.InvalidNumber)]
    public async Task A_device_endpoint_agent_rings_first_and_the_customer_outcome_is_kept(string number, CallOutcome expected)
    {
        // A real deployment's agent is a device (PJSIP/101), not the captures' Local/101@agentphone.
        await using var h = await CallControlHarness.StartAsync(timeScale: 100);
        var started = await h.Calls.StartClickToCallAsync(new ClickToCallRequest(number, "PJSIP/101"));

        var ended = await h.Calls.WaitForEndAsync(started.AttemptId).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(expected, ended.Outcome);
        Assert.Equal("PJSIP/101", Assert.Single(h.Simulators[0].ActionsNamed("Originate"))["Channel"]);
    }

    [Fact]
    public async Task A_number_called_again_gets_a_second_attempt_on_the_same_lead()
    {
        await using var h = await CallControlHarness.StartAsync(timeScale: 100);
        var first = await h.Calls.StartClickToCallAsync(new ClickToCallRequest("(415) 813-7440", Agent));

        // While the first call is live the number is busy with us: refused, not dialed twice at once.
        var overlapping = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.StartClickToCallAsync(new ClickToCallRequest("+14158137440", "Local/102@agentphone")));
        Assert.Equal(CallControlError.CallInProgress, overlapping.Error);
        Assert.Equal(CallOutcome.Answered, (await h.Calls.WaitForEndAsync(first.AttemptId).WaitAsync(TimeSpan.FromSeconds(10))).Outcome);

        var second = await h.Calls.StartClickToCallAsync(new ClickToCallRequest("+14158137440", "Local/102@agentphone"));
        Assert.Equal(CallOutcome.Answered, (await h.Calls.WaitForEndAsync(second.AttemptId).WaitAsync(TimeSpan.FromSeconds(10))).Outcome);
        Assert.Equal(first.LeadId, second.LeadId);
        Assert.Equal(first.CampaignId, second.CampaignId);
        Assert.NotEqual(first.AttemptId, second.AttemptId);
        Assert.Equal(2, (await h.Attempts.ListByLeadAsync(first.LeadId)).Count);
        Assert.Equal(2, h.Simulators[0].ActionsNamed("Originate").Count);
    }

    [Fact]
    public async Task An_agent_who_does_not_answer_is_its_own_outcome()
    {
        // An agent endpoint that rings out: the Originate's own leg fails (Reason 3), the customer is never dialed.
        var options = new CallControlOptions
        {
            ClickToCall = new ClickToCallOptions { RespectCallingHours = false, AllowedAgents = ["Local/100?@pstn"] },
        };
        await using var h = await CallControlHarness.StartAsync(timeScale: 100, callControl: options);
        var started = await h.Calls.StartClickToCallAsync(new ClickToCallRequest("4158137440", "Local/1003@pstn"));
        var ended = await h.Calls.WaitForEndAsync(started.AttemptId).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CallOutcome.AgentNoAnswer, ended.Outcome);
        Assert.Equal("3", ended.Reason);
    }

    [Theory]
    [InlineData("PJSIP/999", "agent")]                 // matches no pattern
    [InlineData("PJSIP/101&DAHDI/g1/900", "agent")]     // a second device smuggled in
    [InlineData("Local/101@agentphone\r\nAction: Hangup", "agent")]
    public async Task An_agent_endpoint_that_is_not_allowed_is_refused_and_nothing_is_sent(string agent, string field)
    {
        await using var h = await CallControlHarness.StartAsync();
        var e = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.StartClickToCallAsync(new ClickToCallRequest("4158137440", agent)));
        Assert.Equal(CallControlError.NotAllowed, e.Error);
        Assert.Equal(field, e.Field);
        Assert.Empty(h.Simulators[0].ActionsNamed("Originate"));
        Assert.Empty(await h.Attempts.ListOpenAsync());
    }

    [Fact]
    public async Task A_number_on_the_do_not_call_list_is_refused_and_nothing_is_sent()
    {
        await using var h = await CallControlHarness.StartAsync();
        await new DncRepository(h.Database, TimeProvider.System).AddAsync("+14158137440", null, DncSource.Manual, "test");
        var e = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.StartClickToCallAsync(new ClickToCallRequest("415-813-7440", Agent)));
        Assert.Equal(CallControlError.DoNotCall, e.Error);
        Assert.Equal("number", e.Field);
        Assert.Contains("+14158137440", e.Message, StringComparison.Ordinal);
        Assert.Empty(h.Simulators[0].ActionsNamed("Originate"));
    }

    [Fact]
    public async Task Per_call_context_outside_the_allowed_contexts_bad_numbers_and_closed_hours_are_refused()
    {
        var options = new CallControlOptions
        {
            ClickToCall = new ClickToCallOptions { RespectCallingHours = true, CallingHours = new DailyWindow(TimeSpan.Zero, TimeSpan.Zero) },
        };
        await using var h = await CallControlHarness.StartAsync(callControl: options);
        var context = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.StartClickToCallAsync(new ClickToCallRequest("4158137440", Agent, "pstn")));
        Assert.Equal((CallControlError.NotAllowed, "context"), (context.Error, context.Field));
        var number = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.StartClickToCallAsync(new ClickToCallRequest("12", Agent)));
        Assert.Equal((CallControlError.InvalidInput, "number"), (number.Error, number.Field));
        var hours = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.StartClickToCallAsync(new ClickToCallRequest("4158137440", Agent, "agents")));
        Assert.Equal((CallControlError.OutsideCallingHours, "number"), (hours.Error, hours.Field));
        Assert.Contains("America/Los_Angeles", hours.Message, StringComparison.Ordinal);
        Assert.Empty(h.Simulators[0].ActionsNamed("Originate"));
    }
}
