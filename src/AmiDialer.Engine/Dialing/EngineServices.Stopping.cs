namespace AmiDialer.Engine.Dialing;

/// <summary>The engine's stop, as every dialer sees it: whether one was asked for, and until when live calls are followed.</summary>
internal sealed partial class EngineServices
{
    private long _drainUntilTicks = long.MaxValue;

    /// <summary>Cancelled when the engine stops: no dialer sends a new Originate after it.</summary>
    public CancellationToken Stopping { get; init; }

    /// <summary>
    /// When a stopping engine stops waiting for live calls (they are then left to the next start's reconciliation);
    /// null until a stop was asked for.
    /// </summary>
    public DateTimeOffset? DrainUntil
    {
        get
        {
            var ticks = Interlocked.Read(ref _drainUntilTicks);
            return ticks == long.MaxValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Sets the deadline once: a second stop request does not extend it.</summary>
    public void SetDrainUntil(DateTimeOffset until) =>
        Interlocked.CompareExchange(ref _drainUntilTicks, until.UtcTicks, long.MaxValue);
}
