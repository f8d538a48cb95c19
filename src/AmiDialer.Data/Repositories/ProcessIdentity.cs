using System.Diagnostics;
using System.Globalization;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// Names a process as <c>host:pid:start</c> (start in Unix milliseconds), so another process on the same host can tell
/// whether it still runs. The start time guards against a reused pid: in a container every new process may be pid 1.
/// </summary>
public static class ProcessIdentity
{
    private static readonly TimeSpan StartTolerance = TimeSpan.FromSeconds(2);

    /// <summary>This process.</summary>
    public static string Current { get; } = Describe(Environment.MachineName, Environment.ProcessId, StartOf(Environment.ProcessId));

    public static string Describe(string host, int pid, DateTimeOffset? started) =>
        string.Create(CultureInfo.InvariantCulture, $"{host}:{pid}:{started?.ToUnixTimeMilliseconds() ?? 0}");

    /// <summary>
    /// True when the process still runs, false when it is gone, null when this process cannot tell (another host,
    /// or a name it does not understand): the heartbeat decides then.
    /// </summary>
    public static bool? IsAlive(string? identity)
    {
        var parts = identity?.Split(':');
        if (parts is not { Length: >= 3 }
            || !int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var startMs)
            || !string.Equals(string.Join(':', parts[..^2]), Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return false;
            }

            var started = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
            return startMs == 0 || (started - DateTimeOffset.FromUnixTimeMilliseconds(startMs)).Duration() <= StartTolerance;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false; // it exited while we looked
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // it exists, but it is not ours to inspect
        }
    }

    private static DateTimeOffset? StartOf(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (ArgumentException)
        {
            return null; // no such process
        }
        catch (InvalidOperationException)
        {
            return null; // it exited while we looked
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // its start time is not ours to read
        }
    }
}
