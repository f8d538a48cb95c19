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

    /// <summary>
    /// The host as a lease records it: on Linux the kernel's boot id plus this process's pid namespace, so a reboot, or
    /// another container with the same hostname and kernel, is another host (its pids mean nothing here); elsewhere the
    /// machine name.
    /// </summary>
    public static string Host { get; } = ReadHost();

    /// <summary>
    /// When this process started, as <see cref="Host"/> can compare it: on Linux the start time in clock ticks since
    /// boot from <c>/proc/self/stat</c> (exact, so a reused pid is told apart); elsewhere Unix milliseconds.
    /// </summary>
    public static long Start { get; } = StartTicks(Environment.ProcessId) ?? StartOf(Environment.ProcessId)?.ToUnixTimeMilliseconds() ?? 0;

    /// <summary>
    /// Whether the process a lease names still runs: null when it is on another host (only its heartbeat can tell), false
    /// when its pid is gone, a zombie, or another process with a different start time.
    /// </summary>
    public static bool? IsRunning(string host, int pid, long start)
    {
        if (!string.Equals(host, Host, StringComparison.Ordinal) || pid <= 0)
        {
            return null;
        }

        if (OperatingSystem.IsLinux())
        {
            return StartTicks(pid) is { } ticks && ticks == start;
        }

        return StartOf(pid) is { } started && Math.Abs(started.ToUnixTimeMilliseconds() - start) <= StartTolerance.TotalMilliseconds;
    }

    private static string ReadHost()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
                var pidNamespace = new FileInfo("/proc/self/ns/pid").LinkTarget ?? "pid:[?]";
                return $"{boot}/{pidNamespace}";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A /proc we may not read: fall back to the name, which is weaker but never mistakes a live process for gone.
            }
        }

        return "host:" + Environment.MachineName;
    }

    /// <summary>Field 22 of <c>/proc/&lt;pid&gt;/stat</c>; null when the pid does not exist or is a zombie (dead, not yet reaped).</summary>
    private static long? StartTicks(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces or parentheses itself: read after the last one.
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0] == "Z" || fields[0] == "X")
        {
            return null;
        }

        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }

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
