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

    /// <summary>1 while logged in to a server, 0 otherwise (summed over the clients of this process, by server).</summary>
    private static readonly UpDownCounter<int> Connected = Meter.CreateUpDownCounter<int>(
        "amidialer.ami.connected", unit: "{connection}", description: "AMI connections logged in, by server (host:port).");

    private static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        "amidialer.ami.reconnects", unit: "{login}", description: "Logins after a client's first one: each means a connection was lost and restored.");

    private static readonly Counter<long> Disconnects = Meter.CreateCounter<long>(
        "amidialer.ami.disconnects", unit: "{connection}", description: "Logged-in connections lost (not counting this client's own stop).");

    /// <summary>Called under the client's state lock with each change of its status.</summary>
    internal static void StatusChanged(string server, AmiConnectionStatus from, AmiConnectionStatus to, long generation)
    {
        if (from == to)
        {
            return;
        }

        var tag = new KeyValuePair<string, object?>("server", server);
        if (to == AmiConnectionStatus.Connected)
        {
            Connected.Add(1, tag);
            if (generation > 1)
            {
                Reconnects.Add(1, tag);
            }
        }
        else if (from == AmiConnectionStatus.Connected)
        {
            Connected.Add(-1, tag);
        }
    }

    /// <summary>A logged-in connection broke for a reason other than this client's own stop.</summary>
    internal static void ConnectionLost(string server) => Disconnects.Add(1, new KeyValuePair<string, object?>("server", server));
}
