using System.Runtime.InteropServices;

namespace AmiDialer.Cli;

/// <summary>Which signal asked the process to stop.</summary>
public enum StopKind
{
    None,

    /// <summary>SIGINT (Ctrl-C): run pauses its campaign; serve stops gracefully.</summary>
    Interrupt,

    /// <summary>SIGTERM (systemctl stop, docker stop): stop gracefully, leaving every campaign as it is stored.</summary>
    Terminate,
}

/// <summary>
/// SIGINT and SIGTERM, caught so that the running command stops gracefully. The first one is handled; a second one
/// (of either kind) is left to the runtime's default, which ends the process at once. Tests use <see cref="Request"/>.
/// Replaces the generic host's own handling, which stopped the web host's lifetime but not the command.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource any = new();
    private readonly CancellationTokenSource interrupted = new();
    private readonly CancellationTokenSource terminated = new();
    private readonly List<PosixSignalRegistration> registrations = [];
    private int kind;

    /// <summary>Cancelled by the first signal, of either kind: what commands take as their cancellation token.</summary>
    public CancellationToken Token => any.Token;

    /// <summary>Cancelled by a first SIGINT only.</summary>
    public CancellationToken Interrupted => interrupted.Token;

    /// <summary>Cancelled by a first SIGTERM only.</summary>
    public CancellationToken Terminated => terminated.Token;

    public StopKind Kind => (StopKind)Volatile.Read(ref kind);

    /// <summary>Told once, on the first signal, with what the process does about it.</summary>
    public event Action<StopKind>? Received;

    /// <summary>Catches SIGINT and SIGTERM for the life of the returned object.</summary>
    public static StopSignals Register()
    {
        var signals = new StopSignals();
        signals.registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = signals.Request(StopKind.Interrupt)));
        signals.registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => c.Cancel = signals.Request(StopKind.Terminate)));
        return signals;
    }

    /// <summary>
    /// Records the first stop request and cancels its tokens (the kind's own before <see cref="Token"/>, so whoever
    /// sees <see cref="Token"/> cancelled also sees the kind). False when one came before: the caller lets the default happen.
    /// </summary>
    public bool Request(StopKind stop)
    {
        if (stop == StopKind.None || Interlocked.CompareExchange(ref kind, (int)stop, (int)StopKind.None) != (int)StopKind.None)
        {
            return false;
        }

        Received?.Invoke(stop);
        (stop == StopKind.Terminate ? terminated : interrupted).Cancel();
        any.Cancel();
        return true;
    }

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        any.Dispose();
        interrupted.Dispose();
        terminated.Dispose();
    }
}
