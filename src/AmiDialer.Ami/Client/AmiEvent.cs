namespace AmiDialer.Ami;

/// <summary>An event as delivered to the consumer, with the login generation of the connection it came on.</summary>
public readonly record struct AmiEvent(AmiMessage Message, long Generation)
{
    public string? Name => Message.EventName;
}

/// <summary>A list action's result: the response that opened the list, every item, and the closing event.</summary>
public sealed record AmiListResult(AmiMessage Response, IReadOnlyList<AmiMessage> Items, AmiMessage Complete);
