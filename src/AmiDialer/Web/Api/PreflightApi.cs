using AmiDialer.Core.Preflight;
using AmiDialer.Reports;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AmiDialer.Web.Api;

/// <summary><c>GET /api/campaigns/{id}/preflight</c>: what a campaign would do if started now (#24).</summary>
internal static class PreflightApi
{
    public static IEndpointRouteBuilder MapPreflightApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/campaigns/{id:long}/preflight", GetAsync).WithTags("Campaigns").WithName("GetCampaignPreflight")
            .WithSummary("Before it starts: of its leads, how many are dialable now, blocked by do-not-call, outside calling hours now (and when the first opens), due later, in progress, exhausted, already final (they add up to leads); the time it needs at its pacing (leads to call × calls per lead ÷ the lower of concurrency ÷ line time and calls per second, closed hours not counted), and whether the servers' free call slots (each server's cap in force less every node's calls on it) cover its concurrency.");
        return app;
    }

    private static async Task<Results<Ok<PreflightDto>, ProblemHttpResult>> GetAsync(long id, WebBackend backend, WebData data, CancellationToken ct)
    {
        if (await (await data.CampaignsAsync(ct)).GetAsync(id, ct) is not { } campaign)
        {
            return CampaignsApi.NotFound(id);
        }

        return TypedResults.Ok(PreflightDto.From(campaign.Id, await PreflightText.BuildAsync(backend.Services, campaign, ct)));
    }
}

/// <summary>A campaign's pre-flight; instants in UTC, durations in seconds.</summary>
public sealed record PreflightDto(
    long CampaignId,
    DateTimeOffset At,
    long Leads,
    long DialableNow,
    long BlockedByDoNotCall,
    long OutsideCallingHours,
    DateTimeOffset? CallingHoursOpenAt,
    long OutsideCampaignSchedule,
    DateTimeOffset? CampaignScheduleOpensAt,
    long DueLater,
    DateTimeOffset? FirstDueLaterAt,
    long WillExpire,
    long InProgress,
    long Exhausted,
    long AlreadyFinal,
    long ToCall,
    double AttemptsPerLead,
    int MaxAttemptsPerLead,
    string AttemptsBasis,
    double LineSecondsPerCall,
    string LineBasis,
    double CallsPerSecond,
    string RateBasis,
    double DurationSeconds,
    double DurationAtMostSeconds,
    int Concurrency,
    int ServerCapacity,
    int ServerFree,
    bool CapacityCovers,
    string CapacityVerdict)
{
    /// <summary>Each server's calls over every node against the cap in force, with this node's share: "pbx1 12 of 40 in use, 5 by this node".</summary>
    public string ServerUse { get; init; } = "";

    public static PreflightDto From(long campaignId, CampaignPreflight p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(campaignId, p.At, p.Leads, p.DialableNow, p.BlockedByDoNotCall, p.OutsideCallingHours, p.CallingHoursOpenAt, p.OutsideCampaignSchedule,
            p.CampaignScheduleOpensAt, p.DueLater, p.FirstDueLaterAt, p.WillExpire, p.InProgress, p.Exhausted, p.AlreadyFinal, p.ToCall, p.AttemptsPerLead,
            p.MaxAttemptsPerLead, p.AttemptsBasis, p.LineSecondsPerCall, p.LineBasis, p.CallsPerSecond, p.RateBasis, Math.Round(p.Duration.TotalSeconds, 1),
            Math.Round(p.DurationAtMost.TotalSeconds, 1), p.Concurrency, p.ServerCapacity, p.ServerFree, p.CapacityCovers, p.CapacityVerdict)
        {
            ServerUse = p.ServerUse,
        };
    }
}
