using System.Data;
using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Model;
using AmiDialer.Core.Outcomes;
using AmiDialer.Engine.Dialing;

namespace AmiDialer.Engine.CallControl;

/// <summary>
/// The built-in campaign every click-to-call is recorded in: created on first use, then reused. It stays a draft so
/// no campaign dialer ever dials it; its leads are only ever claimed by click-to-call, atomically, so they are never
/// seen pending.
/// </summary>
internal sealed class ClickToCallCampaign(EngineServices services)
{
    /// <summary>The reserved name; a campaign with this name is read as click-to-call by the outcome table.</summary>
    public const string Name = BuiltInCampaign.ClickToCallName;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Campaign? _campaign;

    /// <summary>Which way Core's outcome table reads a call of this campaign (used for calls adopted after a restart).</summary>
    public static CallKind KindOf(Campaign? campaign) =>
        campaign is not null && BuiltInCampaign.IsBuiltIn(campaign) ? CallKind.ClickToCall : CallKind.Campaign;

    public async Task<Campaign> GetOrCreateAsync(CancellationToken cancellationToken)
    {
        if (_campaign is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_campaign is { } raced)
            {
                return raced;
            }

            var existing = await services.Campaigns.GetByNameAsync(Name, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                var options = services.Options.CallControl.ClickToCall;
                try
                {
                    existing = await services.Campaigns.CreateAsync(new Campaign
                    {
                        Name = Name,
                        State = CampaignState.Draft,
                        TimeZoneId = options.TimeZone,
                        DialTemplate = "Local/{national}@" + options.Context,
                        Destination = new DialplanTarget(options.Context, "s", 1),
                        CallingHours = options.CallingHours,
                        RingTimeout = options.AgentRingTimeout,
                        RetryPolicy = "",
                        MaxAttempts = 1,
                        MaxConcurrentCalls = 1,
                        IsSimulated = services.Options.Simulated,
                    }, services.Options.Actor, cancellationToken).ConfigureAwait(false);
                    services.Logger.ClickToCallCampaignCreated(existing.Id);
                }
                catch (DuplicateNameException)
                {
                    // Another process created it between our look-up and our insert.
                    existing = await services.Campaigns.GetByNameAsync(Name, cancellationToken).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"The campaign '{Name}' vanished while being created.");
                }
            }

            // Calling hours follow the configuration, not whatever the stored row was created with.
            _campaign = existing with { CallingHours = services.Options.CallControl.ClickToCall.CallingHours, TimeZoneId = services.Options.CallControl.ClickToCall.TimeZone };
            return _campaign;
        }
        finally
        {
            _gate.Release();
        }
    }
}
