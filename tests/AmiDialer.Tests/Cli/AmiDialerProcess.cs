using System.Diagnostics;
using System.Text;

namespace AmiDialer.Tests.Cli;

/// <summary>The real amidialer executable as a child process (the one beside the tests), for promises about processes.</summary>
internal sealed class AmiDialerProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();

    private AmiDialerProcess(Process process)
    {
        this.process = process;
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public static AmiDialerProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "amidialer.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var started = new AmiDialerProcess(new Process { StartInfo = info });
        started.process.OutputDataReceived += (_, e) => Append(started.output, e.Data);
        started.process.ErrorDataReceived += (_, e) => Append(started.error, e.Data);
        started.process.Start();
        started.process.StandardInput.Close();
        started.process.BeginOutputReadLine();
        started.process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Runs to the end (killed after <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static async Task<CliResult> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var child = Start(args);
        return await child.WaitAsync(timeout);
    }

    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"amidialer did not exit within {timeout}: {Result(-1)}");
        }

        process.WaitForExit(); // the redirected streams are drained after the exit itself
        return Result(process.ExitCode);
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed or finished.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    private CliResult Result(int code)
    {
        lock (output)
        {
            lock (error)
            {
                return new CliResult(code, output.ToString(), error.ToString());
            }
        }
    }

    private static void Append(StringBuilder to, string? line)
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
}
