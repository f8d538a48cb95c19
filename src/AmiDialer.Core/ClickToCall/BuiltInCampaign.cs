using AmiDialer.Core.Model;

namespace AmiDialer.Core.ClickToCall;

/// <summary>
/// The campaign every click-to-call is recorded in. It is never dialed by a campaign dialer, so starting, pausing,
/// stopping or deleting it would only break click-to-call's records: every front end refuses with <see cref="Refusal"/>.
/// </summary>
public static class BuiltInCampaign
{
    /// <summary>The reserved name; a campaign with this name is read as click-to-call by the outcome table.</summary>
    public const string ClickToCallName = "click-to-call";

    public static bool IsBuiltIn(Campaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        return string.Equals(campaign.Name, ClickToCallName, StringComparison.Ordinal);
    }

    /// <summary>Why <paramref name="verb"/> (start, stop, delete...) is refused for this campaign; null when it is not built in.</summary>
    public static string? Refusal(Campaign campaign, string verb) =>
        IsBuiltIn(campaign)
            ? $"Campaign '{campaign.Name}' is built in: it records the click-to-call calls and is never dialed, so it cannot be {Participle(verb)}. Place calls with 'amidialer call' or POST /api/calls."
            : null;

    private static string Participle(string verb) => verb switch
    {
        "stop" => "stopped",
        "delete" => "deleted",
        "pause" => "paused",
        "resume" => "resumed",
        "start" => "started",
        "requeue" => "requeued",
        "rename" => "renamed",
        _ => verb + "ed",
    };
}
