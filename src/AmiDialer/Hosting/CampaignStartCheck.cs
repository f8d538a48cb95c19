using AmiDialer.Core.Doctor;
using AmiDialer.Core.Model;

namespace AmiDialer.Hosting;

/// <summary>What the pre-flight found before a campaign start: the reasons to refuse it (none: it may start).</summary>
public sealed record CampaignStartCheckResult(IReadOnlyList<string> Refusals)
{
    public bool Refused => Refusals.Count > 0;

    /// <summary>The refusal as one paragraph, for a page notice or an API problem's detail.</summary>
    public string Sentence(string campaign) =>
        $"Campaign '{campaign}' was not started: the pre-flight check found what would make its calls fail: {string.Join("; ", Refusals)}.";
}

/// <summary>
/// The pre-flight every campaign start runs (CLI, API, page) unless forced: the doctor on every configured server,
/// checking what this campaign needs (its destination, on-answer redirect, dial string), judged by <see cref="StartGate"/>.
/// A simulated campaign started by a process that dials real servers is not checked: its calls never go there.
/// </summary>
public static class CampaignStartCheck
{
    public static async Task<CampaignStartCheckResult> RunAsync(AppServices services, Campaign campaign, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(campaign);
        if (campaign.IsSimulated && !services.IsSimulated)
        {
            return new CampaignStartCheckResult([]);
        }

        var report = await DoctorRunner.RunAsync(services, DoctorRunner.Servers(services)!, DoctorRunner.NeedsOf(campaign, services.IsSimulated), ct);
        return new CampaignStartCheckResult(StartGate.Refusals(report));
    }
}
