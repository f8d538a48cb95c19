using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine;

/// <summary>Every log line of the engine, with stable event ids 4000-4999.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(4000, LogLevel.Information, "Engine {Instance} started with {ServerCount} AMI server(s) on {Database}")]
    public static partial void EngineStarted(this ILogger logger, string instance, int serverCount, string database);

    [LoggerMessage(4001, LogLevel.Information, "Engine {Instance} stopped")]
    public static partial void EngineStopped(this ILogger logger, string instance);

    [LoggerMessage(4010, LogLevel.Information, "Campaign {CampaignId} dialer started ({Status})")]
    public static partial void DialerStarted(this ILogger logger, long campaignId, string status);

    [LoggerMessage(4011, LogLevel.Information, "Campaign {CampaignId} dialer ended: {Why}")]
    public static partial void DialerEnded(this ILogger logger, long campaignId, string why);

    [LoggerMessage(4012, LogLevel.Warning, "Campaign {CampaignId} refused: {Why}")]
    public static partial void LeaseRefused(this ILogger logger, long campaignId, string why);

    [LoggerMessage(4018, LogLevel.Information, "Campaign {CampaignId} marked simulated: the simulator dials it")]
    public static partial void CampaignMarkedSimulated(this ILogger logger, long campaignId);

    [LoggerMessage(4019, LogLevel.Warning, "Campaign {CampaignId} refused: {Why}")]
    public static partial void SimulatedCampaignRefused(this ILogger logger, long campaignId, string why);

    [LoggerMessage(4013, LogLevel.Error, "Campaign {CampaignId} lost its lease to another process; dialing stops")]
    public static partial void LeaseLost(this ILogger logger, long campaignId);

    [LoggerMessage(4014, LogLevel.Information, "Campaign {CampaignId} {Change}")]
    public static partial void CampaignChanged(this ILogger logger, long campaignId, string change);

    [LoggerMessage(4056, LogLevel.Warning, "Campaign {CampaignId} is running with nothing to dial: {Why}")]
    public static partial void NothingToDial(this ILogger logger, long campaignId, string why);

    [LoggerMessage(4015, LogLevel.Error, "Campaign {CampaignId} dialer failed")]
    public static partial void DialerFailed(this ILogger logger, long campaignId, Exception error);

    [LoggerMessage(4020, LogLevel.Debug, "Attempt {AttemptId} lead {LeadId} originate to {Server} as {ChannelId}")]
    public static partial void Originating(this ILogger logger, long attemptId, long leadId, string server, string channelId);

    [LoggerMessage(4021, LogLevel.Warning, "Attempt {AttemptId}: Asterisk refused the Originate: {Message}")]
    public static partial void OriginateRefused(this ILogger logger, long attemptId, string message);

    [LoggerMessage(4022, LogLevel.Warning, "Attempt {AttemptId}: the Originate's fate is unknown ({Why}); it is reconciled, never re-sent")]
    public static partial void OriginateUncertain(this ILogger logger, long attemptId, string why);

    [LoggerMessage(4023, LogLevel.Debug, "Attempt {AttemptId} ended {Outcome} ({Finality})")]
    public static partial void AttemptEnded(this ILogger logger, long attemptId, string outcome, string finality);

    [LoggerMessage(4024, LogLevel.Information, "Lead {LeadId} skipped at dial time: {Why}")]
    public static partial void LeadSkipped(this ILogger logger, long leadId, string why);

    [LoggerMessage(4025, LogLevel.Warning, "Attempt {AttemptId}: no OriginateResponse in time, hanging up {Channel}")]
    public static partial void HangingUpTimedOut(this ILogger logger, long attemptId, string channel);

    [LoggerMessage(4026, LogLevel.Error, "Attempt {AttemptId} could not be ended in the store")]
    public static partial void EndFailed(this ILogger logger, long attemptId, Exception error);

    [LoggerMessage(4030, LogLevel.Information, "AMI server {Server}: {State}")]
    public static partial void ServerState(this ILogger logger, string server, string state);

    [LoggerMessage(4031, LogLevel.Warning, "AMI server {Server} restarted ({Why}); {Count} call(s) on it ended as interrupted")]
    public static partial void ServerRestarted(this ILogger logger, string server, string why, int count);

    [LoggerMessage(4032, LogLevel.Information, "AMI server {Server} reconciled: {Live} live channel(s), {Lost} attempt(s) ended as gone")]
    public static partial void Reconciled(this ILogger logger, string server, int live, int lost);

    [LoggerMessage(4033, LogLevel.Warning, "AMI server {Server}: reconciliation failed")]
    public static partial void ReconcileFailed(this ILogger logger, string server, Exception error);

    [LoggerMessage(4034, LogLevel.Information, "Lease {Key}: {Count} open attempt(s) on server {Server} adopted for reconciliation")]
    public static partial void AdoptedOwnedAttempts(this ILogger logger, string key, int count, string server);

    [LoggerMessage(4050, LogLevel.Warning, "Lease {Key}: {Count} open attempt(s) were sent to server {Server}, which is not configured: left open, waiting for it")]
    public static partial void WaitingForServer(this ILogger logger, string key, string server, int count);

    [LoggerMessage(4051, LogLevel.Warning, "Lease {Key}: renewal failed; trying again")]
    public static partial void LeaseRenewalFailed(this ILogger logger, string key, Exception error);

    [LoggerMessage(4052, LogLevel.Warning, "Lease {Key}: last renewal {Seconds:F1} s ago, too old to send Originates safely; holding them until a renewal succeeds")]
    public static partial void SendingHeld(this ILogger logger, string key, double seconds);

    [LoggerMessage(4053, LogLevel.Information, "Lease {Key} taken over from {Previous} ({How})")]
    public static partial void LeaseTakenOver(this ILogger logger, string key, string previous, string how);

    [LoggerMessage(4055, LogLevel.Information, "Campaign {CampaignId} is held by {Holder}: watching its heartbeat for up to {Seconds:F0} s (a moving one refuses, a still one is taken over)")]
    public static partial void WatchingLease(this ILogger logger, long campaignId, string holder, double seconds);

    [LoggerMessage(4054, LogLevel.Error, "Lease {Key} lost to another process")]
    public static partial void KeptLeaseLost(this ILogger logger, string key);

    [LoggerMessage(4035, LogLevel.Warning, "AMI server {Server}: hangup of {Channel} failed")]
    public static partial void HangupFailed(this ILogger logger, string server, string channel, Exception error);

    [LoggerMessage(4016, LogLevel.Warning, "Campaign {CampaignId}: the shutdown grace ran out with {Count} live call(s); they are left to the next start's reconciliation")]
    public static partial void CallsLeftToReconciliation(this ILogger logger, long campaignId, int count);

    [LoggerMessage(4002, LogLevel.Information, "Engine {Instance} stopping: no new calls, live calls followed for up to {Grace}")]
    public static partial void EngineStopping(this ILogger logger, string instance, TimeSpan grace);

    [LoggerMessage(4041, LogLevel.Information, "Scheduler reconciled with the store: {Changed} trigger(s) set or removed")]
    public static partial void TriggersReconciled(this ILogger logger, int changed);

    [LoggerMessage(4040, LogLevel.Error, "Scheduled job for campaign {CampaignId} failed")]
    public static partial void ScheduledJobFailed(this ILogger logger, long campaignId, Exception error);

    [LoggerMessage(4057, LogLevel.Error, "The dialer supervisor's tick failed; the next tick tries again")]
    public static partial void SupervisorTickFailed(this ILogger logger, Exception error);

    [LoggerMessage(4070, LogLevel.Warning, "Node {Node}: its heartbeat in the store failed; the next beat tries again")]
    public static partial void NodeHeartbeatFailed(this ILogger logger, string node, Exception error);

    [LoggerMessage(4071, LogLevel.Warning, "AMI server {Server} is described differently by the live nodes: {Found}; {Meanwhile}. Give it the same settings on every node")]
    public static partial void ServerDescribedDifferently(this ILogger logger, string server, string found, string meanwhile);

    [LoggerMessage(4072, LogLevel.Information, "AMI server {Server}: the live nodes describe it alike again")]
    public static partial void ServerDescribedAlike(this ILogger logger, string server);

    [LoggerMessage(4073, LogLevel.Warning, "AMI server {Server}: this node claims calls on it with a MaxConcurrentCalls of {Cap}, the smallest a live node gives it (its own setting is {Own})")]
    public static partial void ServerCapLowered(this ILogger logger, string server, int cap, int own);

    [LoggerMessage(4074, LogLevel.Information, "AMI server {Server}: this node claims calls on it with its own MaxConcurrentCalls of {Cap} again")]
    public static partial void ServerCapRestored(this ILogger logger, string server, int cap);

    [LoggerMessage(4080, LogLevel.Warning, "Campaign {CampaignId}: the store is unavailable ({Reason}); no call is placed until it is back, calls in flight are followed and their outcomes kept")]
    public static partial void StoreUnavailable(this ILogger logger, long campaignId, string reason);

    [LoggerMessage(4081, LogLevel.Information, "Campaign {CampaignId}: the store is back after {Seconds:F1} s; dialing resumes")]
    public static partial void StoreBack(this ILogger logger, long campaignId, double seconds);

    [LoggerMessage(4082, LogLevel.Warning, "{Count} call ending(s) held until the store is back ({Reason})")]
    public static partial void EndingsHeld(this ILogger logger, int count, string reason);

    [LoggerMessage(4083, LogLevel.Information, "{Count} held call ending(s) written: the store is back")]
    public static partial void HeldEndingsWritten(this ILogger logger, int count);

    [LoggerMessage(4084, LogLevel.Warning, "Attempt {AttemptId} ({ChannelId}): the store cut off its claim's commit, which went through, and it was never sent; it ends not-sent")]
    public static partial void ClaimInDoubtNotSent(this ILogger logger, long attemptId, string channelId);

    [LoggerMessage(4085, LogLevel.Warning, "{Count} call ending(s) still held at shut-down (the store is unavailable): their attempts stay open, for the next start to reconcile")]
    public static partial void HeldEndingsLeft(this ILogger logger, int count);

    [LoggerMessage(4086, LogLevel.Warning, "{What}: the store is unavailable ({Reason}); tried again at the next turn")]
    public static partial void StoreUnavailableFor(this ILogger logger, string what, string reason);
}
