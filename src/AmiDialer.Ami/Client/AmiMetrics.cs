using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace AmiDialer.Ami;

/// <summary>
/// The AMI client's instruments (meter <see cref="MeterName"/>): whether each server's connection is up, and how often
/// it had to log in again. About the connection only; what is dialed over it is the engine's to count.
/// </summary>
public static class AmiMetrics
{
    public const string MeterName = "AmiDialer.Ami";

    private static readonly Meter Meter = new(MeterName);

    // Observed, not counted up and down: a provider that starts after the login (serve starts the engine first) still
    // sees the connection.
    private static readonly ConcurrentDictionary<AmiClient, string> Clients = new();

    private static readonly ObservableGauge<int> Connected = Meter.CreateObservableGauge(
        "amidialer.ami.connected", ObserveConnected, unit: "{connection}", description: "1 while an AMI client is logged in, 0 otherwise, by server (host:port).");

    private static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        "amidialer.ami.reconnects", unit: "{login}", description: "Logins after a client's first one: each means a connection was lost and restored.");

    private static readonly Counter<long> Disconnects = Meter.CreateCounter<long>(
        "amidialer.ami.disconnects", unit: "{connection}", description: "Logged-in connections lost (not counting this client's own stop).");

    internal static void Track(AmiClient client, string server) => Clients[client] = server;

    internal static void Untrack(AmiClient client) => Clients.TryRemove(client, out _);

    /// <summary>Called under the client's state lock with each change of its status.</summary>
    internal static void StatusChanged(string server, AmiConnectionStatus from, AmiConnectionStatus to, long generation)
    {
        if (from != to && to == AmiConnectionStatus.Connected && generation > 1)
        {
            Reconnects.Add(1, new KeyValuePair<string, object?>("server", server));
        }
    }

    private static IEnumerable<Measurement<int>> ObserveConnected()
    {
        foreach (var (client, server) in Clients)
        {
            yield return new Measurement<int>(client.State.IsConnected ? 1 : 0, new KeyValuePair<string, object?>("server", server));
        }
    }

    /// <summary>A logged-in connection broke for a reason other than this client's own stop.</summary>
    internal static void ConnectionLost(string server) => Disconnects.Add(1, new KeyValuePair<string, object?>("server", server));
}
