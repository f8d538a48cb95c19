using AmiDialer.Core.Model;
using AmiDialer.Core.Queues;
using CallKind = AmiDialer.Core.Outcomes.CallKind;
using OutcomeVerdict = AmiDialer.Core.Outcomes.OutcomeVerdict;
using AmiDialer.Core.Retries;
using AmiDialer.Core.Scheduling;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.Live;
using AmiDialer.Engine.Servers;
using AmiDialer.Engine.Tracking;

namespace AmiDialer.Engine.Dialing;

/// <summary>Ending attempts: outcome from Core's table, the lead's next state from Core's retry rules, one store transaction.</summary>
internal sealed partial class EngineServices
{
    private readonly Dictionary<long, (Campaign Campaign, DateTimeOffset LoadedAt)> _campaignCache = [];
    private readonly SemaphoreSlim _endGate = new(1, 1);

    /// <summary>
    /// Called by a server with the calls its tracker found final. Never throws: a failure is logged. Every ending is
    /// decided first, then all are handed to the writer together, so they share a transaction.
    /// </summary>
    public async Task EndCallsAsync(AmiServer server, IReadOnlyList<CallFacts> finished)
    {
        var decided = new List<Ending>(finished.Count);
        await _endGate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var facts in finished)
            {
                try
                {
                    if (await DecideAsync(facts).ConfigureAwait(false) is { } ending)
                    {
                        decided.Add(ending);
                    }
                    else
                    {
                        // Ended already (by an earlier run that died before deleting its key): the ending is stored.
                        ForgetLedger(server, facts.ChannelId, facts.Start?.Kind ?? CallKind.Campaign);
                    }
                }
                catch (Exception e)
                {
                    Logger.EndFailed(facts.AttemptId, e);
                }
            }
        }
        finally
        {
            _endGate.Release();
        }

        if (decided.Count == 0)
        {
            return;
        }

        AttemptEndResult[] written;
        try
        {
            written = await Writer.EndManyAsync(decided.ConvertAll(d => d.Write)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var ending in decided)
            {
                Logger.EndFailed(ending.Write.AttemptId, e);
            }

            return;
        }

        for (var i = 0; i < decided.Count; i++)
        {
            var ending = decided[i];
            var (ended, error) = written[i];
            if (error is not null)
            {
                Logger.EndFailed(ending.Write.AttemptId, error);
                continue;
            }

            ForgetLedger(server, ending.ChannelId, ending.Kind);

            Logger.AttemptEnded(ending.Write.AttemptId, ending.Verdict.Outcome.ToWireName(), ending.Finality.ToString());
            ending.Context?.Dialer?.OnCallEnded(ending.Context, ending.Verdict.Outcome, ending.At);
            if (ended)
            {
                EngineMetrics.Ended(ending.Verdict.Outcome, ending.Kind);
                AttemptEnded?.Invoke(ending.Write.AttemptId);
                Publish(new EngineChange(EngineChangeKind.CallEnded, ending.At, ending.CampaignId, ending.Write.AttemptId, ending.Verdict.Outcome, ending.Verdict.Rule));
            }
        }
    }

    /// <summary>An attempt's ending as decided, with what is reported once it is written.</summary>
    private sealed record Ending(AttemptEnding Write, OutcomeVerdict Verdict, Finality Finality, CallContext? Context, long CampaignId, DateTimeOffset At, CallKind Kind, string ChannelId);

    /// <summary>Once an ending is committed its ledger key goes (not awaited: the ending does not depend on it).</summary>
    private void ForgetLedger(AmiServer server, string channelId, CallKind kind)
    {
        if (server.Ledger && !Crashed)
        {
            _ = server.ForgetLedgerAsync(channelId, kind);
        }
    }

    private async Task<Ending?> DecideAsync(CallFacts facts)
    {
        var now = Time.GetUtcNow();
        Calls.TryRemove(facts.AttemptId, out var context);
        Lead? lead = context?.Lead;
        long campaignId;
        if (context is null)
        {
            // Adopted from a previous run (or another engine's crash): read what the call was about.
            var attempt = await Attempts.GetAsync(facts.AttemptId).ConfigureAwait(false);
            if (attempt is null || attempt.State == AttemptState.Ended)
            {
                return null;
            }

            campaignId = attempt.CampaignId;
            lead = await Leads.GetAsync(attempt.LeadId).ConfigureAwait(false);
        }
        else
        {
            campaignId = context.CampaignId;
        }

        if (lead is null)
        {
            return null;
        }

        var campaign = await CampaignAsync(campaignId, now).ConfigureAwait(false);
        var kind = context?.Kind ?? CallControl.ClickToCallCampaign.KindOf(campaign);
        var verdict = OutcomeFacts.Decide(facts, kind);
        var earlier = new List<CallOutcome>();
        // A click-to-call is one call, not a retry: its outcome is its own, whatever the number's earlier calls did.
        if (kind == CallKind.Campaign && context?.PriorAttempts != 0)
        {
            // A lead on its first attempt has no earlier outcome to count: no need to ask the store.
            foreach (var (outcome, count) in await Attempts.CountOutcomesAsync(lead.Id).ConfigureAwait(false))
            {
                earlier.AddRange(Enumerable.Repeat(outcome, count));
            }
        }

        var policy = RetryPolicy.TryParse(campaign?.RetryPolicy, out var parsed, out _) ? parsed : RetryPolicy.None;
        var decision = RetryRules.AfterAttempt(earlier, verdict.Outcome, now, policy, Math.Max(1, campaign?.MaxAttempts ?? 1), AbandonedAnswerOf(facts, verdict.Outcome, context, campaign, kind, now));
        var plan = campaign is null
            ? new LeadPlan(decision.State, decision.FinalOutcome, null)
            : LeadPlan.From(decision, DialingSchedule.For(campaign), lead.TimeZones);
        var endedAt = facts.EndedAt ?? now;
        // A click-to-call's Originate is answered by the agent; talk time starts when the customer answers (j0's DialEnd).
        var answeredAt = verdict.Outcome != CallOutcome.Answered ? null
            : kind == CallKind.ClickToCall ? facts.DialAnsweredAt ?? facts.AnsweredAt
            : facts.AnsweredAt;
        var ending = new AttemptEnding
        {
            AttemptId = facts.AttemptId,
            Outcome = verdict.Outcome,
            EndedAt = endedAt,
            FailureReason = verdict.FailureReason,
            Reason = verdict.Reason,
            DialStatus = verdict.DialStatus,
            HangupCause = verdict.HangupCause,
            HangupCauseText = verdict.HangupCauseText,
            AnsweredAt = answeredAt,
            TalkSeconds = answeredAt is { } a ? Math.Max(0, (endedAt - a).TotalSeconds) * Options.PbxTimeScale : null,
            LeadState = plan.State,
            LeadFinalOutcome = plan.FinalOutcome,
            LeadNextEligibleAt = plan.NextEligibleAt,
            Claimed = context is null ? null : new ClaimedAttempt(lead.Id, campaignId, context.AttemptCreatedAt),
        };
        return new Ending(ending, verdict, facts.Finality, context, campaignId, now, kind, facts.ChannelId);
    }

    /// <summary>
    /// An answered campaign call that its queue's follower saw go without an agent (late and never taken, or its caller
    /// left): the lead may be called again after <see cref="DialerEngineOptions.AbandonRetryDelay"/>. Null otherwise, and
    /// for a call of an earlier run (no follower saw it: its fate is unknown, and it stays final).
    /// </summary>
    private AbandonedAnswer? AbandonedAnswerOf(CallFacts facts, CallOutcome outcome, CallContext? context, Campaign? campaign, CallKind kind, DateTimeOffset now)
    {
        if (outcome != CallOutcome.Answered || kind != CallKind.Campaign || context is null || string.IsNullOrEmpty(campaign?.Queue))
        {
            return null;
        }

        var server = Servers.Find(s => s.Name == context.Server);
        return server?.QueueFollower.WentWithoutAgent(context.ChannelId) is { } fate
            ? new AbandonedAnswer(facts.AnsweredAt ?? now, Options.AbandonRetryDelay, fate.ToWireName())
            : null;
    }

    private async Task<Campaign?> CampaignAsync(long campaignId, DateTimeOffset now)
    {
        if (_campaignCache.TryGetValue(campaignId, out var cached) && now - cached.LoadedAt < TimeSpan.FromSeconds(1))
        {
            return cached.Campaign;
        }

        var campaign = await Campaigns.GetAsync(campaignId).ConfigureAwait(false);
        if (campaign is not null)
        {
            _campaignCache[campaignId] = (campaign, now);
        }

        return campaign;
    }
}
