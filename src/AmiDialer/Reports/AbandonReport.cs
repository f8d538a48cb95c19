using AmiDialer.Configuration;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Hosting;

namespace AmiDialer.Reports;

/// <summary>
/// A queue campaign's abandoned calls over the window the operator's rule uses (<c>Dialing:AbandonWindow</c>: 30 days,
/// TCPA, or 24 h, Ofcom): an answered call is abandoned when no agent took it within 2 s of the answer, the caller
/// left the queue, or its fate is unknown (the dialer was down). Against <c>Dialing:MaxAbandonRate</c>; predictive
/// pacing falls back to progressive at <see cref="FallbackShare"/> of it.
/// </summary>
/// <param name="Window">The setting's text: <c>30d</c> or <c>24h</c>.</param>
/// <param name="Since">The window's start (now minus the window).</param>
/// <param name="Days">Each UTC day of the window with answered queue calls.</param>
public sealed record AbandonReport(string Window, DateTimeOffset Since, double Limit, long Answered, long Abandoned, IReadOnlyList<AbandonDay> Days)
{
    /// <summary>The share of the limit at which predictive pacing falls back to progressive (issue #26).</summary>
    public const double FallbackShare = 0.8;

    /// <summary>Abandoned per answered queue call in the window; 0 before any.</summary>
    public double Rate => Answered == 0 ? 0 : Abandoned / (double)Answered;

    public double FallbackRate => Limit * FallbackShare;

    /// <summary>At or past the fallback point: a predictive campaign runs as progressive until the rate falls.</summary>
    public bool AtFallback => Answered > 0 && Rate >= FallbackRate;

    /// <summary>The campaign's figures; null for a campaign with no queue and no queue calls in the window.</summary>
    public static async Task<AbandonReport?> ReadAsync(AppServices services, Campaign campaign, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(campaign);
        var dialing = services.Settings.Dialing;
        var window = DialingSettings.ParseAbandonWindow(dialing.AbandonWindow) ?? TimeSpan.FromDays(30);
        var since = services.Time.GetUtcNow() - window;
        var days = await new AbandonHistory(services.Database).DailyAsync(campaign.Id, since, ct);
        if (string.IsNullOrEmpty(campaign.Queue) && days.Count == 0)
        {
            return null;
        }

        return new AbandonReport(dialing.AbandonWindow.Trim().ToLowerInvariant(), since, dialing.MaxAbandonRate, days.Sum(d => d.Answered), days.Sum(d => d.Abandoned), days);
    }
}
