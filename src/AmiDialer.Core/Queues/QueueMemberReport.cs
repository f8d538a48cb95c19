namespace AmiDialer.Core.Queues;

/// <summary>
/// What one report about a queue member says: a <c>QueueMember</c> item of a QueueStatus list or a
/// <c>QueueMemberStatus</c>/<c>Pause</c>/<c>Added</c>/<c>Removed</c> event (the list says Name/Location where the events
/// say MemberName/Interface; the reader maps both here). A member is known by its <paramref name="Interface"/>.
/// </summary>
/// <param name="Status">The device state (1 NOT_INUSE, 2 INUSE, 3 BUSY, 4 INVALID, 5 UNAVAILABLE, 6 RINGING, ...).</param>
/// <param name="InCall">Racy (set at connect with no event of its own): a hint only; AgentConnect says "talking".</param>
/// <param name="LastCall">When the member's last call ended (the header's epoch seconds); null for 0 or absent.</param>
/// <param name="WrapUp">The member's own wrap-up override; null for 0 (the queue's value applies).</param>
public sealed record QueueMemberReport(
    string Interface,
    string? Name,
    int Status,
    bool Paused,
    string? PausedReason,
    bool InCall,
    DateTimeOffset? LastCall,
    TimeSpan? WrapUp = null)
{
    /// <summary>Device states in which a member can take no call however free it looks otherwise.</summary>
    public bool Unreachable => Status is DeviceInvalid or DeviceUnavailable;

    public const int DeviceUnknown = 0;
    public const int DeviceNotInUse = 1;
    public const int DeviceInUse = 2;
    public const int DeviceBusy = 3;
    public const int DeviceInvalid = 4;
    public const int DeviceUnavailable = 5;
    public const int DeviceRinging = 6;
}
