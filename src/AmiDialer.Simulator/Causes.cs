namespace AmiDialer.Simulator;

/// <summary>Q.850 cause texts as Asterisk prints them in Hangup's Cause-txt.</summary>
internal static class Causes
{
    public static string Text(int cause) => cause switch
    {
        1 => "Unallocated (unassigned) number",
        16 => "Normal Clearing",
        17 => "User busy",
        18 => "No user responding",
        19 => "User alerting, no answer",
        20 => "Subscriber absent",
        21 => "Call Rejected",
        34 => "Circuit/channel congestion",
        _ => "Unknown",
    };
}
