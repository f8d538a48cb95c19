using System.Globalization;
using AmiDialer.Core.Model;
using AmiDialer.Core.Preflight;
using AmiDialer.Core.Scheduling;
using AmiDialer.Data.Repositories;
using AmiDialer.Cluster;
using AmiDialer.Hosting;

namespace AmiDialer.Reports;

/// <summary>A campaign's pre-flight (<see cref="CampaignPreflight"/>) for <c>campaign show</c>, the campaign page and the API.</summary>
public static class PreflightText
{
    /// <summary>
    /// Counts the campaign's leads and calls and asks Core's rules. The servers are the engine's live ones when it runs
    /// in this process (connected, this node's calls on each), else the configured ones; on each, the calls open in the
    /// store over every node and the cap in force over the cluster (the smallest a live node gives it), so the free
    /// slots are the cluster's, not this node's.
    /// </summary>
    public static async Task<CampaignPreflight> BuildAsync(AppServices services, Campaign campaign, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(campaign);
        var now = services.Time.GetUtcNow();
        var counts = await new PreflightRepository(services.Database).CountAsync(campaign.Id, now, ct).ConfigureAwait(false);
        var cluster = await ServerFigures.ReadClusterAsync(services, ct).ConfigureAwait(false);
        IReadOnlyList<PreflightServer> servers = services.Engine is { } engine
            ? [.. engine.GetSnapshot().Servers.Select(s => new PreflightServer(s.Name, cluster.CapOf(s.Name, s.ConfiguredMaxConcurrentCalls), (int)cluster.CallsOn(s.Name), s.Connected) { ThisNodeCalls = s.ActiveCalls })]
            : [.. services.Settings.Ami.Servers.Select(s => new PreflightServer(s.Name, cluster.CapOf(s.Name, s.MaxConcurrentCalls), (int)cluster.CallsOn(s.Name), null))];
        return CampaignPreflight.Of(campaign, now, counts.LeadsByState, counts.Dialable, counts.History, servers);
    }

    /// <summary>The pre-flight as label/value lines, times in <paramref name="zone"/> (named).</summary>
    public static IReadOnlyList<(string Label, string Value)> Lines(CampaignPreflight p, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(zone);
        string At(DateTimeOffset? at) => at is { } a ? "; the first from " + ZonedTime.Format(a, zone) : "";
        var lines = new List<(string, string)>
        {
            ("leads", N(p.Leads)),
            ("dialable now", N(p.DialableNow)),
            ("blocked by do-not-call", N(p.BlockedByDoNotCall)),
            ("outside calling hours now", N(p.OutsideCallingHours) + At(p.CallingHoursOpenAt)),
        };
        if (p.OutsideCampaignSchedule > 0)
        {
            lines.Add(("outside the campaign's days and windows", N(p.OutsideCampaignSchedule) + At(p.CampaignScheduleOpensAt)));
        }

        lines.Add(("due later (retries, moved)", N(p.DueLater) + At(p.FirstDueLaterAt)));
        if (p.WillExpire > 0)
        {
            lines.Add(("will expire (no time before the end)", N(p.WillExpire)));
        }

        lines.Add(("in progress", N(p.InProgress)));
        lines.Add(("exhausted", N(p.Exhausted)));
        lines.Add(("already final", N(p.AlreadyFinal)));
        lines.Add(("calls per lead", Number(p.AttemptsPerLead) + " (" + p.AttemptsBasis + ")"));
        lines.Add(("line time per call", p.LineBasis));
        lines.Add(("pace", Number(p.CallsPerSecond) + " calls/s, set by " + p.RateBasis));
        lines.Add(("time needed", Span(p.Duration) + (p.DurationAtMost > p.Duration ? $" (at most {Span(p.DurationAtMost)} if every lead takes {p.MaxAttemptsPerLead} calls)" : "")
            + $" for {N(p.ToCall)} leads, closed hours not counted"));
        lines.Add(("server capacity", p.CapacityVerdict));
        if (p.ServerUse.Length > 0)
        {
            lines.Add(("server calls (every node)", p.ServerUse));
        }

        return lines;
    }

    /// <summary>"2 h 05 min", "14 min", "40 s".</summary>
    public static string Span(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(long)span.TotalHours} h {span.Minutes:00} min"
        : span.TotalMinutes >= 1 ? $"{(long)Math.Round(span.TotalMinutes)} min"
        : $"{(long)Math.Ceiling(span.TotalSeconds)} s";

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
