using AmiDialer.Core.Model;

namespace AmiDialer.Engine.CallControl;

/// <summary>A one-off call: the agent's phone rings first, then <see cref="Number"/> is dialed.</summary>
/// <param name="Number">The customer's number, as typed (national or international).</param>
/// <param name="Agent">The agent endpoint, e.g. <c>PJSIP/101</c>; must match <c>Dialing:ClickToCall:AllowedAgents</c>.</param>
/// <param name="Context">Null: <c>Dialing:ClickToCall:Context</c>; else one of <c>Dialing:AllowedContexts</c>.</param>
public sealed record ClickToCallRequest(string Number, string Agent, string? Context = null);

/// <summary>A click-to-call that was accepted: its attempt is written and its Originate sent.</summary>
public sealed record ClickToCallStarted(
    long AttemptId,
    long LeadId,
    long CampaignId,
    string PhoneE164,
    string Agent,
    DialplanTarget Destination,
    string Server,
    string ChannelId);

/// <summary>A Redirect that Asterisk accepted.</summary>
public sealed record TransferResult(long AttemptId, string Server, string Channel, DialplanTarget Destination);

/// <summary>An attempt as stored, with what this engine knows live about its call.</summary>
/// <param name="Channel">The originated channel's name while the call is live here; null otherwise.</param>
public sealed record CallStatus(Attempt Attempt, bool IsLive, string? Channel, DateTimeOffset? AnsweredAt);
