using Quartz;

namespace AmiDialer.Engine.Scheduling;

/// <summary>Fires at a campaign's start time.</summary>
[DisallowConcurrentExecution]
internal sealed class CampaignStartJob : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var id = context.MergedJobDataMap.GetLong(EngineScheduler.CampaignIdKey);
        await EngineScheduler.TargetOf(context).OnCampaignStartDueAsync(id, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Fires at a campaign's end time.</summary>
[DisallowConcurrentExecution]
internal sealed class CampaignEndJob : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var id = context.MergedJobDataMap.GetLong(EngineScheduler.CampaignIdKey);
        await EngineScheduler.TargetOf(context).OnCampaignEndDueAsync(id, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Drives the dialing loops: every few seconds it makes sure each running campaign has its dialer (after a
/// restart, a resume, or a lease that expired elsewhere). The loops themselves run in memory; retries are
/// <c>next_eligible_at</c> in the store, never triggers.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class DialerSupervisorJob : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await EngineScheduler.TargetOf(context).SuperviseAsync(cancellationToken).ConfigureAwait(false);
}
