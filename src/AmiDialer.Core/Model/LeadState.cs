namespace AmiDialer.Core.Model;

public enum LeadState
{
    /// <summary>Never dialed; due once <c>next_eligible_at</c> has passed.</summary>
    Pending,
    /// <summary>Exactly one live attempt exists.</summary>
    InProgress,
    /// <summary>Its last attempt ended with an outcome the retry policy retries.</summary>
    WaitingRetry,
    /// <summary>Final outcome reached (answered, or an outcome the policy does not retry).</summary>
    Done,
    /// <summary>The retry policy or the maximum of attempts ran out.</summary>
    Exhausted,
    /// <summary>On the do-not-call list: never dialable.</summary>
    Blocked,
    /// <summary>The campaign ended before the lead could be dialed again.</summary>
    Expired,
}
