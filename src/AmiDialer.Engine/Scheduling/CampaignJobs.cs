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
        // Recovering: this node runs an end whose node died while running it (Quartz's cluster recovery).
        await EngineScheduler.TargetOf(context).OnCampaignEndDueAsync(id, context.Recovering, cancellationToken).ConfigureAwait(false);
    }
}
