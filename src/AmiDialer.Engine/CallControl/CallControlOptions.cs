using AmiDialer.Core.Model;

namespace AmiDialer.Engine.CallControl;

/// <summary>Where live calls may be sent (config <c>Dialing:AllowedContexts</c>) and how click-to-call dials.</summary>
public sealed class CallControlOptions
{
    /// <summary>Contexts a Redirect, an on-answer route or a per-call click-to-call context may name (exact, case-sensitive).</summary>
    public IReadOnlyList<string> AllowedContexts { get; init; } = ["agents", "ivr", "outbound"];

    public ClickToCallOptions ClickToCall { get; init; } = new();
}

/// <summary>Config <c>Dialing:ClickToCall:*</c>.</summary>
public sealed class ClickToCallOptions
{
    /// <summary>Where the customer's number is dialed once the agent answers.</summary>
    public string Context { get; init; } = "outbound";

    /// <summary>How the number is written as the extension: <c>{national}</c>, <c>{number}</c> or <c>{e164}</c> with literal text.</summary>
    public string ExtensionTemplate { get; init; } = "{national}";

    /// <summary>Glob patterns (<c>?</c>, <c>*</c>) an agent endpoint must match: an API key alone must not ring any channel.</summary>
    public IReadOnlyList<string> AllowedAgents { get; init; } = ["PJSIP/1??", "Local/1??@agentphone"];

    /// <summary>Whether click-to-call honours the calling hours in the callee's zone.</summary>
    public bool RespectCallingHours { get; init; } = true;

    /// <summary>Calling hours in the callee's own zone (config <c>Dialing:CallingHours</c>).</summary>
    public DailyWindow CallingHours { get; init; } = new(TimeSpan.FromHours(8), TimeSpan.FromHours(21));

    /// <summary>Region for numbers written without a country code (config <c>Dialing:DefaultRegion</c>).</summary>
    public string DefaultRegion { get; init; } = "US";

    /// <summary>Zone standing in for a callee whose zone is unknown (config <c>Dialing:DefaultTimeZone</c>).</summary>
    public string TimeZone { get; init; } = "America/New_York";

    /// <summary>How long the agent's phone rings (the Originate's Timeout); never under the engine's minimum ring timeout.</summary>
    public TimeSpan AgentRingTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Caller ID shown on the agent's phone; null shows <c>"Click to call" &lt;number&gt;</c>.</summary>
    public string? CallerId { get; init; }
}
