using System.Diagnostics;
using System.Globalization;

namespace AmiDialer.Benchmarks.Data;

/// <summary>A baseline tool run under bash's <c>time</c>, for its CPU (user + sys) as well as its wall time.</summary>
internal static class TimedShell
{
    /// <summary>
    /// Runs <paramref name="script"/> (whose timed command is prefixed <c>TIMEFORMAT='%R %U %S'; time</c>) with
    /// <paramref name="args"/> as <c>$1</c>..; <paramref name="what"/> names the tool in the failure message.
    /// </summary>
    public static (TimeSpan Wall, TimeSpan Cpu) Run(string script, IEnumerable<string> args, string what)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("bench");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash not found");
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var last = stderr.Trim().Split('\n')[^1].Split(' ');
        if (process.ExitCode != 0 || last.Length != 3)
        {
            throw new InvalidOperationException($"{what} failed: " + stderr);
        }

        static double Seconds(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        return (TimeSpan.FromSeconds(Seconds(last[0])), TimeSpan.FromSeconds(Seconds(last[1]) + Seconds(last[2])));
    }
}
