using AmiDialer.Configuration;
using AmiDialer.Core.Scheduling;
using AmiDialer.Engine.CallControl;

namespace AmiDialer.Hosting;

/// <summary>Config <c>Dialing:AllowedContexts</c> and <c>Dialing:ClickToCall:*</c> as the engine's call-control options.</summary>
public static class CallControlSettings
{
    /// <summary>Where calls may be sent: the configured contexts, else the engine's defaults.</summary>
    public static IReadOnlyList<string> AllowedContexts(AmiDialerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Dialing.AllowedContexts.Count > 0 ? [.. settings.Dialing.AllowedContexts] : new CallControlOptions().AllowedContexts;
    }

    public static CallControlOptions From(AmiDialerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var d = settings.Dialing;
        var defaults = new ClickToCallOptions();
        return new CallControlOptions
        {
            AllowedContexts = AllowedContexts(settings),
            ClickToCall = new ClickToCallOptions
            {
                Context = d.ClickToCall.Context,
                ExtensionTemplate = d.ClickToCall.ExtensionTemplate,
                AllowedAgents = d.ClickToCall.AllowedAgents.Count > 0 ? [.. d.ClickToCall.AllowedAgents] : defaults.AllowedAgents,
                RespectCallingHours = d.ClickToCall.RespectCallingHours,
                CallingHours = ScheduleText.TryParseWindow(d.CallingHours, out var hours, out _) ? hours : defaults.CallingHours,
                DefaultRegion = d.DefaultRegion,
                TimeZone = d.DefaultTimeZone,
                AgentRingTimeout = d.RingTimeout,
            },
        };
    }
}
