namespace AmiDialer.Agents;

/// <summary>What one server said, or why it could not be asked.</summary>
public sealed record ServerAgents(string Server, IReadOnlyList<QueueView> Queues, string? Problem);
