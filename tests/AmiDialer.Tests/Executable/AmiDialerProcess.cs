using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using AmiDialer.Tests.Cli;

namespace AmiDialer.Tests.Executable;

/// <summary>
/// The real amidialer executable as a child process (the build copies it beside the tests), with its output
/// collected and real signals to send it: what systemd and docker do to it.
/// </summary>
internal sealed class AmiDialerProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    /// <summary>Generous, for a command run to its end: a loaded machine starts .NET slowly, and one case waits out the busy timeout.</summary>
    public static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(2);

    private readonly System.Diagnostics.Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();

    private AmiDialerProcess(System.Diagnostics.Process process)
    {
        this.process = process;
    }

    public int Id => process.Id;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (error)
            {
                return error.ToString();
            }
        }
    }

    public bool HasExited => process.HasExited;

    /// <summary>
    /// Starts <c>amidialer</c> with <paramref name="args"/> in <paramref name="workingDirectory"/>. SIGINT is reset to
    /// its default first: a test run started in the background inherits it ignored, and .NET (like a shell) leaves an
    /// ignored SIGINT ignored.
    /// </summary>
    public static AmiDialerProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "amidialer.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (OperatingSystem.IsLinux() && File.Exists("/usr/bin/env"))
        {
            info.FileName = "/usr/bin/env";
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add(dotnet);
        }
        else
        {
            info.FileName = dotnet;
        }

        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Our own variables only: the test's settings must not leak from the machine's.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("AMIDIALER_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new System.Diagnostics.Process { StartInfo = info };
        var child = new AmiDialerProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(child.output, e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(child.error, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a command to its end, its input closed as in a cron job, and returns its exit code and output.</summary>
    public static Task<CliResult> RunAsync(string workingDirectory, TimeSpan timeout, params string[] args) =>
        RunAsync(workingDirectory, null, timeout, args);

    /// <summary>As <see cref="RunAsync(string, TimeSpan, string[])"/>, with <paramref name="environment"/> added to a clean one.</summary>
    public static async Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] args)
    {
        await using var child = Start(workingDirectory, environment, args);
        child.process.StandardInput.Close();
        return await child.WaitAsync(timeout);
    }

    /// <summary>The exit code with what the process printed (see <see cref="WaitForExitAsync"/>).</summary>
    public async Task<CliResult> WaitAsync(TimeSpan timeout) => new(await WaitForExitAsync(timeout), Output, Error);

    /// <summary>SIGKILL of the whole tree: no handler runs, nothing is flushed or finished.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Sends a real signal, as kill(1) does.</summary>
    public void Signal(int signal)
    {
        if (Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The exit code, or a failure naming what the process printed when it has not exited within <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"amidialer (pid {process.Id}) still running after {timeout.TotalSeconds} s.\n{this}");
        }

        return process.ExitCode;
    }

    public override string ToString() => $"--- stdout\n{Output}\n--- stderr\n{Error}";

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Append(StringBuilder to, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (to)
        {
            to.AppendLine(line);
        }
    }

    // DllImport rather than LibraryImport: this signature needs no marshalling, and LibraryImport would need unsafe code.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
