namespace AmiDialer.Engine;

/// <summary>Why a foreground run (<see cref="DialerEngine.RunCampaignAsync"/>) returned.</summary>
public enum CampaignRunEnd
{
    /// <summary>No lead in progress and none can become due before the campaign's end.</summary>
    Finished,
    /// <summary>The campaign's end time came.</summary>
    EndReached,
    /// <summary>Cancelled by the caller (Ctrl-C): the campaign was paused, live calls were let finish.</summary>
    Paused,
    /// <summary>Stopped (by <see cref="DialerEngine.StopCampaignAsync"/> or another process).</summary>
    Stopped,
    /// <summary>Another process took the campaign's lease.</summary>
    LeaseLost,
}

/// <summary>How a foreground run ended.</summary>
/// <param name="NextDueAt">When the next lead would have been due (null when none ever would).</param>
public sealed record CampaignRunResult(long CampaignId, CampaignRunEnd End, string Message, DateTimeOffset? NextDueAt, DateTimeOffset EndedAt);

/// <summary>Another process holds the campaign. The message says who, and what its heartbeat did while watched.</summary>
public sealed class CampaignLeaseException : Exception
{
    public CampaignLeaseException()
    {
    }

    public CampaignLeaseException(string message)
        : base(message)
    {
    }

    public CampaignLeaseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The holder's instance name (leases have no expiry to show: a taker watches the heartbeat instead).</summary>
    public string? Holder { get; init; }
}
