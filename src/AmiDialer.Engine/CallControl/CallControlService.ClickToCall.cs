using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Dialing;
using AmiDialer.Core.Model;
using AmiDialer.Core.Outcomes;
using AmiDialer.Core.Phone;
using AmiDialer.Core.Scheduling;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.Dialing;
using AmiDialer.Engine.Live;
using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.CallControl;

/// <summary>Click-to-call: the agent's phone rings first; once it answers, the number is dialed in the click-to-call context.</summary>
public sealed partial class CallControlService
{
    /// <summary>
    /// Checks the request (agent glob, context, number, do-not-call, calling hours), records an attempt on the number's
    /// lead in the built-in click-to-call campaign, sends the Originate and returns at once. Await the outcome with
    /// <see cref="WaitForEndAsync"/>: answered, busy, no-answer, congestion, invalid-number, rejected (the customer's,
    /// from DialEnd and the customer legs' causes), agent-no-answer, or failed. Throws <see cref="CallControlException"/>
    /// naming the field at fault (<c>agent</c>, <c>context</c>, <c>number</c>) when the call is refused; nothing is written then.
    /// </summary>
    public async Task<ClickToCallStarted> StartClickToCallAsync(ClickToCallRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await StartOrThrowAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (CallControlException e)
        {
            _s.Logger.ClickToCallRefused(e.Error.ToString(), e.ConfigKey is null ? e.Message : $"{e.Message} (config {e.ConfigKey})");
            throw;
        }
    }

    private async Task<ClickToCallStarted> StartOrThrowAsync(ClickToCallRequest request, CancellationToken cancellationToken)
    {
        var c2c = _options.ClickToCall;
        if (AgentEndpoints.Check(request.Agent, c2c.AllowedAgents) is { } agentProblem)
        {
            throw new CallControlException(CallControlError.NotAllowed, "agent", Sentence(agentProblem)) { ConfigKey = "Dialing:ClickToCall:AllowedAgents" };
        }

        var context = request.Context ?? c2c.Context;
        if (request.Context is not null)
        {
            if (DialplanNames.CheckContext(request.Context) is { } contextProblem)
            {
                throw new CallControlException(CallControlError.InvalidInput, "context", $"Context: {contextProblem}.");
            }

            if (!_options.AllowedContexts.Contains(request.Context, StringComparer.Ordinal))
            {
                throw new CallControlException(CallControlError.NotAllowed, "context",
                    $"Context '{request.Context}' is not one of the allowed contexts ({string.Join(", ", _options.AllowedContexts)}).") { ConfigKey = "Dialing:AllowedContexts" };
            }
        }

        if (!E164.TryParse(request.Number, c2c.DefaultRegion, out var number, out var numberProblem) || number is null)
        {
            throw new CallControlException(CallControlError.InvalidInput, "number", $"Number '{request.Number}': {numberProblem ?? "not a phone number"}.");
        }

        if (!NumberTemplate.TryParse(c2c.ExtensionTemplate, out var template, out var templateProblem) || template is null)
        {
            throw new CallControlException(CallControlError.InvalidInput, null, $"Click-to-call is misconfigured (the extension template: {templateProblem}); ask the administrator.") { ConfigKey = "Dialing:ClickToCall:ExtensionTemplate" };
        }

        DialplanTarget destination;
        try
        {
            destination = ClickToCallRules.Destination(context, template, number);
        }
        catch (FormatException e)
        {
            throw request.Context is null
                ? new CallControlException(CallControlError.InvalidInput, null, $"Click-to-call is misconfigured ({e.Message}); ask the administrator.", e) { ConfigKey = "Dialing:ClickToCall:Context" }
                : new CallControlException(CallControlError.InvalidInput, "context", e.Message, e);
        }

        var campaign = await _clickToCallCampaign.GetOrCreateAsync(cancellationToken).ConfigureAwait(false);
        if (await _s.Dnc.IsBlockedAsync(number.E164, campaign.Id, cancellationToken).ConfigureAwait(false))
        {
            throw new CallControlException(CallControlError.DoNotCall, "number", $"Number {number.E164} is on the do-not-call list.");
        }

        var zones = E164.TimeZonesOf(number.E164);
        var now = _s.Time.GetUtcNow();
        if (c2c.RespectCallingHours)
        {
            var schedule = DialingSchedule.For(campaign);
            if (!schedule.IsOpen(now, zones))
            {
                var next = schedule.NextEligibleAt(now, zones);
                var where = string.Join(", ", schedule.CalleeZones(zones).Select(z => z.Id));
                throw new CallControlException(CallControlError.OutsideCallingHours, "number",
                    $"Number {number.E164} is outside the calling hours ({c2c.CallingHours} in {where})"
                    + (next is { } n ? $"; it may be called from {n:yyyy-MM-dd HH:mm}Z." : "."));
            }
        }

        var callerId = c2c.CallerId ?? new CallerId("Click to call", number.Number).ToString();
        var ringTimeout = c2c.AgentRingTimeout < _s.Options.MinimumRingTimeout ? _s.Options.MinimumRingTimeout : c2c.AgentRingTimeout;
        LeaseFence lease;
        try
        {
            // The click-to-calls of this process are its own: under its lease, which the claim checks (a fence).
            lease = await _s.Keeper.HoldOwnAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (LeaseLostException e)
        {
            throw new CallControlException(CallControlError.NoServer, null, e.Message, e);
        }

        await _s.RefreshServerSlotsAsync().ConfigureAwait(false);
        var server = _s.ReserveServer()
            ?? throw new CallControlException(CallControlError.NoServer, null, "No AMI server is connected with a free call slot; try again shortly.");
        var reserved = true;
        try
        {
            var callId = _s.NextCallId();
            (Attempt Attempt, Lead Lead)? claimed;
            try
            {
                claimed = await _clickToCallLeads.ClaimAsync(new ClickToCallClaim(campaign.Id, number.E164, zones, callId, callId, server.Name, _s.Options.Simulated) { Lease = lease, Agent = request.Agent, Destination = destination.ToString(), ServerCap = server.MaxConcurrentCalls }, now, cancellationToken).ConfigureAwait(false);
            }
            catch (LeaseLostException e)
            {
                throw new CallControlException(CallControlError.NoServer, null, e.Message, e);
            }
            catch (ServerFullException e)
            {
                // Other processes fill it: the next click picks a server by this count.
                server.ReleaseReservation();
                reserved = false;
                server.ObserveOpenInStore(e.Open);
                throw new CallControlException(CallControlError.NoServer, null, e.Message + " Try again shortly.", e);
            }

            if (claimed is null)
            {
                throw new CallControlException(CallControlError.CallInProgress, "number", $"Number {number.E164} already has a click-to-call in progress.");
            }

            var (attempt, lead) = claimed.Value;
            _s.Calls[attempt.Id] = new CallContext(attempt.Id, attempt.CreatedAt, campaign.Id, lead, server.Name, callId, now, null, CallKind.ClickToCall);
            EngineMetrics.CallPlaced(CallKind.ClickToCall);
            var originate = new OriginateRequest(attempt.Id, callId, request.Agent, destination.Context, destination.Extension, destination.Priority,
                callerId, ringTimeout, [new("AMIDIALER_ATTEMPT", attempt.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))]) { Kind = CallKind.ClickToCall };
            if (server.Ledger)
            {
                var customerRing = campaign.RingTimeout < _s.Options.MinimumRingTimeout ? _s.Options.MinimumRingTimeout : campaign.RingTimeout;
                originate = LedgerDialplan.ClickToCall(originate, number.E164.TrimStart('+'), customerRing);
            }

            _s.Publish(new EngineChange(EngineChangeKind.CallStarted, now, campaign.Id, attempt.Id));
            _s.Logger.ClickToCallStarted(attempt.Id, request.Agent, destination.ToString(), server.Name);
            reserved = false; // OriginateAsync tracks the call, which takes over the reserved slot.
            var sending = server.OriginateAsync(originate, now, callId, CancellationToken.None);
            _ = AfterClickToCallSentAsync(server, attempt.Id, sending);
            return new ClickToCallStarted(attempt.Id, lead.Id, campaign.Id, number.E164, request.Agent, destination, server.Name, callId);
        }
        finally
        {
            if (reserved)
            {
                server.ReleaseReservation();
            }
        }
    }

    /// <summary>A rule's lower-case reason as a sentence of its own ("agent endpoint ..." becomes "Agent endpoint ....").</summary>
    private static string Sentence(string problem) => problem.Length == 0 ? problem : char.ToUpperInvariant(problem[0]) + problem[1..] + ".";

    /// <summary>What the Originate's Response means for the attempt; the same rules as a campaign's dialer.</summary>
    private async Task AfterClickToCallSentAsync(AmiServer server, long attemptId, Task<(OriginateSendResult Result, string? Message)> sending)
    {
        var (result, message) = await sending.ConfigureAwait(false);
        await _s.ApplyOriginateResultAsync(server, attemptId, result, message).ConfigureAwait(false);
    }
}
