namespace AmiDialer.Cli;

/// <summary>
/// The promise to a service manager: once a graceful stop begins, the process is gone within the grace period plus
/// <see cref="Margin"/>, however slow the machine or whatever a disposal waits for. If the orderly exit has not
/// happened by then, the process exits anyway with the code it would have had (the store is transactional; what
/// was not finished is reconciled at the next start). Only for the real process: never armed in tests run in process.
/// </summary>
internal static class ExitDeadline
{
    /// <summary>Under the five seconds promised beyond the grace, leaving two for the exit itself on a loaded machine.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(3);

    private static Timer? timer;

    public static void Arm(StopSignals? signals, TimeSpan grace, int exitCode)
    {
        if (signals is null)
        {
            return;
        }

        var after = grace + Margin;
        var armed = new Timer(_ =>
        {
            Console.Error.WriteLine($"The graceful stop did not finish within {after.TotalSeconds:0} s; exiting now (the next start reconciles what was left).");
            Environment.Exit(exitCode);
        }, null, after, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref timer, armed)?.Dispose();
    }
}
