using System.Diagnostics;
using AmiDialer.Testing;

namespace AmiDialer.Tests.Cli;

/// <summary>
/// The real executable with stdout and stderr redirected, as a script or a log sees it: no escape codes, and the
/// plain tables laid out as they were before Spectre.Console drew them, so what parses them today still does.
/// </summary>
public sealed class RedirectedOutputTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("amidialer-pipe-").FullName;

    private string Db => Path.Combine(folder, "pipe.db");

    [Fact]
    public async Task Tables_in_a_pipe_are_plain_lines_without_escape_codes()
    {
        Assert.Equal(0, (await RunAsync("campaign", "create", "spring")).Code);

        var import = await RunAsync("import", RepoPaths.Campaign("sample.csv"), "--campaign", "spring");
        Assert.Equal(0, import.Code);
        Assert.Equal(
            [
                "rows                   count",
                "---------------------  -----",
                "read                      20",
                "imported                  20",
                "rejected                   0",
                "duplicates skipped         0",
                "blocked (do-not-call)      0",
            ],
            Lines(import.Output).Skip(1));
        // Progress in a log: plain lines, the last one at 100 %.
        Assert.Matches(@"^100% 20 rows read, 20 imported, 0 rejected, 0 duplicates, 0 blocked \(\d+ rows/s\)$", Lines(import.Error)[^1]);

        var report = await RunAsync("report", "--campaign", "spring");
        Assert.Equal(
            [
                "Campaign: spring (draft)",
                "Leads: 20  dialable: 20  blocked: 0  not final: 20 (pending 20, in progress 0, waiting retry 0)",
                "Attempts: 0  answer rate by leads: 0.0 %  by attempts: 0.0 %  average talk: 0.0 s",
                "",
                "outcome         leads  attempts",
                "--------------  -----  --------",
                "answered            0         0",
                "busy                0         0",
                "no-answer           0         0",
                "congestion          0         0",
                "rejected            0         0",
                "invalid-number      0         0",
                "failed              0         0",
                "",
                "state          leads",
                "-------------  -----",
                "pending           20",
                "in-progress        0",
                "waiting-retry      0",
                "done               0",
                "exhausted          0",
                "blocked            0",
                "expired            0",
            ],
            Lines(report.Output));

        var list = await RunAsync("campaign", "list");
        Assert.Equal(
            [
                "name    state  leads  not final  attempts  answered  answer rate (leads)  answer rate (attempts)",
                "------  -----  -----  ---------  --------  --------  -------------------  ----------------------",
                "spring  draft     20         20         0         0                 0.0%                    0.0%",
            ],
            Lines(list.Output));

        var leads = await RunAsync("report", "--campaign", "spring", "--leads");
        var rows = Lines(leads.Output);
        Assert.Equal("       phone  name               appointment       state    outcome  attempts  last_attempt_at  talk_seconds  hangup_cause  hangup_cause_text  simulated  outcome_note", rows[0]);
        Assert.Equal("+12125550100  Ada Lovelace       2026-12-01 09:30  pending                  0", rows[2]);
        Assert.Equal("+16025550116  Lamport, Leslie    2026-12-02 12:00  pending                  0", rows[18]);
        Assert.Equal(22, rows.Length);

        var csv = await RunAsync("report", "--campaign", "spring", "--leads", "--format", "csv");
        Assert.StartsWith("phone,name,appointment,", csv.Output, StringComparison.Ordinal);
        var json = await RunAsync("report", "--campaign", "spring", "--format", "json");
        Assert.StartsWith("{", json.Output, StringComparison.Ordinal);

        foreach (var run in new[] { import, report, list, leads, csv, json })
        {
            Assert.DoesNotContain('\u001b', run.Output);
            Assert.DoesNotContain('\u001b', run.Error);
        }
    }

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var info = Executable();
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add("--db");
        info.ArgumentList.Add(Db);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        // A capable terminal type and colours allowed: redirection alone must keep the output plain.
        info.Environment["TERM"] = "xterm-256color";
        info.Environment.Remove("NO_COLOR");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("amidialer did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The amidialer built beside the tests: its apphost, or the dll through the dotnet that runs the tests.</summary>
    private static ProcessStartInfo Executable()
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "amidialer.exe" : "amidialer");
        if (File.Exists(apphost))
        {
            return new ProcessStartInfo(apphost);
        }

        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(dotnet);
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "amidialer.dll"));
        return info;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans its temp folder.
        }
    }
}
