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
}
