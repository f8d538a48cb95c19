using System.Diagnostics;
using System.Text.Json;
using AmiDialer.Cli;

namespace AmiDialer.Tests.Cli;

/// <summary>--log-format and Logging:Format, through the real executable (the console logger is made there).</summary>
public sealed class LogFormatTests
{
    [Fact]
    public async Task Json_log_lines_parse_as_json_and_simple_ones_are_text()
    {
        using var cli = new CliRunner();
        var empty = cli.File("empty.csv", "");
        var json = await RunAsync(["import", empty, "--campaign", "logs", "--create", "--db", cli.DatabasePath, "--log-format", "json"]);
        var logLines = json.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('{')).ToList();
        Assert.True(logLines.Count > 0, json.ToString());
        foreach (var line in logLines)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.True(doc.RootElement.TryGetProperty("LogLevel", out _), line);
            Assert.True(doc.RootElement.TryGetProperty("Timestamp", out _), line);
        }

        Assert.Contains(logLines, l => JsonDocument.Parse(l).RootElement.GetProperty("EventId").GetInt32() == 3012);

        var simple = await RunAsync(["import", empty, "--campaign", "logs", "--db", cli.DatabasePath]);
        Assert.DoesNotContain(simple.Error.Split('\n'), l => l.TrimStart().StartsWith('{'));
        Assert.Contains("warn:", simple.Error, StringComparison.Ordinal);

        // The same from the settings (an AMIDIALER_ variable here), with the option absent.
        var configured = await RunAsync(["import", empty, "--campaign", "logs", "--db", cli.DatabasePath], ("AMIDIALER_Logging__Format", "json"));
        Assert.Contains(configured.Error.Split('\n'), l => l.StartsWith('{') && JsonDocument.Parse(l).RootElement.GetProperty("LogLevel").GetString() == "Warning");
    }

    [Fact]
    public async Task An_unknown_log_format_is_a_usage_error()
    {
        var result = await RunAsync(["campaign", "list", "--log-format", "xml"]);
        Assert.Equal(AmiDialerCli.Usage, result.Code);
        Assert.Contains("xml", result.Error, StringComparison.Ordinal);
    }

    private static async Task<CliResult> RunAsync(string[] args, params (string Name, string Value)[] environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "amidialer.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }
}
