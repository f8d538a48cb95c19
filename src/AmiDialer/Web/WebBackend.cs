using AmiDialer.Configuration;
using AmiDialer.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Web;

/// <summary>
/// What the web layer needs from the rest of the application, gathered in one place so that
/// <see cref="WebServer"/> can be built by <c>serve</c> and by tests alike.
/// </summary>
public sealed class WebBackend
{
    public required AmiDialerSettings Settings { get; init; }

    /// <summary>The shared composition root: database, repositories, engine, simulator.</summary>
    public required AppServices Services { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Calls go to the built-in simulator: every page shows a banner saying so.</summary>
    public bool IsSimulated { get; init; }

    public required IAdminPassword AdminPassword { get; init; }

    public required IHealthProbe Health { get; init; }
}

/// <summary>The admin's password: set by <c>amidialer admin set-password</c> or given hashed in Web:AdminPasswordHash.</summary>
public interface IAdminPassword
{
    /// <summary>False until a password has been set; the login page then says how to set one.</summary>
    ValueTask<bool> IsSetAsync(CancellationToken cancellationToken);

    ValueTask<bool> VerifyAsync(string password, CancellationToken cancellationToken);
}

/// <summary>The AMI side of what <c>/health</c> and the dashboard report.</summary>
public interface IHealthProbe
{
    IReadOnlyList<AmiServerHealth> AmiServers();
}

/// <param name="Name">The configured server name.</param>
/// <param name="State">Connection state as the AMI client names it (connected, connecting, disconnected, ...).</param>
/// <param name="IsUp">Logged in and usable for calls.</param>
public sealed record AmiServerHealth(string Name, string State, bool IsUp)
{
    /// <summary>False for a server only other nodes dial (the dashboard lists the cluster's): its state here says nothing of its health.</summary>
    public bool ConfiguredHere { get; init; } = true;

    /// <summary>The cap in force over the cluster: the smallest a live node gives the server (this node's own setting when alone).</summary>
    public int? MaxConcurrentCalls { get; init; }

    /// <summary>Calls open on it in the store, every node's; null when the store was not read.</summary>
    public long? Calls { get; init; }

    /// <summary>Of those, this node's engine's; null when this process runs no engine or does not dial the server.</summary>
    public int? ThisNodeCalls { get; init; }

    /// <summary>The cap less every node's calls.</summary>
    public long? FreeSlots { get; init; }

    /// <summary>"12 of 40 in use, 5 by this node".</summary>
    public string? InUse { get; init; }
}
