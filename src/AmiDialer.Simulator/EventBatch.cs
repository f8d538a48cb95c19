namespace AmiDialer.Simulator;

/// <summary>One event inside a batch: where its bytes are and its class (for read rights and event masks).</summary>
internal readonly record struct EventSlice(int Offset, int Length, AmiPrivilege Class);

/// <summary>
/// Events rendered once and shared, read-only, by every session: a phase of a call, a list answer, a security event.
/// Sessions whose mask lets every class through write the buffer in one go; others pick slices.
/// </summary>
internal sealed class EventBatch
{
    public EventBatch(byte[] buffer, int length, EventSlice[] slices)
    {
        Buffer = buffer;
        Length = length;
        Slices = slices;
        foreach (var s in slices)
        {
            Classes |= s.Class;
        }
    }

    public byte[] Buffer { get; }

    public int Length { get; }

    public EventSlice[] Slices { get; }

    public AmiPrivilege Classes { get; }

    public static EventBatch Single(byte[] message, AmiPrivilege cls) => new(message, message.Length, [new EventSlice(0, message.Length, cls)]);
}
