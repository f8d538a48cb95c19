using System.Globalization;
using System.Runtime.InteropServices;

namespace AmiDialer.Benchmarks.Engine;

/// <summary>
/// Linux counters of this whole process that explain a CPU figure: what it wrote (the WAL's share of the dialer's
/// kernel time) and how often its threads were switched (the wake-ups' share). -1 where the platform has none.
/// </summary>
internal static partial class ProcessCounters
{
    /// <summary>
    /// Bytes passed to write(2) and its kin: the WAL and checkpoints, logs. Socket sends go through send(2), which
    /// /proc/self/io does not count.
    /// </summary>
    public static long BytesWritten()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/io"))
            {
                if (line.StartsWith("wchar:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }

    public static long ContextSwitches()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        // RUSAGE_SELF counts every thread of the process, those that have exited too.
        var usage = new RUsage();
        return GetRUsage(0, ref usage) == 0 ? usage.Nvcsw + usage.Nivcsw : -1;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, ref RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UtimeSec;
        public long UtimeUsec;
        public long StimeSec;
        public long StimeUsec;
        public long Maxrss;
        public long Ixrss;
        public long Idrss;
        public long Isrss;
        public long Minflt;
        public long Majflt;
        public long Nswap;
        public long Inblock;
        public long Oublock;
        public long Msgsnd;
        public long Msgrcv;
        public long Nsignals;
        public long Nvcsw;
        public long Nivcsw;
    }
}
