using System.Globalization;
using AmiDialer.Core.Model;

namespace AmiDialer.Core.Pacing;

/// <summary>
/// How long a campaign still needs: its remaining dialable leads (not final, not blocked) at the rate it measurably
/// dials now (attempts started in the last minute). One call per remaining lead is assumed, so retries the leads may
/// still need make the real time longer; a lead in a call counts as remaining until its call ends.
/// </summary>
public static class CampaignEta
{
    /// <summary>What the pages show when there is no estimate.</summary>
    public const string Unknown = "—";

    /// <summary>
    /// The time left, or null when it cannot be estimated: the campaign is not running (paused, scheduled, draft: no
    /// rate to measure; completed or stopped: nothing left to dial), or it dialed nothing in the last minute (just
    /// started, or every remaining lead waits for its hours or its retry).
    /// </summary>
    public static TimeSpan? Estimate(CampaignState state, long remainingLeads, int callsPerMinute)
    {
        if (state != CampaignState.Running || remainingLeads < 0)
        {
            return null;
        }

        if (remainingLeads == 0)
        {
            return TimeSpan.Zero;
        }

        // Rounded up to whole seconds: "0 s left" must not show while a lead is still to call.
        return callsPerMinute <= 0 ? null : TimeSpan.FromSeconds(Math.Ceiling(remainingLeads * 60.0 / callsPerMinute));
    }

    /// <summary>"—", "under 1 min", "about 42 min" or "about 3 h 05 min".</summary>
    public static string Describe(TimeSpan? eta) => eta switch
    {
        null => Unknown,
        { TotalMinutes: < 1 } => "under 1 min",
        { TotalHours: < 1 } e => string.Create(CultureInfo.InvariantCulture, $"about {(int)Math.Round(e.TotalMinutes, MidpointRounding.AwayFromZero)} min"),
        { } e => Hours(e),
    };

    private static string Hours(TimeSpan eta)
    {
        var minutes = (long)Math.Round(eta.TotalMinutes, MidpointRounding.AwayFromZero);
        return string.Create(CultureInfo.InvariantCulture, $"about {minutes / 60} h {minutes % 60:00} min");
    }
}
