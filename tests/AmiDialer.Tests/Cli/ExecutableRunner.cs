using System.Diagnostics;

namespace AmiDialer.Tests.Cli;

/// <summary>
/// Starts the built amidialer executable as a child process, for promises about what an operator's shell sees:
/// exit codes, stderr, no crash with a stack trace. The test project references the app, so the build copies it here.
/// </summary>
internal static class ExecutableRunner
{
    /// <summary>Generous: a loaded machine starts .NET slowly, and one case waits out the database's busy timeout.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    public static async Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = StartInfo(workingDirectory, environment, args);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("amidialer did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"amidialer {string.Join(' ', args)} did not exit within {Limit}.");
        }

        return new CliResult(process.ExitCode, await output, await error);
    }

    public static Task<CliResult> RunAsync(string workingDirectory, params string[] args) => RunAsync(workingDirectory, null, args);

    private static ProcessStartInfo StartInfo(string workingDirectory, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var folder = AppContext.BaseDirectory;
        var dll = Path.Combine(folder, "amidialer.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("The amidialer build is not beside the tests.", dll);
        }

        // The muxer that runs these tests runs the app too (no dependence on an apphost or on PATH).
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The test runner's own AMIDIALER_ settings must not leak into the child; a case sets the ones it means.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("AMIDIALER_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }
}
