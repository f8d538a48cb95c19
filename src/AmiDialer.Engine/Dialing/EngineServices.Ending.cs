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
    /// <summary>How often endings held while the store is unavailable are tried again.</summary>
    private static readonly TimeSpan HeldEndingRetry = TimeSpan.FromSeconds(1);

    private readonly Dictionary<long, (Campaign Campaign, DateTimeOffset LoadedAt)> _campaignCache = [];
    private readonly SemaphoreSlim _endGate = new(1, 1);
    private readonly Lock _heldGate = new();
    private readonly List<(AmiServer Server, CallFacts Facts)> _held = [];
    private bool _retryingHeld;

    /// <summary>Calls that ended while the store could not be reached: their endings wait here, in this process, until it is back.</summary>
    public int HeldEndings
    {
        get
        {
            lock (_heldGate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>
    /// Called by a server with the calls its tracker found final. Never throws: a failure is logged. Every ending is
    /// decided first, then all are handed to the writer together, so they share a transaction. A call whose ending
    /// cannot be decided or written because the store is unavailable (PostgreSQL down, restarting, failing over) is
    /// held with what was seen of it, and written when the store is back: its outcome is not lost, its lead stays in
    /// progress (not dialed again) and its slot taken meanwhile.
    /// </summary>
    public async Task EndCallsAsync(AmiServer server, IReadOnlyList<CallFacts> finished) => await EndAsync(server, finished).ConfigureAwait(false);

    /// <summary>As <see cref="EndCallsAsync"/>; returns how many of <paramref name="finished"/> were held.</summary>
    private async Task<int> EndAsync(AmiServer server, IReadOnlyList<CallFacts> finished)
    {
        var decided = new List<Ending>(finished.Count);
        List<CallFacts>? hold = null;
        Exception? outage = null;
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
                        Calls.TryRemove(facts.AttemptId, out _);
                        ForgetLedger(server, facts.ChannelId, facts.Start?.Kind ?? CallKind.Campaign);
                    }
                }
                catch (Exception e) when (AmiDialer.Data.Database.StoreErrors.IsUnavailable(e))
                {
                    (hold ??= []).Add(facts);
                    outage = e;
                }
                catch (Exception e)
                {
                    Calls.TryRemove(facts.AttemptId, out _);
                    Logger.EndFailed(facts.AttemptId, e);
                }
            }
        }
        finally
        {
            _endGate.Release();
        }

        if (decided.Count > 0)
        {
            await WriteAsync(server, decided, (e, ending) =>
            {
                (hold ??= []).Add(ending.Facts);
                outage = e;
            }).ConfigureAwait(false);
        }

        if (hold is not null)
        {
            Hold(server, hold, outage!);
        }

        return hold?.Count ?? 0;
    }

    /// <summary>Writes decided endings and reports those written; <paramref name="unavailable"/> gets those the store could not take now.</summary>
    private async Task WriteAsync(AmiServer server, List<Ending> decided, Action<Exception, Ending> unavailable)
    {
        AttemptEndResult[] written;
        try
        {
            written = await Writer.EndManyAsync(decided.ConvertAll(d => d.Write)).ConfigureAwait(false);
        }
        catch (Exception e) when (AmiDialer.Data.Database.StoreErrors.IsUnavailable(e))
        {
            foreach (var ending in decided)
            {
                unavailable(e, ending);
            }

            return;
        }
        catch (Exception e)
        {
            foreach (var ending in decided)
            {
                Calls.TryRemove(ending.Write.AttemptId, out _);
                Logger.EndFailed(ending.Write.AttemptId, e);
            }

            return;
        }

        for (var i = 0; i < decided.Count; i++)
        {
            var ending = decided[i];
            var (ended, error) = written[i];
            if (error is not null && AmiDialer.Data.Database.StoreErrors.IsUnavailable(error))
            {
                unavailable(error, ending);
                continue;
            }

            Calls.TryRemove(ending.Write.AttemptId, out _);
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

    /// <summary>
    /// Keeps endings the store could not take, their slots on <paramref name="server"/> still taken, and makes sure they
    /// are tried again. They are decided again then, from the same facts (the call's own end time, events and answer),
    /// so the outcome is the call's and a retry is counted from the decision, never sooner than the rules allow.
    /// </summary>
    private void Hold(AmiServer server, List<CallFacts> facts, Exception outage)
    {
        server.BeginEndings(facts.Count);
        bool start;
        lock (_heldGate)
        {
            _held.AddRange(facts.Select(f => (server, f)));
            start = !_retryingHeld;
            _retryingHeld = true;
        }

        Logger.EndingsHeld(facts.Count, AmiDialer.Data.Database.StoreErrors.Reason(outage));
        if (start)
        {
            _ = RetryHeldAsync();
        }
    }

    /// <summary>Tries the held endings again every <see cref="HeldEndingRetry"/> until none is left (or the engine crashed: nothing is cleaned up then).</summary>
    private async Task RetryHeldAsync()
    {
        while (true)
        {
            await Task.Delay(HeldEndingRetry, Time).ConfigureAwait(false);
            List<(AmiServer Server, CallFacts Facts)> batch;
            lock (_heldGate)
            {
                batch = [.. _held];
                _held.Clear();
                if (batch.Count == 0 || Crashed)
                {
                    _retryingHeld = false;
                    return;
                }
            }

            var written = 0;
            foreach (var group in batch.GroupBy(h => h.Server))
            {
                var count = group.Count();
                try
                {
                    written += count - await EndAsync(group.Key, [.. group.Select(h => h.Facts)]).ConfigureAwait(false);
                }
                finally
                {
                    // Released only now: a held call keeps its slot until its ending is written or held again.
                    group.Key.EndEndings(count);
                }
            }

            if (written > 0)
            {
                Logger.HeldEndingsWritten(written);
            }
        }
    }

    /// <summary>At shut-down: says how many endings could not be written (their attempts stay open for the next start's reconciliation).</summary>
    public void ReportHeldEndings()
    {
        if (HeldEndings is > 0 and var left)
        {
            Logger.HeldEndingsLeft(left);
        }
    }

    /// <summary>An attempt's ending as decided, with what is reported once it is written and the facts it was decided from.</summary>
    private sealed record Ending(AttemptEnding Write, OutcomeVerdict Verdict, Finality Finality, CallContext? Context, long CampaignId, DateTimeOffset At, CallKind Kind, string ChannelId, CallFacts Facts);

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
        // Left in place until the ending is written: a call whose ending is held is still this process's to end.
        Calls.TryGetValue(facts.AttemptId, out var context);
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
        return new Ending(ending, verdict, facts.Finality, context, campaignId, now, kind, facts.ChannelId, facts);
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
