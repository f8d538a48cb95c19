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
public sealed record AmiServerHealth(string Name, string State, bool IsUp);
