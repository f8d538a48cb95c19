using System.Globalization;
using AmiDialer.Core.ClickToCall;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Doctor;

/// <summary>A dialplan place: a context, and when known an extension and a priority.</summary>
public sealed record DialplanPlace(string Context, string? Extension = null, int? Priority = null)
{
    public override string ToString() => Extension is null ? Context
        : Priority is null ? $"{Context},{Extension}"
        : $"{Context},{Extension},{Priority.Value.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>A place the configuration sends calls to, who sends them there, and what its absence means.</summary>
public sealed record DialplanUse(DialplanPlace Place, IReadOnlyList<string> UsedBy, CheckLevel IfMissing, bool Blocking);

/// <summary>A channel technology calls are dialed with, and who dials with it.</summary>
public sealed record TechnologyUse(string Technology, IReadOnlyList<string> UsedBy);

/// <summary>
/// What the configuration and the campaigns need from every server: the dialplan places calls go to and the channel
/// technologies they are dialed with. Pure: built from the campaigns and the settings' values.
/// </summary>
public sealed record DoctorNeeds(IReadOnlyList<DialplanUse> Places, IReadOnlyList<TechnologyUse> Technologies)
{
    /// <summary>The queues the campaigns that may dial follow, each with the destination that must run it.</summary>
    public IReadOnlyList<QueueUse> Queues { get; init; } = [];

    /// <summary>
    /// The campaigns that may still dial (not completed or stopped, not the built-in click-to-call one, not simulated):
    /// each one's destination and on-answer redirect (missing: FAIL, blocking, every answered call would go nowhere),
    /// its dial string's <c>Local/…@context</c> (FAIL, blocking: every call fails) and its technology. Then
    /// click-to-call's context (FAIL) and agents' technologies, and the contexts transfers may use (WARN: only a transfer
    /// there would fail).
    /// </summary>
    /// <param name="simulated">The servers checked are the built-in simulator (<c>--simulate</c>): the campaigns it dials are the simulated ones.</param>
    public static DoctorNeeds From(IEnumerable<Campaign> campaigns, string? clickToCallContext = null, IEnumerable<string>? clickToCallAgents = null, IEnumerable<string>? allowedContexts = null, bool simulated = false)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        var places = new List<(DialplanPlace Place, string By, CheckLevel IfMissing, bool Blocking)>();
        var techs = new List<(string Tech, string By)>();
        var queues = new List<(string Queue, DialplanPlace Place, string By)>();
        foreach (var campaign in campaigns.Where(c => MayDial(c, simulated)))
        {
            var name = $"campaign '{campaign.Name}'";
            var d = campaign.Destination;
            places.Add((new DialplanPlace(d.Context, d.Extension, d.Priority), name + " destination", CheckLevel.Fail, true));
            if (!string.IsNullOrEmpty(campaign.Queue))
            {
                // An on-answer redirect is where the answered call ends up: that is what must run the queue.
                var landing = campaign.OnAnswerRedirect ?? d;
                queues.Add((campaign.Queue, new DialplanPlace(landing.Context, landing.Extension, landing.Priority), name));
            }

            if (campaign.OnAnswerRedirect is { } r)
            {
                places.Add((new DialplanPlace(r.Context, r.Extension, r.Priority), name + " on-answer redirect", CheckLevel.Fail, true));
            }

            if (LocalContextOf(campaign.DialTemplate) is { } local)
            {
                places.Add((new DialplanPlace(local), name + " dial string", CheckLevel.Fail, true));
            }

            if (ChannelTypes.TechnologyOf(campaign.DialTemplate) is { } tech)
            {
                techs.Add((tech, name));
            }
        }

        if (!string.IsNullOrEmpty(clickToCallContext))
        {
            places.Add((new DialplanPlace(clickToCallContext), "click-to-call (Dialing:ClickToCall:Context)", CheckLevel.Fail, false));
        }

        foreach (var agent in clickToCallAgents ?? [])
        {
            if (ChannelTypes.TechnologyOf(agent) is { } tech)
            {
                techs.Add((tech, $"click-to-call agents ({agent})"));
            }
        }

        foreach (var context in allowedContexts ?? [])
        {
            places.Add((new DialplanPlace(context), "transfers (Dialing:AllowedContexts)", CheckLevel.Warn, false));
        }

        return new DoctorNeeds(
            [.. places.GroupBy(p => p.Place).Select(g => new DialplanUse(g.Key, [.. g.Select(p => p.By).Distinct()], g.Max(p => p.IfMissing), g.Any(p => p.Blocking)))],
            [.. techs.GroupBy(t => t.Tech, StringComparer.OrdinalIgnoreCase).Select(g => new TechnologyUse(g.Key, [.. g.Select(t => t.By).Distinct()]))])
        {
            Queues = [.. queues.GroupBy(q => (q.Queue, q.Place)).Select(g => new QueueUse(g.Key.Queue, g.Key.Place, [.. g.Select(q => q.By).Distinct()]))],
        };
    }

    /// <summary>
    /// A campaign that can still dial on the servers checked: one whose places must exist now. A simulated campaign is
    /// dialed by the built-in simulator only, so it counts only when that is what is checked.
    /// </summary>
    public static bool MayDial(Campaign campaign, bool simulated = false)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        return campaign.State is not (CampaignState.Completed or CampaignState.Stopped) && (!campaign.IsSimulated || simulated) && !BuiltInCampaign.IsBuiltIn(campaign);
    }

    /// <summary>The context of a <c>Local/…@context</c> dial string or template (<c>/n</c> and other options dropped); null for other technologies.</summary>
    public static string? LocalContextOf(string? dialTemplate)
    {
        if (dialTemplate is null || !dialTemplate.StartsWith("Local/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var at = dialTemplate.LastIndexOf('@');
        if (at < 0)
        {
            return null;
        }

        var context = dialTemplate[(at + 1)..];
        var slash = context.IndexOf('/', StringComparison.Ordinal);
        context = slash < 0 ? context : context[..slash];
        return context.Length == 0 || context.Contains('{', StringComparison.Ordinal) ? null : context;
    }
}
