namespace AmiDialer.Core.Retries;

/// <summary>
/// An answered call that never reached an agent (its caller left the queue, or waited past the 2 s rule and no agent
/// ever took it): the callee heard no one, so the lead may be called again, but not within
/// <paramref name="RetryDelay"/> of the answer (<c>Dialing:AbandonRetryDelay</c>, 72 h: Ofcom's rule for abandoned calls).
/// </summary>
/// <param name="AnsweredAt">When the callee answered.</param>
/// <param name="RetryDelay">How long after the answer no call may follow.</param>
/// <param name="Fate">Why it counts as abandoned, as stored (<c>late</c>, <c>caller-left</c>).</param>
public sealed record AbandonedAnswer(DateTimeOffset AnsweredAt, TimeSpan RetryDelay, string Fate)
{
    /// <summary>The earliest time the lead may be called again.</summary>
    public DateTimeOffset NotBefore => AnsweredAt + RetryDelay;
}
