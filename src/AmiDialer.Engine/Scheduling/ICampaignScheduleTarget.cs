namespace AmiDialer.Engine.Scheduling;

/// <summary>What the Quartz jobs call back into: the engine, kept behind an interface so jobs stay thin.</summary>
internal interface ICampaignScheduleTarget
{
    /// <summary>A campaign's start time came: it becomes running and starts dialing.</summary>
    Task OnCampaignStartDueAsync(long campaignId, CancellationToken cancellationToken);

    /// <summary>
    /// A campaign's end time came: it is completed, its waiting leads expire. <paramref name="recovering"/>: this node
    /// runs it again for a node that died while running it.
    /// </summary>
    Task OnCampaignEndDueAsync(long campaignId, bool recovering, CancellationToken cancellationToken);

    /// <summary>Periodic: make sure every running campaign this process may dial is dialing.</summary>
    Task SuperviseAsync(CancellationToken cancellationToken);
}
