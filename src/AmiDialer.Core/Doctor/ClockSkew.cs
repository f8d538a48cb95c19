using System.Globalization;

namespace AmiDialer.Core.Doctor;

/// <summary>
/// The difference between this host's clock and Asterisk's, from the <c>Timestamp</c> of a Ping's answer (a1:
/// <c>Timestamp: 1733535123.456789</c>, seconds since the epoch; CoreStatus and FullyBooted carry no current time).
/// </summary>
public static class ClockSkew
{
    /// <summary>Over this, the doctor warns: calling hours and schedules are judged on this host's clock, the PBX logs on its own.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    /// <summary>Parses the Timestamp header; null when absent or not a number.</summary>
    public static DateTimeOffset? ParseTimestamp(string? timestamp) =>
        double.TryParse(timestamp, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond))
            : null;

    /// <summary>
    /// Asterisk's time minus ours, taking ours as the middle of the round trip (the answer was stamped somewhere between
    /// sending and receiving, so the error is at most half the round trip). Positive: Asterisk is ahead.
    /// </summary>
    public static TimeSpan Skew(DateTimeOffset asterisk, DateTimeOffset sent, DateTimeOffset received) =>
        asterisk - (sent + ((received - sent) / 2));

    public static bool IsTooLarge(TimeSpan skew) => skew.Duration() > Limit;
}
