using System.Globalization;
using System.Security.Cryptography;

namespace AmiDialer.Ami;

/// <summary>
/// ActionIDs that do not collide across processes: a random prefix (48 bits, fresh per process) plus a counter.
/// Asterisk echoes ActionIDs to every session of the same user in some events (OriginateResponse goes only to the
/// originating session, but a restarted dialer must never mistake an old call's ActionID for a new one).
/// </summary>
public sealed class AmiActionIdGenerator
{
    private long _counter;

    public AmiActionIdGenerator()
    {
        Prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    }

    /// <summary>The one generator a process uses.</summary>
    public static AmiActionIdGenerator Shared { get; } = new();

    public string Prefix { get; }

    public string Next() => Prefix + "-" + Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture);
}
