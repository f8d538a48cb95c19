namespace AmiDialer.Core.Model;

public enum CampaignState
{
    Draft,
    Scheduled,
    Running,
    Paused,
    Completed,
    Stopped,
}
