using AmiDialer.Core.Model;
using AmiDialer.Engine.CallControl;
using AmiDialer.Engine.Live;
using Xunit;

namespace AmiDialer.Engine.Tests.CallControl;

/// <summary>Redirect by attempt id and the on-answer route, against the simulator over real sockets (e1/e2 behaviour).</summary>
public sealed class RedirectTests
{
    private static readonly DialplanTarget Ivr = new("ivr", "s", 1);

    [Fact]
    public async Task Redirect_of_a_live_call_moves_its_channel_and_later_events_still_end_its_attempt()
    {
        // Scale 10: the long call (digit 7) talks 950 ms; the ivr ends a redirected call 200 ms after the Redirect.
        await using var h = await CallControlHarness.StartAsync(timeScale: 10);
        var campaign = await h.CreateCampaignAsync("redirect-live", ["+14158137447"]);
        using var feed = h.Engine.Subscribe();
        var run = h.Engine.RunCampaignAsync(campaign.Id);
        var attemptId = await FirstStartedAsync(feed);
        var live = await WaitAnsweredAsync(h.Calls, attemptId);

        // Outside the allowed contexts: refused before anything reaches Asterisk, and the call is untouched.
        var refused = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.TransferAsync(attemptId, new DialplanTarget("pstn", "5550001", 1)));
        Assert.Equal(CallControlError.NotAllowed, refused.Error);
        Assert.Equal("destination", refused.Field);
        Assert.Contains("pstn", refused.Message, StringComparison.Ordinal);
        Assert.Empty(h.Simulators[0].ActionsNamed("Redirect"));

        var transferredAt = DateTimeOffset.UtcNow;
        var result = await h.Calls.TransferAsync(attemptId, Ivr);
        Assert.Equal(live.Channel, result.Channel);
        Assert.EndsWith(";1", result.Channel, StringComparison.Ordinal);
        var redirect = Assert.Single(h.Simulators[0].ActionsNamed("Redirect"));
        Assert.Equal(result.Channel, redirect["Channel"]);
        Assert.Equal("ivr", redirect["Context"]);
        Assert.Equal("s", redirect["Exten"]);
        Assert.Equal("1", redirect["Priority"]);

        var ended = await h.Calls.WaitForEndAsync(attemptId).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal(16, ended.HangupCause);
        // Ended by the hangups the ivr caused after the Redirect, well before the 950 ms long call would have ended.
        Assert.True(ended.EndedAt >= transferredAt.AddMilliseconds(-5), $"ended {ended.EndedAt:O}, transferred {transferredAt:O}");
        Assert.True(ended.TalkSeconds < 0.8, $"talk {ended.TalkSeconds} s: the ivr should have ended the call");
        var runResult = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CampaignRunEnd.Finished, runResult.End);

        // Once ended, a transfer is a clear error and nothing is sent.
        var afterEnd = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.TransferAsync(attemptId, Ivr));
        Assert.Equal(CallControlError.CallEnded, afterEnd.Error);
        Assert.Contains("has ended (answered", afterEnd.Message, StringComparison.Ordinal);
        Assert.Single(h.Simulators[0].ActionsNamed("Redirect"));
    }

    [Fact]
    public async Task Redirect_of_an_unknown_attempt_or_a_malformed_destination_is_refused()
    {
        await using var h = await CallControlHarness.StartAsync();
        var unknown = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.TransferAsync(999_999, Ivr));
        Assert.Equal(CallControlError.NotFound, unknown.Error);
        var malformed = await Assert.ThrowsAsync<CallControlException>(() => h.Calls.TransferAsync(1, new DialplanTarget("ivr\r\nAction: Hangup", "s", 1)));
        Assert.Equal(CallControlError.InvalidInput, malformed.Error);
        Assert.Empty(h.Simulators[0].ActionsNamed("Redirect"));
    }

    [Fact]
    public async Task A_campaign_with_an_on_answer_route_redirects_each_answered_call_when_it_is_answered()
    {
        await using var h = await CallControlHarness.StartAsync(timeScale: 20);
        // 0 and 7 are answered, 2 is busy (never answered, so never redirected).
        var campaign = await h.CreateCampaignAsync("on-answer", ["+14158137440", "+14158137447", "+14158137442"], onAnswer: Ivr);
        var result = await h.Engine.RunCampaignAsync(campaign.Id).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(CampaignRunEnd.Finished, result.End);

        var originates = h.Simulators[0].ActionsNamed("Originate");
        var redirects = h.Simulators[0].ActionsNamed("Redirect");
        Assert.Equal(2, redirects.Count);
        Assert.All(redirects, r => Assert.Equal("ivr", r["Context"]));
        // Each Redirect names the ;1 half of an answered call's Local channel, never the busy one.
        Assert.Contains(redirects, r => r["Channel"]!.StartsWith("Local/4158137440@pstn-", StringComparison.Ordinal) && r["Channel"]!.EndsWith(";1", StringComparison.Ordinal));
        Assert.Contains(redirects, r => r["Channel"]!.StartsWith("Local/4158137447@pstn-", StringComparison.Ordinal));
        Assert.DoesNotContain(redirects, r => r["Channel"]!.Contains("4158137442", StringComparison.Ordinal));
        Assert.All(redirects, r => Assert.Contains(originates, o => o.Sequence < r.Sequence && r["Channel"]!.StartsWith(o["Channel"]! + "-", StringComparison.Ordinal)));

        var open = await h.Attempts.ListOpenAsync();
        Assert.Empty(open);
        var leads = new Data.Repositories.LeadRepository(h.Database);
        Assert.Equal(CallOutcome.Answered, (await leads.GetByPhoneAsync(campaign.Id, "+14158137447"))!.FinalOutcome);
        Assert.Equal(CallOutcome.Busy, (await h.Attempts.ListByLeadAsync((await leads.GetByPhoneAsync(campaign.Id, "+14158137442"))!.Id))[0].Outcome);
    }

    [Fact]
    public async Task An_on_answer_route_outside_the_allowed_contexts_is_not_followed()
    {
        await using var h = await CallControlHarness.StartAsync(timeScale: 50);
        var campaign = await h.CreateCampaignAsync("on-answer-bad", ["+14158137440"], onAnswer: new DialplanTarget("pstn", "5550001", 1));
        var result = await h.Engine.RunCampaignAsync(campaign.Id).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(CampaignRunEnd.Finished, result.End);
        Assert.Empty(h.Simulators[0].ActionsNamed("Redirect"));
        var attempt = Assert.Single(await h.Attempts.ListByLeadAsync((await new Data.Repositories.LeadRepository(h.Database).GetByPhoneAsync(campaign.Id, "+14158137440"))!.Id));
        Assert.Equal(CallOutcome.Answered, attempt.Outcome);
    }

    internal static async Task<long> FirstStartedAsync(EngineSubscription feed)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var change in feed.Reader.ReadAllAsync(timeout.Token))
        {
            if (change.Kind == EngineChangeKind.CallStarted && change.AttemptId is { } id)
            {
                return id;
            }
        }

        throw new InvalidOperationException("no call started");
    }

    internal static async Task<CallStatus> WaitAnsweredAsync(CallControlService calls, long attemptId)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await calls.GetCallAsync(attemptId) is { IsLive: true, AnsweredAt: not null, Channel: not null } status)
            {
                return status;
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"attempt {attemptId} was not answered");
    }
}
