namespace AmiDialer.Core.Outcomes;

/// <summary>Sub-reasons of <see cref="Model.CallOutcome.Failed"/>, as stored in <c>Attempt.FailureReason</c>.</summary>
public static class FailureReasons
{
    /// <summary>No channel could be made, or the far end is out of order (unknown technology, CHANUNAVAIL, cause 27/38).</summary>
    public const string ChannelUnavailable = "channel-unavailable";

    /// <summary>No OriginateResponse by the ring timeout plus a grace period.</summary>
    public const string Timeout = "timeout";

    /// <summary>Asterisk refused the Originate action (bad header, permission denied).</summary>
    public const string AmiError = "ami-error";

    /// <summary>The dial was cancelled from our side (DialStatus CANCEL), e.g. the agent hung up while the customer rang.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The call ended with no cause anything could be read from (e.g. a missing context, cause 0 everywhere).</summary>
    public const string Unknown = "unknown";
}
