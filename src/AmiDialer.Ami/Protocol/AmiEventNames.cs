namespace AmiDialer.Ami;

/// <summary>Names of the events the dialer reads. Any other event still passes through; these are just the known ones.</summary>
public static class AmiEventNames
{
    public const string OriginateResponse = "OriginateResponse";
    public const string Newchannel = "Newchannel";
    public const string Newstate = "Newstate";
    public const string Newexten = "Newexten";
    public const string Hangup = "Hangup";
    public const string HangupRequest = "HangupRequest";
    public const string SoftHangupRequest = "SoftHangupRequest";
    public const string DialBegin = "DialBegin";
    public const string DialState = "DialState";
    public const string DialEnd = "DialEnd";
    public const string VarSet = "VarSet";
    public const string Cdr = "Cdr";
    public const string FullyBooted = "FullyBooted";
    public const string Shutdown = "Shutdown";
    public const string CoreShowChannel = "CoreShowChannel";
    public const string CoreShowChannelsComplete = "CoreShowChannelsComplete";
    public const string Status = "Status";
    public const string StatusComplete = "StatusComplete";

    // app_queue (the agent event class; tests/captures/QUEUES.md). QueueMember* carry no channel, only the member's
    // Interface/MemberName (QueueMember, a QueueStatus list item, says Name/Location instead).
    public const string QueueParams = "QueueParams";
    public const string QueueMember = "QueueMember";
    public const string QueueEntry = "QueueEntry";
    public const string QueueStatusComplete = "QueueStatusComplete";
    public const string QueueMemberStatus = "QueueMemberStatus";
    public const string QueueMemberPause = "QueueMemberPause";
    public const string QueueMemberAdded = "QueueMemberAdded";
    public const string QueueMemberRemoved = "QueueMemberRemoved";
    public const string QueueCallerJoin = "QueueCallerJoin";
    public const string QueueCallerLeave = "QueueCallerLeave";
    public const string QueueCallerAbandon = "QueueCallerAbandon";
    public const string AgentCalled = "AgentCalled";
    public const string AgentRingNoAnswer = "AgentRingNoAnswer";
    public const string AgentConnect = "AgentConnect";
    public const string AgentComplete = "AgentComplete";
}
