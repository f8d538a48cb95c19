using AmiDialer.Ami;

namespace AmiDialer.Simulator;

/// <summary>One action as the simulator received it, in arrival order across all connections.</summary>
/// <param name="Sequence">0-based arrival order over the simulator's lifetime.</param>
/// <param name="ConnectionId">Which TCP connection sent it (1-based, in accept order).</param>
/// <param name="Username">The logged-in user at the time, or null before Login.</param>
public sealed record ReceivedAction(long Sequence, int ConnectionId, string? Username, AmiMessage Message, DateTimeOffset ReceivedAt)
{
    /// <summary>The Action header ("Originate"), or null for a message without one.</summary>
    public string? Name => Message.ActionName;

    public string? ActionId => Message.ActionId;

    public string? this[string header] => Message.Get(header);

    public bool Is(string action) => string.Equals(Name, action, StringComparison.OrdinalIgnoreCase);
}
