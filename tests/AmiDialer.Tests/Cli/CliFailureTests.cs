using AmiDialer.Cli;
using Microsoft.Data.Sqlite;
using AmiDialer.Tests.Executable;

namespace AmiDialer.Tests.Cli;

/// <summary>
/// Ordinary mistakes, through the real executable: each ends with one or two lines on stderr naming what is wrong
/// and what to do, exit 1 (2 for usage), and never the runtime's "Unhandled exception" and stack (exit 134).
/// </summary>
public sealed class CliFailureTests : IDisposable
{
    private readonly CliRunner _runner = new();

    [Fact]
    public async Task Unknown_region_is_bad_usage_naming_the_option_and_the_value()
    {
        var csv = _runner.File("leads.csv", "phone,name\n2025550100,Ann\n");
        var r = await Amidialer("import", csv, "--campaign", "c1", "--create", "--region", "XX", "--db", _runner.DatabasePath);

        AssertFailure(r, AmiDialerCli.Usage, "--region", "'XX'", "libphonenumber");
    }

    [Fact]
    public async Task Report_into_a_missing_folder_names_the_folder()
    {
        await CreateCampaign();
        var target = Path.Combine(_runner.Folder, "missing", "dir", "x.csv");
        var r = await Amidialer("report", "--campaign", "c1", "--format", "csv", "--out", target, "--db", _runner.DatabasePath);

        AssertFailure(r, AmiDialerCli.Failure, Path.Combine(_runner.Folder, "missing", "dir"), "does not exist");
        Assert.False(Directory.Exists(Path.Combine(_runner.Folder, "missing")));
    }

    [Fact]
    public async Task Database_option_naming_a_folder_says_so()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_runner.Folder, "data")).FullName;
        var r = await Amidialer("campaign", "list", "--db", folder);

        AssertFailure(r, AmiDialerCli.Failure, folder, "is a folder", "--db");
    }

    [Fact]
    public async Task Database_in_an_unwritable_place_names_the_path()
    {
        var path = Path.Combine(UnwritableFolder(), "amidialer.db");
        var r = await Amidialer("campaign", "list", "--db", path);

        AssertFailure(r, AmiDialerCli.Failure, path, "--db");
    }

    [Fact]
    public async Task Report_to_an_unwritable_place_names_the_file()
    {
        await CreateCampaign();
        var target = Path.Combine(UnwritableFolder(), "report.csv");
        var r = await Amidialer("report", "--campaign", "c1", "--format", "csv", "--out", target, "--db", _runner.DatabasePath);

        AssertFailure(r, AmiDialerCli.Failure, "--out", target);
    }

    [Fact]
    public async Task A_file_that_is_not_sqlite_is_named()
    {
        var path = _runner.File("notes.db", "these are my notes, not a database\n" + new string('x', 4096));
        var r = await Amidialer("campaign", "list", "--db", path);

        AssertFailure(r, AmiDialerCli.Failure, path, "not a SQLite database");
        Assert.StartsWith("these are my notes", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_locked_by_another_process_past_the_busy_timeout_is_named()
    {
        await CreateCampaign();
        await using (var holder = new SqliteConnection($"Data Source={_runner.DatabasePath};Pooling=False"))
        {
            await holder.OpenAsync();
            await using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                await begin.ExecuteNonQueryAsync();
            }

            // Waits out the busy timeout (10 s; it is not configurable) before giving up.
            var r = await Amidialer("campaign", "create", "c2", "--db", _runner.DatabasePath);

            AssertFailure(r, AmiDialerCli.Failure, _runner.DatabasePath, "locked by another process");
        }
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_described_in_words_not_as_a_dotnet_type()
    {
        var r = await Amidialer("campaign", "create", "c2", "--max-concurrent", "abc", "--db", _runner.DatabasePath);

        AssertFailure(r, AmiDialerCli.Usage, "--max-concurrent", "'abc' is not a whole number");
        Assert.DoesNotContain("System.", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_import_whose_first_row_has_a_10_MB_field_is_refused_naming_the_file_and_line()
    {
        var csv = _runner.File("huge.csv", "phone,name\n2025550100," + new string('x', 10 * 1024 * 1024) + "\n2025550101,Bo\n");
        var r = await Amidialer("import", csv, "--campaign", "c1", "--create", "--db", _runner.DatabasePath);

        AssertFailure(r, AmiDialerCli.Failure, "huge.csv", "line 2", "nothing imported");
    }

    [Fact]
    public async Task Serve_on_a_port_in_use_says_so_in_one_line_without_the_hosts_stack()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";
        var r = await Amidialer("serve", "--simulate", "--urls", url, "--db", _runner.DatabasePath);

        AssertFailure(r, AmiDialerCli.Failure, url, "address already in use");
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace_to_the_message()
    {
        var path = _runner.File("notes.db", "not a database" + new string('x', 4096));
        var quiet = await Amidialer("campaign", "list", "--db", path);
        var verbose = await Amidialer("campaign", "list", "--db", path, "--verbose");

        Assert.Equal(AmiDialerCli.Failure, verbose.Code);
        Assert.StartsWith(quiet.Error.TrimEnd(), verbose.Error, StringComparison.Ordinal);
        Assert.Contains("SqliteException", verbose.Error, StringComparison.Ordinal);
        Assert.Contains("   at ", verbose.Error, StringComparison.Ordinal);
    }

    private async Task CreateCampaign()
    {
        var r = await Amidialer("campaign", "create", "c1", "--db", _runner.DatabasePath);
        Assert.True(r.Code == 0, r.ToString());
    }

    private Task<CliResult> Amidialer(params string[] args) => AmiDialerProcess.RunAsync(_runner.Folder, AmiDialerProcess.CommandLimit, args);

    /// <summary>A folder nobody may create files in: read-only for an ordinary user; for root (who ignores modes), /proc.</summary>
    private string UnwritableFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("File modes and /proc are Unix's.");
        }

        var folder = Directory.CreateDirectory(Path.Combine(_runner.Folder, "readonly")).FullName;
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            File.WriteAllText(Path.Combine(folder, "probe"), "");
        }
        catch (UnauthorizedAccessException)
        {
            return folder;
        }

        return "/proc/self";
    }

    private static void AssertFailure(CliResult r, int code, params string[] named)
    {
        Assert.True(code == r.Code, r.ToString());
        Assert.DoesNotContain("Unhandled exception", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);
        var lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length is >= 1 and <= 2, "expected one or two lines:\n" + r);
        foreach (var text in named)
        {
            Assert.True(r.Error.Contains(text, StringComparison.Ordinal), $"'{text}' not named:\n{r}");
        }
    }

    public void Dispose()
    {
        var readOnly = Path.Combine(_runner.Folder, "readonly");
        if (!OperatingSystem.IsWindows() && Directory.Exists(readOnly))
        {
            File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        _runner.Dispose();
    }
}
