namespace AmiDialer.Core.Cluster;

/// <summary>
/// What a node says of one of its AMI servers, written with its row in the store so the others can compare: its place
/// in the node's settings (<c>Ami:Servers:<paramref name="Index"/></c>), name, address and cap. Never its login: any
/// node, and the CLI, reads these.
/// </summary>
public sealed record ServerDescription(int Index, string Name, string Host, int Port, int MaxConcurrentCalls)
{
    /// <summary>The settings key of this server on its node, e.g. <c>Ami:Servers:0</c>.</summary>
    public string Key => $"Ami:Servers:{Index}";

    /// <summary><c>host:port</c>.</summary>
    public string Endpoint => $"{Host}:{Port}";
}

/// <summary>A node (or this process's configuration, when it runs no engine) and the servers it describes.</summary>
public sealed record NodeServers(string Node, IReadOnlyList<ServerDescription> Servers);

/// <summary>
/// One setting of a server that two nodes give differently: <paramref name="Server"/> is its name (or its
/// <c>host:port</c> when the nodes disagree on the name), <paramref name="Setting"/> the key's last part
/// (<c>MaxConcurrentCalls</c>, <c>Host</c>, <c>Port</c>, <c>Name</c>), <paramref name="Nodes"/> the nodes involved.
/// </summary>
/// <param name="Found">Each key and value with its nodes: <c>Ami:Servers:0:MaxConcurrentCalls 40 on node a, 60 on node b</c>.</param>
/// <param name="Meanwhile">What the cluster does until it is fixed.</param>
public sealed record ServerDisagreement(string Server, string Setting, IReadOnlyList<string> Nodes, string Found, string Meanwhile)
{
    /// <summary>The server names involved: <see cref="Server"/>, or each name the nodes give one address.</summary>
    public IReadOnlyList<string> Names { get; init; } = [Server];

    /// <summary>The whole warning in one line, as the log, the doctor, the API and the page say it.</summary>
    public string Message => $"AMI server {Server} is described differently: {Found}; {Meanwhile}.";
}
