namespace AmiDialer.Engine;

/// <summary>
/// The runtime setting that runs socket completions on the socket engine's own thread instead of handing each to a
/// thread-pool thread. The runtime reads it from the environment only, once, at the process's first socket
/// operation, so a host sets it first thing in <c>Main</c>. The engine follows it (<see cref="Enabled"/>): its AMI
/// event loop then runs on the reader, and claims are written on the dialer's thread.
/// </summary>
/// <remarks>
/// Measured on the engine bench (README, Benchmarks): about half the context switches and 10-15% less dialer CPU per
/// call. What then runs on the socket thread is the AMI reader and the engine's event loop, which never block, and
/// Kestrel's transport, which hands requests to the thread pool as before (only its own
/// <c>UnsafePreferInlineScheduling</c> would run them inline).
/// </remarks>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Whether the runtime runs socket completions inline (the variable is exactly "1", as the runtime reads it).</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>
    /// Turns inline completions on unless the environment already says otherwise (<c>=0</c> turns them off).
    /// Only effective before the process's first socket operation.
    /// </summary>
    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
