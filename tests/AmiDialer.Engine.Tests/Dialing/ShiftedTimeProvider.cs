namespace AmiDialer.Engine.Tests.Dialing;

/// <summary>
/// Real time, moved to another instant: the engine's clock reads as if today were <c>at</c>, while timers and the
/// simulator still run in real time. Used to dial on a daylight-saving day without waiting for one.
/// </summary>
public sealed class ShiftedTimeProvider(DateTimeOffset at) : TimeProvider
{
    private readonly TimeSpan _offset = at - TimeProvider.System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + _offset;
}
