using AmiDialer.Core.Doctor;
using AmiDialer.Core.Model;
using AmiDialer.Engine;
using AmiDialer.Engine.Preflight;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Hosting;

/// <summary>
/// The doctor as every front end runs it (<c>amidialer doctor</c>, <c>GET /api/doctor</c>, the Setup page, the
/// pre-flight of a campaign start): the configured servers, each named by its settings key, checked against what
/// the campaigns that may still dial and click-to-call need.
/// </summary>
public static class DoctorRunner
{
    /// <summary>The configured servers; with <paramref name="serverName"/>, only that one (null when no server has that name).</summary>
    public static IReadOnlyList<ServerToCheck>? Servers(AppServices services, string? serverName = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var all = services.EngineOptions().Servers.Select((s, i) => new ServerToCheck(s, $"Ami:Servers:{i}")).ToList();
        if (serverName is null)
        {
            return all;
        }

        var one = all.Where(s => string.Equals(s.Config.Name, serverName, StringComparison.Ordinal)).ToList();
        return one.Count == 0 ? null : one;
    }

    /// <summary>What every campaign that may still dial, click-to-call and transfers need.</summary>
    public static async Task<DoctorNeeds> NeedsAsync(AppServices services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        var campaigns = await services.Campaigns.ListAsync(ct);
        var callControl = CallControlSettings.From(services.Settings);
        return DoctorNeeds.From(campaigns, callControl.ClickToCall.Context, callControl.ClickToCall.AllowedAgents, callControl.AllowedContexts, services.IsSimulated);
    }

    /// <summary>What one campaign needs: its own places and technology, nothing of click-to-call's.</summary>
    public static DoctorNeeds NeedsOf(Campaign campaign, bool simulated) => DoctorNeeds.From([campaign with { State = CampaignState.Draft }], simulated: simulated);

    public static Task<DoctorReport> RunAsync(AppServices services, IReadOnlyList<ServerToCheck> servers, DoctorNeeds needs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        return Doctor.RunAsync(servers, needs, new DoctorOptions { QueueWrapUps = services.Settings.Dialing.QueueWrapUp }, services.Time, services.LoggerFactory.CreateLogger("AmiDialer.Doctor"), ct);
    }
}
