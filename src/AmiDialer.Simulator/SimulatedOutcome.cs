namespace AmiDialer.Simulator;

/// <summary>What happens to a dialled number.</summary>
public enum SimulatedOutcome
{
    Answered,
    Busy,
    NoAnswer,
    Congestion,
    Rejected,
    Unallocated,
    ChannelUnavailable,
}
